//! Messages about the design as a whole: what an import did, why storage failed.

use leptos::prelude::*;

use crate::state::{Tone, use_designer};

/// The latest notice, with a button to dismiss it. Failures are announced at once: an
/// alert is added to the page; news is announced politely in a status region that stays
/// on the page, so assistive technology notices what appears in it.
#[component]
pub fn NoticeBar() -> impl IntoView {
    let designer = use_designer();
    let text_of = move |tone: Tone| {
        designer.notice.with(|n| {
            n.as_ref()
                .filter(|n| n.tone == tone)
                .map(|n| n.text.clone())
        })
    };
    let dismiss = move |_| designer.notice.set(None);
    view! {
        <div class="sw-notices">
            <div class="sw-notices__region">
                {move || {
                    text_of(Tone::Error)
                        .map(|text| {
                            view! {
                                <div role="alert" class="sw-notice sw-notice--error">
                                    <p class="sw-notice__text">{text}</p>
                                    <button type="button" class="sw-button sw-button--small" on:click=dismiss>
                                        "Dismiss"
                                    </button>
                                </div>
                            }
                        })
                }}
            </div>
            <div role="status" class="sw-notices__region">
                {move || {
                    text_of(Tone::Info)
                        .map(|text| {
                            view! {
                                <div class="sw-notice sw-notice--info">
                                    <p class="sw-notice__text">{text}</p>
                                    <button type="button" class="sw-button sw-button--small" on:click=dismiss>
                                        "Dismiss"
                                    </button>
                                </div>
                            }
                        })
                }}
            </div>
        </div>
    }
}
