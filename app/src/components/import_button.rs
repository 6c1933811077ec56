//! The "Import topology.json" command, and the import every way in shares.

use leptos::prelude::*;
use leptos::task::spawn_local;
use stackwright_core::format;
use wasm_bindgen::JsCast;

use crate::browser;
use crate::state::{Designer, Tone, use_designer};

/// The largest file taken as a design: a 64-instance design is about 60 kB.
const MAX_IMPORT_BYTES: f64 = 5_000_000.0;

/// Reads a design from a file and, if it is one, makes it the design as one undo step.
/// A bad file leaves the design untouched and says why.
pub fn import_file(designer: Designer, file: web_sys::File) {
    spawn_local(async move {
        let name = file.name();
        let outcome = browser::read_text(&file, MAX_IMPORT_BYTES)
            .await
            .and_then(|text| format::from_json(&text).map_err(|e| e.to_string()));
        match outcome {
            Ok(design) => {
                designer.replace(design);
                designer.tell(
                    Tone::Info,
                    format!("Imported {name}. Undo brings back the design you had."),
                );
            }
            Err(reason) => designer.tell(
                Tone::Error,
                format!("Could not import {name}: {reason}. Your design is unchanged."),
            ),
        }
    });
}

/// A file picker styled as a button. The label wraps the input, so its text is the
/// input's accessible name; the input itself is only visually hidden and keeps focus.
#[component]
pub fn ImportButton() -> impl IntoView {
    let designer = use_designer();
    let picked = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            import_file(designer, file);
        }
        // Picking the same file again must fire another change.
        input.set_value("");
    };
    view! {
        <label class="sw-button sw-import">
            "Import topology.json"
            <input
                type="file"
                class="sw-visually-hidden"
                accept=".json,application/json"
                on:change=picked
            />
        </label>
    }
}
