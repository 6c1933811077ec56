//! The middle of the page: the chain and the command that grows it.

use leptos::prelude::*;
use stackwright_core::Kind;
use stackwright_core::edit;
use stackwright_core::validate::MAX_INSTANCES;

use super::chain_diagram::ChainDiagram;
use crate::state::{Tone, use_designer};

/// The chain picture with the number of Zope instances and an "Add Zope instance" button,
/// which selects the new instance so it can be edited at once.
#[component]
pub fn ChainPanel() -> impl IntoView {
    let designer = use_designer();
    let instances = move || {
        designer.structure.with(|s| {
            s.components
                .iter()
                .filter(|(_, _, k)| *k == Kind::Zope)
                .count()
        })
    };
    let add_instance = move |_: leptos::ev::MouseEvent| match designer.change(edit::add_instance) {
        Ok(id) => designer.selection.set(Some(id)),
        Err(error) => designer.tell(Tone::Error, format!("Cannot add an instance: {error}.")),
    };
    view! {
        <section class="sw-panel sw-layout__chain" aria-labelledby="sw-chain-heading">
            <div class="sw-panel__bar">
                <h2 id="sw-chain-heading" class="sw-panel__title">"Chain"</h2>
                <p class="sw-panel__meta">
                    {move || instances()}" of "{MAX_INSTANCES}" Zope instances"
                </p>
                <button
                    type="button"
                    class="sw-button sw-button--small"
                    disabled=move || { instances() >= MAX_INSTANCES }
                    on:click=add_instance
                >
                    "Add Zope instance"
                </button>
            </div>
            <p class="sw-panel__hint">
                "Requests flow from left to right. Select a component to edit it; a badge counts its problems. Drag a box to move it, drag from its right handle to another box to connect them; Delete removes the selected box or arrow; arrow keys move the focused box."
            </p>
            <div class="sw-chain-scroll">
                <ChainDiagram />
            </div>
        </section>
    }
}
