//! "Reset to a new design", after asking.

use leptos::html;
use leptos::prelude::*;

use crate::state::{Tone, use_designer};

/// A button that opens a modal dialog asking whether to replace the design with the
/// exercise's. Confirming is one undo step; Cancel and Escape leave everything alone.
#[component]
pub fn ResetDialog() -> impl IntoView {
    let designer = use_designer();
    let dialog = NodeRef::<html::Dialog>::new();
    let open = move |_| {
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    };
    let close = move || {
        if let Some(dialog) = dialog.get() {
            dialog.close();
        }
    };
    let confirm = move |_| {
        close();
        designer.open(crate::browser::new_design());
        designer.tell(
            Tone::Info,
            "Reset to a new design, with new passwords. Undo brings back the design you had.",
        );
    };
    view! {
        <button type="button" class="sw-button" on:click=open>
            "Reset…"
        </button>
        <dialog
            node_ref=dialog
            class="sw-dialog"
            aria-labelledby="sw-reset-title"
            aria-describedby="sw-reset-text"
        >
            <h2 id="sw-reset-title" class="sw-dialog__title">"Reset to a new design?"</h2>
            <p id="sw-reset-text" class="sw-dialog__text">
                "This replaces the whole design with the exercise's four-instance chain, each daemon with its own user and new random passwords. You can undo it."
            </p>
            <div class="sw-dialog__actions">
                <button type="button" class="sw-button" on:click=move |_| close()>
                    "Cancel"
                </button>
                <button type="button" class="sw-button sw-button--danger" on:click=confirm>
                    "Reset to a new design"
                </button>
            </div>
        </dialog>
    }
}
