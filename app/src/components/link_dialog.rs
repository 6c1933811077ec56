//! "Open the link's design or keep mine?", asked when a link differs from the saved design,
//! and before a link's or file's design with its own templates is applied.

use leptos::html;
use leptos::prelude::*;

use crate::share_link;
use crate::state::use_designer;

/// A modal dialog shown while a link's design waits for an answer. Escape keeps the
/// saved design, like "Keep my design"; neither answer loses a design.
#[component]
pub fn LinkDialog() -> impl IntoView {
    let designer = use_designer();
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        let pending = designer.pending_link.with(Option::is_some);
        if let Some(dialog) = dialog.get() {
            if pending && !dialog.open() {
                let _ = dialog.show_modal();
            } else if !pending && dialog.open() {
                dialog.close();
            }
        }
    });
    let from_file = move || {
        designer
            .pending_link
            .with(|p| p.as_ref().is_some_and(|p| p.file.is_some()))
    };
    let title = move || {
        designer
            .pending_link
            .with(|p| match p.as_ref().and_then(|p| p.file.as_ref()) {
                Some(name) => format!("Import the design from {name}?"),
                None => "Open the design from this link?".to_string(),
            })
    };
    let templates = move || {
        designer.pending_link.with(|p| {
            p.as_ref()
                .and_then(|p| share_link::templates_notice(&p.topology))
        })
    };
    let answer = move |open: bool| {
        if let Some(dialog) = dialog.get() {
            dialog.close();
        }
        designer.resolve_link(open);
    };
    view! {
        <dialog
            node_ref=dialog
            class="sw-dialog"
            aria-labelledby="sw-link-title"
            aria-describedby="sw-link-text"
            on:close=move |_| designer.resolve_link(false)
        >
            <h2 id="sw-link-title" class="sw-dialog__title">{move || title()}</h2>
            <div id="sw-link-text">
                <Show when=move || designer.pending_link.with(|p| p.as_ref().is_some_and(|p| p.over_saved))>
                    <p class="sw-dialog__text">
                        "This browser holds a different design of yours. Opening the link's design keeps yours in undo history and in this browser's storage; keeping yours leaves the link's design unopened."
                    </p>
                </Show>
                {move || templates().map(|text| view! { <p class="sw-dialog__text sw-dialog__warning">{text}</p> })}
            </div>
            <div class="sw-dialog__actions">
                <button type="button" class="sw-button" on:click=move |_| answer(false)>
                    "Keep my design"
                </button>
                <button type="button" class="sw-button sw-button--primary" on:click=move |_| answer(true)>
                    {move || if from_file() { "Import it" } else { "Open the link's design" }}
                </button>
            </div>
        </dialog>
    }
}
