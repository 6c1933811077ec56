//! The "Import topology.json or buildout" command, and the import every way in shares.

use leptos::prelude::*;
use leptos::task::spawn_local;
use stackwright_core::import::buildout_files::{self, GatheredBuildout};
use stackwright_core::{archive, format};
use wasm_bindgen::JsCast;

use crate::browser;
use crate::state::{Designer, Tone, use_designer};

/// The largest file taken as a design: a 64-instance design is about 60 kB.
const MAX_IMPORT_BYTES: u64 = 5_000_000;

/// Reads a design from a file and, if it is one, makes it the design as one undo step.
/// A bad file leaves the design untouched and says why.
pub fn import_file(designer: Designer, file: web_sys::File) {
    spawn_local(async move {
        let name = file.name();
        let outcome = browser::read_text(&file, MAX_IMPORT_BYTES)
            .await
            .and_then(|text| format::from_json(&text).map_err(|e| e.to_string()));
        match outcome {
            Ok(design) => designer.import_design(name, design),
            Err(reason) => designer.tell(
                Tone::Error,
                format!("Could not import {name}: {reason}. Your design is unchanged."),
            ),
        }
    });
}

/// Imports what the user gave: one zip as a zipped buildout folder, a buildout when any
/// file is a `.cfg`, else the first file as a `topology.json`.
pub fn import_files(designer: Designer, files: Vec<web_sys::File>) {
    let names: Vec<String> = files.iter().map(web_sys::File::name).collect();
    if names.iter().any(|name| buildout_files::is_zip(name)) {
        match <[web_sys::File; 1]>::try_from(files) {
            Ok([zip]) => import_zip(designer, zip),
            Err(_) => designer.tell(
                Tone::Error,
                "Give either one .zip of the buildout folder or the buildout's files, not both. \
                 Your design is unchanged.",
            ),
        }
    } else if buildout_files::is_buildout(names.iter().map(String::as_str)) {
        import_buildout(designer, files);
    } else if let Some(file) = files.into_iter().next() {
        import_file(designer, file);
    }
}

/// Every file of a `FileList`, in order.
pub fn list(files: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    files
        .map(|files| (0..files.length()).filter_map(|i| files.get(i)).collect())
        .unwrap_or_default()
}

/// Reads a buildout from its files and imports it.
fn import_buildout(designer: Designer, files: Vec<web_sys::File>) {
    spawn_local(async move {
        let mut given = Vec::new();
        for file in &files {
            // The path inside a picked folder; web-sys has no binding for it.
            let path = js_sys::Reflect::get(file, &"webkitRelativePath".into())
                .ok()
                .and_then(|p| p.as_string())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| file.name());
            match browser::read_text(file, MAX_IMPORT_BYTES).await {
                Ok(text) => given.push((path, text)),
                Err(reason) => {
                    designer.tell(
                        Tone::Error,
                        format!("Could not import the buildout: {path}: {reason}. Your design is unchanged."),
                    );
                    return;
                }
            }
        }
        import_given_buildout(designer, given);
    });
}

/// Reads a zipped buildout folder and imports the buildout in it.
fn import_zip(designer: Designer, file: web_sys::File) {
    spawn_local(async move {
        let name = file.name();
        let files = browser::read_bytes(&file, archive::MAX_ZIP)
            .await
            .and_then(|bytes| archive::text_files(&bytes).map_err(|e| e.to_string()));
        match files {
            Ok(files) if buildout_files::is_buildout(files.iter().map(|(path, _)| path.as_str())) => {
                import_given_buildout(designer, files);
            }
            Ok(_) => designer.tell(
                Tone::Error,
                format!("Could not import {name}: it holds no buildout .cfg file. Your design is unchanged."),
            ),
            Err(reason) => designer.tell(
                Tone::Error,
                format!("Could not import {name}: {reason}. Your design is unchanged."),
            ),
        }
    });
}

/// Makes the design of a buildout, given as (path, text), the design as one undo step,
/// and lists what the importer did not understand.
fn import_given_buildout(designer: Designer, given: Vec<(String, String)>) {
    let GatheredBuildout { files, top: main } = match buildout_files::gather(given, None) {
        Ok(gathered) => gathered,
        Err(error) => {
            designer.tell(
                Tone::Error,
                format!("Could not import the buildout: {error}. Your design is unchanged."),
            );
            return;
        }
    };
    match stackwright_core::import::import(&files, &main) {
        Ok(imported) => {
            designer.open(imported.topology);
            let count = imported.notes.len();
            designer
                .import_notes
                .set(imported.notes.iter().map(ToString::to_string).collect());
            let report = match count {
                0 => " Everything in it was understood.".to_string(),
                1 => " One thing in it was not understood: see the import report.".to_string(),
                n => format!(" {n} things in it were not understood: see the import report."),
            };
            designer.tell(
                Tone::Info,
                format!(
                    "Imported the buildout {main}.{report} Undo brings back the design you had."
                ),
            );
        }
        Err(error) => designer.tell(
            Tone::Error,
            format!("Could not import the buildout: {error}. Your design is unchanged."),
        ),
    }
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
        let files = list(input.files());
        if !files.is_empty() {
            import_files(designer, files);
        }
        // Picking the same file again must fire another change.
        input.set_value("");
    };
    view! {
        <label class="sw-button sw-import">
            "Import topology.json or buildout"
            <input
                type="file"
                multiple
                class="sw-visually-hidden"
                accept=".json,application/json,.cfg,.zip,application/zip"
                on:change=picked
            />
        </label>
    }
}
