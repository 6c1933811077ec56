//! One arrow of the chain picture.

use leptos::prelude::*;

use stackwright_core::layout::arrow_path;

use crate::canvas::{Gesture, use_canvas};
use crate::diagram::Edge;

/// The arrow from one component to a component it sends requests to (the box it reaches
/// writes the port). Clicking it selects it, so Delete or Backspace removes it; while one
/// of its boxes is dragged it follows.
#[component]
pub fn DiagramEdge(
    /// Where the arrow runs; drawn inside the chain picture's `<svg>`.
    edge: Edge,
) -> impl IntoView {
    let canvas = use_canvas();
    let Edge {
        from,
        to,
        from_at,
        to_at,
        ..
    } = edge;
    let ends = {
        let (from, to) = (from.clone(), to.clone());
        Memo::new(move |_| {
            canvas.gesture.with(|g| match g {
                Some(Gesture::Move { id, dx, dy }) if *id == from => {
                    ((from_at.0 + dx, from_at.1 + dy), to_at)
                }
                Some(Gesture::Move { id, dx, dy }) if *id == to => {
                    (from_at, (to_at.0 + dx, to_at.1 + dy))
                }
                _ => (from_at, to_at),
            })
        })
    };
    let selected = {
        let (from, to) = (from.clone(), to.clone());
        Memo::new(move |_| {
            canvas
                .selected_edge
                .with(|s| s.as_ref().is_some_and(|(f, t)| *f == from && *t == to))
        })
    };
    let path = move || {
        let (a, b) = ends.get();
        arrow_path(a, b)
    };
    let select = {
        let (from, to) = (from.clone(), to.clone());
        move |event: leptos::ev::PointerEvent| {
            event.stop_propagation();
            canvas.selected_edge.set(Some((from.clone(), to.clone())));
            if let Some(svg) = event
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                .and_then(|e| e.closest("svg").ok().flatten())
            {
                // Keyboard focus on the canvas, so Delete reaches it.
                if let Ok(focus) = js_sys::Reflect::get(&svg, &"focus".into())
                    && let Some(focus) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Function>(&focus)
                {
                    let _ = focus.call0(&svg);
                }
            }
        }
    };
    let label = format!("connection from {from} to {to}");
    view! {
        <g
            class=move || {
                if selected.get() { "sw-chain__wire sw-chain__wire--selected" } else { "sw-chain__wire" }
            }
            data-from=from.clone()
            data-to=to.clone()
            // A picture with a name: a name alone is not allowed on a plain group.
            role="img"
            aria-label=label
            on:pointerdown=select
        >
            <path class="sw-chain__hit" d=path />
            <path class="sw-chain__edge" d=path marker-end="url(#sw-chain-arrow)" />
        </g>
    }
}
