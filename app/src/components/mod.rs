//! The app's components, one per file.

pub mod app;
pub mod chain_diagram;
pub mod chain_panel;
pub mod code_view;
pub mod diagram_edge;
pub mod diagram_node;
pub mod download_button;
pub mod drop_overlay;
pub mod field;
pub mod files_panel;
pub mod import_button;
pub mod import_notes;
pub mod inspector;
pub mod link_dialog;
pub mod notice_bar;
pub mod page_header;
pub mod panel_form;
pub mod preset_picker;
pub mod problems_panel;
pub mod reset_dialog;
pub mod settings_panels;
pub mod share_dialog;
pub mod template_editor;
