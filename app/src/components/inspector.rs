//! The form of the selected component.

use leptos::prelude::*;
use stackwright_core::Kind;
use stackwright_core::edit;

use super::field::Field;
use crate::catalogue::component_fields;
use crate::state::{INSPECTOR_HEADING, Tone, use_designer};

/// Every field of the selected component, or a hint when none is selected.
///
/// The form is rebuilt only when another component is selected (or its kind changes),
/// never while typing, even when the name being typed is the one in its heading.
#[component]
pub fn Inspector() -> impl IntoView {
    let designer = use_designer();
    let selected = Memo::new(move |_| {
        let id = designer.selection.get()?;
        let kind = designer.structure.with(|s| s.kind_of(&id))?;
        Some((id, kind))
    });
    view! {
        <section class="sw-panel sw-layout__inspector" aria-label="Inspector">
            {move || match selected.get() {
                None => {
                    view! {
                        <h2 id=INSPECTOR_HEADING class="sw-panel__title" tabindex="-1">"Inspector"</h2>
                        <p class="sw-panel__hint">
                            "Select a component in the chain to edit its host, ports, user and settings."
                        </p>
                    }
                        .into_any()
                }
                Some((id, kind)) => view! { <ComponentForm id kind /> }.into_any(),
            }}
        </section>
    }
}

/// The fields of one component, with "Remove this instance" for a Zope instance.
#[component]
fn ComponentForm(
    /// The component's id.
    id: String,
    /// Its kind, which decides its fields.
    kind: Kind,
) -> impl IntoView {
    let designer = use_designer();
    let name = {
        let id = id.clone();
        move || designer.structure.with(|s| s.name_of(&id).to_string())
    };
    let fields = {
        let id = id.clone();
        designer
            .structure
            .with_untracked(|s| component_fields(s, &id))
    };
    let instances = move || {
        designer
            .structure
            .with(|s| s.components.iter().filter(|c| c.2 == Kind::Zope).count())
    };
    let remove = {
        let id = id.clone();
        move |_| {
            if let Err(error) = designer.change(|t| edit::remove_instance(t, &id)) {
                designer.tell(Tone::Error, format!("Cannot remove the instance: {error}."));
            }
        }
    };
    view! {
        <div class="sw-panel__bar">
            <h2 id=INSPECTOR_HEADING class="sw-panel__title" tabindex="-1">
                <span class="sw-panel__kind">{kind.label()}</span>
                " "
                {name}
            </h2>
            {(kind == Kind::Zope)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="sw-button sw-button--small sw-button--danger"
                            disabled=move || { instances() <= 1 }
                            on:click=remove
                        >
                            "Remove this instance"
                        </button>
                    }
                })}
        </div>
        <p class="sw-panel__meta">"Id: "<code>{id}</code></p>
        <div class="sw-form">
            {fields.into_iter().map(|spec| view! { <Field spec scope="inspector" /> }).collect_view()}
        </div>
    }
}
