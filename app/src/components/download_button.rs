//! The "Download bundle" command.

use leptos::prelude::*;
use stackwright_core::bundle;

use crate::browser;
use crate::state::{Tone, use_designer};

/// Zips the rendered files in the browser, with core's `bundle::zip`, and saves the
/// zip under the design's name. Disabled while the design has errors, with the reason
/// next to it (and as the button's description).
#[component]
pub fn DownloadButton() -> impl IntoView {
    let designer = use_designer();
    let errors = move || designer.problems.with(|p| p.total.errors);
    let ready =
        move || errors() == 0 && designer.rendered.with(|r| !r.stale && r.current.is_some());
    let fault = move || designer.rendered.with(|r| r.fault.clone());
    let reason = move || match errors() {
        0 if let Some(fault) = fault() => match fault.template {
            Some(template) => format!("Fix the template {template} to download"),
            None => format!("Cannot download: {}", fault.message),
        },
        0 => designer
            .rendered
            .with(|r| r.current.as_ref().map(|b| bundle::file_name(b)))
            .unwrap_or_default(),
        1 => "Fix the error to download".to_string(),
        n => format!("Fix the {n} errors to download"),
    };
    let download = move |_| {
        let Some(files) = designer.rendered.with_untracked(|r| r.current.clone()) else {
            return;
        };
        let name = bundle::file_name(&files);
        let outcome = bundle::zip(&files, browser::now())
            .map_err(|e| e.to_string())
            .and_then(|bytes| browser::download(&bytes, &name, "application/zip"));
        match outcome {
            Ok(()) => designer.tell(Tone::Info, format!("Downloaded {name}.")),
            Err(reason) => designer.tell(
                Tone::Error,
                format!("Could not download the bundle: {reason}."),
            ),
        }
    };
    view! {
        <div class="sw-download">
            <button
                type="button"
                class="sw-button sw-button--primary"
                disabled=move || !ready()
                aria-describedby="sw-download-reason"
                on:click=download
            >
                "Download bundle"
            </button>
            <span id="sw-download-reason" class="sw-download__reason">{reason}</span>
        </div>
    }
}
