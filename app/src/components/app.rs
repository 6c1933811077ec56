//! The whole page.

use leptos::ev;
use leptos::prelude::*;

use super::chain_panel::ChainPanel;
use super::drop_overlay::DropOverlay;
use super::files_panel::FilesPanel;
use super::import_notes::ImportNotes;
use super::inspector::Inspector;
use super::link_dialog::LinkDialog;
use super::notice_bar::NoticeBar;
use super::page_header::PageHeader;
use super::problems_panel::ProblemsPanel;
use super::settings_panels::SettingsPanels;
use crate::browser;
use crate::shortcuts::{Shortcut, shortcut};
use crate::state::Designer;

/// The root component: creates the designer's state, provides it to every component and
/// lays out the header, the chain, the inspector, the settings, problems and files panels.
#[component]
pub fn App() -> impl IntoView {
    let designer = Designer::load();
    provide_context(designer);

    // Undo and redo from the keyboard, except where the browser's own text undo applies.
    let keys = window_event_listener(ev::keydown, move |event| {
        if event.default_prevented() || browser::is_text_entry(event.target()) {
            return;
        }
        let command = event.ctrl_key() || event.meta_key();
        match shortcut(&event.key(), command, event.shift_key(), event.alt_key()) {
            Some(Shortcut::Undo) => {
                event.prevent_default();
                designer.undo();
            }
            Some(Shortcut::Redo) => {
                event.prevent_default();
                designer.redo();
            }
            None => {}
        }
    });
    // A link pasted into the address bar of an open page.
    let links = window_event_listener(ev::hashchange, move |_| {
        designer.open_link(&browser::location_hash());
    });
    on_cleanup(move || {
        keys.remove();
        links.remove();
    });

    view! {
        <div class="sw-app">
            <PageHeader />
            <NoticeBar />
            <ImportNotes />
            <main class="sw-layout">
                <ChainPanel />
                <Inspector />
                <SettingsPanels />
                <ProblemsPanel />
                <FilesPanel />
            </main>
            <DropOverlay />
            <LinkDialog />
        </div>
    }
}
