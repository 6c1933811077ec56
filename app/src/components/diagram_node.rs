//! One box of the chain picture.

use leptos::prelude::*;

use crate::diagram::{NODE_HEIGHT, NODE_WIDTH, NodeBox};
use crate::state::use_designer;

/// A component's box: a stripe in its kind's colour, its kind, name and endpoint, and a
/// badge counting its errors and warnings. It is a button: click, Enter or Space select
/// the component for the inspector.
///
/// `data-component-id` and `data-component-kind` let tests and later interactions find it.
#[component]
pub fn DiagramNode(
    /// The box to draw; drawn inside the chain picture's `<svg>`.
    node: NodeBox,
) -> impl IntoView {
    let designer = use_designer();
    let NodeBox {
        id,
        name,
        kind,
        endpoint,
        x,
        y,
    } = node;
    let counts = {
        let id = id.clone();
        Memo::new(move |_| designer.problems.with(|p| p.on_component(&id)))
    };
    let selected = {
        let id = id.clone();
        Memo::new(move |_| {
            designer
                .selection
                .with(|s| s.as_deref() == Some(id.as_str()))
        })
    };
    let label = {
        let (name, endpoint) = (name.clone(), endpoint.clone());
        move || {
            let c = counts.get();
            let problems = if c.serious() == 0 {
                "no problems".to_string()
            } else {
                crate::problems::Counts { notes: 0, ..c }.summary()
            };
            format!("{name}, {} at {endpoint}, {problems}", kind.label())
        }
    };
    let select = {
        let id = id.clone();
        move || designer.selection.set(Some(id.clone()))
    };
    let on_key = {
        let select = select.clone();
        move |event: leptos::ev::KeyboardEvent| {
            if event.key() == "Enter" || event.key() == " " {
                event.prevent_default();
                select();
            }
        }
    };
    let badge_x = NODE_WIDTH - 14;
    view! {
        <g
            class=move || {
                format!(
                    "sw-chain__node sw-chain__node--{}{}",
                    kind.id(),
                    if selected.get() { " sw-chain__node--selected" } else { "" },
                )
            }
            data-component-id=id
            data-component-kind=kind.id()
            transform=format!("translate({x} {y})")
            role="button"
            tabindex="0"
            aria-label=label
            aria-pressed=move || if selected.get() { "true" } else { "false" }
            on:click=move |_| select()
            on:keydown=on_key
        >
            <rect
                class="sw-chain__box"
                width=NODE_WIDTH.to_string()
                height=NODE_HEIGHT.to_string()
                rx="8"
            />
            <rect
                class="sw-chain__stripe"
                width="6"
                height=NODE_HEIGHT.to_string()
                clip-path="url(#sw-chain-box-clip)"
            />
            <text class="sw-chain__kind" x="18" y="22">{kind.label()}</text>
            <text class="sw-chain__name" x="18" y="43">{name}</text>
            <text class="sw-chain__endpoint" x="18" y="61">{endpoint}</text>
            {move || {
                let c = counts.get();
                (c.serious() > 0)
                    .then(|| {
                        let tone = if c.errors > 0 { "error" } else { "warning" };
                        view! {
                            <g
                                class=format!("sw-chain__badge sw-chain__badge--{tone}")
                                transform=format!("translate({badge_x} 14)")
                                aria-hidden="true"
                            >
                                <circle r="11" />
                                <text text-anchor="middle" dy="4">{c.serious().to_string()}</text>
                            </g>
                        }
                    })
            }}
        </g>
    }
}
