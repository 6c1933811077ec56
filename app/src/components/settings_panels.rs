//! The global settings, in tabs named as the exercise names its sections.

use leptos::prelude::*;

use super::panel_form::PanelForm;
use crate::catalogue::{Panel, panel_paths};
use crate::state::use_designer;

/// A tab list (Hosts, Ports, Users, ...) over the form of the chosen panel. Each tab
/// shows how many errors and warnings its fields have. Arrow keys, Home and End move
/// between tabs as the ARIA tabs pattern describes.
#[component]
pub fn SettingsPanels() -> impl IntoView {
    let designer = use_designer();
    // The fields of each panel change only with the design's structure, not while typing.
    let paths = Memo::new(move |_| {
        designer
            .structure
            .with(|s| Panel::ALL.map(|panel| panel_paths(panel, s)))
    });
    let counts = Memo::new(move |_| {
        paths.with(|paths| {
            designer
                .problems
                .with(|p| paths.each_ref().map(|ps| p.on_paths(ps)))
        })
    });
    let choose = move |panel: Panel, focus: bool| {
        designer.panel.set(panel);
        if focus {
            crate::browser::focus(&format!("sw-tab-{}", panel.id()));
        }
    };
    let on_key = move |event: leptos::ev::KeyboardEvent| {
        let current = Panel::ALL
            .iter()
            .position(|p| *p == designer.panel.get_untracked())
            .unwrap_or(0);
        let last = Panel::ALL.len() - 1;
        let next = match event.key().as_str() {
            "ArrowRight" | "ArrowDown" => {
                if current == last {
                    0
                } else {
                    current + 1
                }
            }
            "ArrowLeft" | "ArrowUp" => {
                if current == 0 {
                    last
                } else {
                    current - 1
                }
            }
            "Home" => 0,
            "End" => last,
            _ => return,
        };
        event.prevent_default();
        choose(Panel::ALL[next], true);
    };
    let tabs = Panel::ALL
        .into_iter()
        .enumerate()
        .map(|(i, panel)| {
            let active = move || designer.panel.get() == panel;
            let badge = move || {
                let c = counts.with(|c| c[i]);
                (c.serious() > 0).then(|| {
                    let tone = if c.errors > 0 { "error" } else { "warning" };
                    let words = crate::problems::Counts { notes: 0, ..c }.summary();
                    view! {
                        <span class=format!("sw-badge sw-badge--{tone}")>
                            <span aria-hidden="true">{c.serious()}</span>
                            <span class="sw-visually-hidden">{format!("({words})")}</span>
                        </span>
                    }
                })
            };
            view! {
                <button
                    type="button"
                    role="tab"
                    id=format!("sw-tab-{}", panel.id())
                    class=move || if active() { "sw-tabs__tab sw-tabs__tab--active" } else { "sw-tabs__tab" }
                    aria-selected=move || if active() { "true" } else { "false" }
                    aria-controls="sw-settings-panel"
                    tabindex=move || if active() { "0" } else { "-1" }
                    on:click=move |_| choose(panel, false)
                >
                    {panel.label()}
                    {badge}
                </button>
            }
        })
        .collect_view();
    view! {
        <section class="sw-panel sw-layout__settings" aria-labelledby="sw-settings-heading">
            <h2 id="sw-settings-heading" class="sw-panel__title">"Settings"</h2>
            <div class="sw-tabs" role="tablist" aria-labelledby="sw-settings-heading" on:keydown=on_key>
                {tabs}
            </div>
            <div
                id="sw-settings-panel"
                class="sw-tabs__panel"
                role="tabpanel"
                aria-labelledby=move || format!("sw-tab-{}", designer.panel.get().id())
            >
                {move || {
                    let panel = designer.panel.get();
                    view! { <PanelForm panel /> }
                }}
            </div>
        </section>
    }
}
