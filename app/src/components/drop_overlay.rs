//! Importing by dropping a file anywhere on the page.

use leptos::ev;
use leptos::prelude::*;

use super::import_button::{import_files, list};
use crate::state::use_designer;

/// Listens for files dragged over the window, shows where to drop them, and imports the
/// dropped files. Drags that carry no file (text, links) are left to the browser.
#[component]
pub fn DropOverlay() -> impl IntoView {
    let designer = use_designer();
    let dragging = RwSignal::new(false);
    let carries_files = |event: &web_sys::DragEvent| {
        event
            .data_transfer()
            .is_some_and(|d| d.types().includes(&"Files".into(), 0))
    };
    let over = window_event_listener(ev::dragover, move |event| {
        if carries_files(&event) {
            event.prevent_default();
            if !dragging.get_untracked() {
                dragging.set(true);
            }
        }
    });
    let leave = window_event_listener(ev::dragleave, move |event| {
        // Leaving the window (not just moving between elements) has no related target.
        if event.related_target().is_none() {
            dragging.set(false);
        }
    });
    let drop = window_event_listener(ev::drop, move |event| {
        dragging.set(false);
        let files = list(event.data_transfer().and_then(|d| d.files()));
        if !files.is_empty() {
            event.prevent_default();
            import_files(designer, files);
        }
    });
    on_cleanup(move || {
        over.remove();
        leave.remove();
        drop.remove();
    });
    view! {
        <div class="sw-drop" class:sw-drop--active=move || dragging.get() aria-hidden="true">
            <p class="sw-drop__text">"Drop a topology.json, a buildout's .cfg files or a zip of its folder to import them"</p>
        </div>
    }
}
