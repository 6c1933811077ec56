//! "Share…": a link to the design.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::share_link;
use crate::state::{Tone, use_designer};

/// A button that opens a dialog with a link holding the whole design (compressed, after
/// `#`, so it never reaches a server) and a button to copy it. Passwords are left out
/// unless the user ticks the option, which explains the risk first.
#[component]
pub fn ShareDialog() -> impl IntoView {
    let designer = use_designer();
    let dialog = NodeRef::<html::Dialog>::new();
    let with_passwords = RwSignal::new(false);
    let copied = RwSignal::new(false);
    let link = RwSignal::new(String::new());
    let refresh = move || {
        let address = browser::page_address();
        link.set(
            designer
                .design
                .with_untracked(|t| share_link::link(&address, t, with_passwords.get_untracked())),
        );
    };
    let open = move |_| {
        copied.set(false);
        refresh();
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    };
    let copy = move |_| {
        let text = link.get_untracked();
        spawn_local(async move {
            match browser::copy_text(&text).await {
                Ok(()) => copied.set(true),
                Err(reason) => {
                    designer.tell(Tone::Error, format!("Could not copy the link: {reason}."))
                }
            }
        });
    };
    view! {
        <button type="button" class="sw-button" on:click=open>
            "Share…"
        </button>
        <dialog node_ref=dialog class="sw-dialog" aria-labelledby="sw-share-title">
            <h2 id="sw-share-title" class="sw-dialog__title">"Share this design"</h2>
            <p class="sw-dialog__text">
                "The link holds the whole design after the '#', so it never reaches a server. The address bar always shows it without passwords."
            </p>
            <div class="sw-field">
                <label class="sw-field__label" for="sw-share-link">"Link"</label>
                <input
                    id="sw-share-link"
                    class="sw-field__input"
                    type="text"
                    readonly
                    prop:value=move || link.get()
                    on:focus:target=move |ev| ev.target().select()
                />
            </div>
            <div class="sw-field sw-field--toggle">
                <label class="sw-field__label" for="sw-share-passwords">"Include passwords"</label>
                <input
                    id="sw-share-passwords"
                    class="sw-field__check"
                    type="checkbox"
                    aria-describedby="sw-share-warning"
                    prop:checked=move || with_passwords.get()
                    on:change:target=move |ev| {
                        with_passwords.set(ev.target().checked());
                        copied.set(false);
                        refresh();
                    }
                />
                <p id="sw-share-warning" class="sw-field__help">
                    "Anyone who sees a link with passwords can read them: chat logs, browser history and screenshots keep links. Send it only where you would send the passwords."
                </p>
            </div>
            <div class="sw-dialog__actions">
                <span class="sw-dialog__status" role="status">{move || if copied.get() { "Copied" } else { "" }}</span>
                <button type="button" class="sw-button sw-button--primary" on:click=copy>
                    "Copy link"
                </button>
                <button
                    type="button"
                    class="sw-button"
                    on:click=move |_| {
                        if let Some(dialog) = dialog.get() {
                            dialog.close();
                        }
                    }
                >
                    "Close"
                </button>
            </div>
        </dialog>
    }
}
