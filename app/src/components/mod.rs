//! The app's components, one per file.

pub mod app;
pub mod chain_diagram;
pub mod diagram_edge;
pub mod diagram_node;
pub mod page_header;
