//! The form of one settings panel.

use leptos::prelude::*;

use super::field::Field;
use crate::catalogue::{Group, Panel, panel_groups};
use crate::state::use_designer;

/// The panel's fields, grouped under the component or section they belong to. Groups and
/// fields are keyed lists, rebuilt only when the design's shape changes (a component
/// added, removed or renamed), so typing here never loses focus.
#[component]
pub fn PanelForm(
    /// The panel to show.
    panel: Panel,
) -> impl IntoView {
    let designer = use_designer();
    let groups = Memo::new(move |_| designer.structure.with(|s| panel_groups(panel, s)));
    view! {
        {(panel == Panel::InstanceTemplate)
            .then(|| {
                view! {
                    <p class="sw-panel__hint">
                        "Every Zope instance uses these unless its own form says otherwise. Add instances from the chain; remove one from its form."
                    </p>
                }
            })}
        <For
            each=move || groups.get()
            key=|group| group.clone()
            children=|group: Group| {
                view! {
                    <fieldset class="sw-group">
                        <legend class="sw-group__title">{group.title}</legend>
                        <div class="sw-form">
                            {group
                                .fields
                                .into_iter()
                                .map(|spec| view! { <Field spec scope="panel" /> })
                                .collect_view()}
                        </div>
                    </fieldset>
                }
            }
        />
    }
}
