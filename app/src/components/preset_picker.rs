//! Starting points to load with one choice.

use leptos::prelude::*;
use stackwright_core::Topology;
use stackwright_core::defaults::scaled;

use crate::state::{Tone, use_designer};

/// The presets: (value, label, instances, hosts).
const PRESETS: &[(&str, &str, usize, usize)] = &[
    ("exercise", "The exercise: 4 instances", 4, 1),
    ("16x3", "16 instances on 3 hosts", 16, 3),
    ("64x8", "64 instances on 8 hosts", 64, 8),
];

/// A list of ready-made designs. Choosing one replaces the design as one undo step and
/// says so; the list then returns to its prompt.
#[component]
pub fn PresetPicker() -> impl IntoView {
    let designer = use_designer();
    let chosen = move |event: leptos::ev::Event| {
        let value = event_target_value(&event);
        let Some((_, label, instances, hosts)) = PRESETS.iter().find(|p| p.0 == value) else {
            return;
        };
        // The exercise as it is (its passwords are the validator's first errors); a grown
        // design as a new one, with its own users and random passwords.
        let design = if value == "exercise" {
            Topology::exercise()
        } else {
            crate::browser::for_production(scaled(*instances, *hosts))
        };
        designer.open(design);
        designer.tell(
            Tone::Info,
            format!(
                "Loaded the preset \u{201c}{label}\u{201d}. Undo brings back the design you had."
            ),
        );
        if let Some(select) = event
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(t).ok())
        {
            select.set_value("");
        }
    };
    view! {
        <label class="sw-preset">
            <span class="sw-preset__label">"Preset"</span>
            <select class="sw-select" on:change=chosen>
                <option value="" selected>"Choose…"</option>
                {PRESETS
                    .iter()
                    .map(|(value, label, _, _)| view! { <option value=*value>{*label}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
