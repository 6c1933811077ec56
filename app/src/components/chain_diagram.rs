//! The canvas of the serving chain: boxes to drag, handles to connect, a view to pan and
//! zoom. Every change it makes to the design goes through [`crate::state::Designer`], so
//! it is one undo step and autosaved like a form edit.

use leptos::prelude::*;
use stackwright_core::Kind;
use stackwright_core::edit::{self, EditError};
use wasm_bindgen::JsCast;

use stackwright_core::layout::{
    self, ARROWHEAD, BOX_RADIUS, GRID, NODE_HEIGHT, NODE_WIDTH, ViewBox, output_handle, snap,
};

use super::diagram_edge::DiagramEdge;
use super::diagram_node::DiagramNode;
use crate::browser::SizeWatch;
use crate::canvas::{Canvas, Gesture, Refusal};
use crate::diagram::{self, Diagram, Size};
use crate::state::{Tone, use_designer};

/// The drag data type of a palette entry, holding the kind's id.
const PALETTE_TYPE: &str = "application/x-stackwright-kind";

/// Moves a box by `(dx, dy)`; dropped inside another host's outline, it moves to that host.
fn nudge(
    t: &mut stackwright_core::Topology,
    id: &str,
    (dx, dy): (i32, i32),
    groups: &[diagram::HostGroup],
) -> Result<(), EditError> {
    let at = t
        .component(id)
        .map(|c| c.position)
        .ok_or_else(|| EditError::UnknownComponent(id.to_string()))?;
    let to = at.moved((dx, dy));
    edit::move_component(t, id, to)?;
    let centre = (to.x + NODE_WIDTH / 2, to.y + NODE_HEIGHT / 2);
    let host = t.component(id).map(|c| c.host.clone()).unwrap_or_default();
    match diagram::host_after_drop(groups, &host, centre) {
        Some(other) => edit::move_to_host(t, id, &other),
        None => Ok(()),
    }
}

/// Moves the keyboard focus to a component's box.
fn focus_node(id: &str) {
    let selector = format!("[data-component-id=\"{}\"]", id.replace('"', ""));
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&selector).ok().flatten());
    // An SVG element has `focus()` too, but web-sys only binds it on `HtmlElement`.
    if let Some(element) = element
        && let Ok(focus) = js_sys::Reflect::get(&element, &"focus".into())
        && let Some(focus) = focus.dyn_ref::<js_sys::Function>()
    {
        let _ = focus.call0(&element);
    }
}

/// Draws every component of the design as a box and every connection as an arrow, on a
/// grid, with host outlines when the design spans several machines, and lets the user
/// move, connect, select and delete them and pan and zoom the view.
///
/// Boxes and arrows are keyed lists: a keystroke that changes one endpoint redraws that
/// one box, not the picture. While a box is dragged the design is left alone; only its
/// box and arrows follow the pointer, and dropping it makes one undo step.
///
/// Until the user zooms or pans, the design is fitted to the canvas at a legible scale,
/// again whenever the canvas changes size; a design opened from elsewhere is fitted anew.
/// The canvas is as tall as the fitted design needs ([`diagram::canvas_style`]).
/// `data-canvas` holds the size of the drawing area as last measured.
#[component]
pub fn ChainDiagram() -> impl IntoView {
    let designer = use_designer();
    let diagram = Memo::new(move |_| designer.design.with(Diagram::of));
    let view: RwSignal<Option<ViewBox>> = RwSignal::new(None);
    // The drawing area's size, once the canvas is laid out.
    let size: RwSignal<Option<Size>> = RwSignal::new(None);
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let watch = StoredValue::new_local(None::<SizeWatch>);
    Effect::new(move |_| {
        let Some(svg) = svg_ref.get() else { return };
        let measured = SizeWatch::new(svg.into(), move |width, height| {
            let now = Some(Size { width, height });
            if size.get_untracked() != now {
                size.set(now);
            }
        });
        watch.set_value(measured);
    });
    Effect::new(move |_| {
        designer.opened.track();
        view.set(None);
    });
    let shown = Memo::new(move |_| {
        view.get().unwrap_or_else(|| {
            let extent = diagram.with(|d| d.extent);
            size.get().map_or(extent, |size| diagram::fit(extent, size))
        })
    });
    let style = move || diagram.with(|d| diagram::canvas_style(d.extent));
    // The drawing area's size as last measured, which a fitted view is made for: tests
    // wait for it to match the element.
    let measured = move || {
        size.get()
            .map(|size| format!("{} {}", size.width, size.height))
    };
    let canvas = Canvas::new(view, shown.into());
    provide_context(canvas);
    let zoom = move |factor: f64| {
        canvas
            .view
            .set(Some(diagram::zoomed(shown.get_untracked(), factor)))
    };

    let on_down = move |event: leptos::ev::PointerEvent| {
        if event.button() != 0 {
            return;
        }
        canvas.selected_edge.set(None);
        canvas.begin(&event, Gesture::Pan, shown.get_untracked());
    };
    let on_move = move |event: leptos::ev::PointerEvent| {
        let Some(gesture) = canvas.gesture.get_untracked() else {
            return;
        };
        let (dx, dy) = canvas.moved(&event);
        match gesture {
            Gesture::Move {
                id,
                dx: old_x,
                dy: old_y,
            } => {
                let (dx, dy) = (snap(dx), snap(dy));
                if (dx, dy) != (old_x, old_y) {
                    canvas.gesture.set(Some(Gesture::Move { id, dx, dy }));
                }
            }
            Gesture::Link { from, .. } => {
                let start = designer
                    .design
                    .with_untracked(|t| t.component(&from).map(layout::corner));
                if let Some(at) = start {
                    let (x, y) = output_handle(at);
                    canvas.gesture.set(Some(Gesture::Link {
                        from,
                        to: (x + dx, y + dy),
                    }));
                }
            }
            Gesture::Pan => canvas.pan_by((dx, dy)),
        }
    };
    let on_up = move |event: leptos::ev::PointerEvent| {
        let Some(gesture) = canvas.gesture.get_untracked() else {
            return;
        };
        canvas.gesture.set(None);
        match gesture {
            Gesture::Move { id, dx, dy } => {
                if (dx, dy) == (0, 0) {
                    return;
                }
                let groups = diagram.with_untracked(|d| d.groups.clone());
                let _ = designer.change(|t| nudge(t, &id, (dx, dy), &groups));
            }
            Gesture::Link { from, to } => {
                let target = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| {
                        d.element_from_point(event.client_x() as f32, event.client_y() as f32)
                    })
                    .and_then(|e| e.closest("[data-component-id]").ok().flatten())
                    .and_then(|e| e.get_attribute("data-component-id"));
                let Some(target) = target else { return };
                match designer.change(|t| edit::add_connection(t, &from, &target)) {
                    Ok(()) => canvas.selected_edge.set(Some((from, target))),
                    Err(reason) => canvas.refusal.set(Some(Refusal {
                        reason: reason.to_string(),
                        at: to,
                    })),
                }
            }
            Gesture::Pan => {}
        }
    };
    let on_key = move |event: leptos::ev::KeyboardEvent| {
        if crate::browser::is_text_entry(event.target()) {
            return;
        }
        let key = event.key();
        // The box with the keyboard focus, or else the selected one.
        let focused = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("[data-component-id]").ok().flatten())
            .and_then(|e| e.get_attribute("data-component-id"))
            .or_else(|| designer.selection.get_untracked());
        match key.as_str() {
            "Delete" | "Backspace" => {
                event.prevent_default();
                if let Some((from, to)) = canvas.selected_edge.get_untracked() {
                    let _ = designer.change(|t| {
                        edit::remove_connection(t, &from, &to);
                        Ok(())
                    });
                    canvas.selected_edge.set(None);
                } else if let Some(id) = focused
                    && let Err(error) = designer.change(|t| edit::remove_component(t, &id))
                {
                    designer.tell(Tone::Error, format!("Cannot delete it: {error}."));
                }
            }
            "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" => {
                let Some(id) = focused else { return };
                event.prevent_default();
                let (dx, dy) = match key.as_str() {
                    "ArrowLeft" => (-GRID, 0),
                    "ArrowRight" => (GRID, 0),
                    "ArrowUp" => (0, -GRID),
                    _ => (0, GRID),
                };
                let groups = diagram.with_untracked(|d| d.groups.clone());
                let _ = designer.change(|t| nudge(t, &id, (dx, dy), &groups));
                // The moved box is drawn anew; keep the keyboard on it.
                request_animation_frame(move || focus_node(&id));
            }
            _ => {}
        }
    };
    let on_wheel = move |event: leptos::ev::WheelEvent| {
        event.prevent_default();
        zoom(if event.delta_y() > 0.0 {
            1.1
        } else {
            1.0 / 1.1
        });
    };
    let auto_layout = move |_| {
        let _ = designer.change(|t| {
            layout::auto_layout(t);
            Ok(())
        });
        canvas.view.set(None);
    };
    let export = move |_| {
        let svg = designer
            .design
            .with_untracked(stackwright_core::svg::topology_svg);
        if let Err(error) =
            crate::browser::download(svg.as_bytes(), "topology.svg", "image/svg+xml")
        {
            designer.tell(Tone::Error, format!("Cannot export the drawing: {error}."));
        }
    };
    let add = move |kind: Kind| match designer.change(|t| edit::add_component(t, kind)) {
        Ok(id) => designer.selection.set(Some(id)),
        Err(error) => designer.tell(Tone::Error, format!("Cannot add it: {error}.")),
    };
    let to_new_host = move |_| {
        let Some(id) = designer.selection.get_untracked() else {
            return;
        };
        let moved = designer.change(|t| {
            let host = edit::add_host(t)?;
            edit::move_to_host(t, &id, &host).map(|()| host)
        });
        match moved {
            Ok(host) => designer.tell(
                Tone::Info,
                format!(
                    "Moved it to the new host {host}; set the host's address under Settings, Hosts."
                ),
            ),
            Err(error) => designer.tell(Tone::Error, format!("Cannot move it: {error}.")),
        }
    };
    // Every kind but supervisor.
    let palette = Kind::ALL
        .into_iter()
        .filter(|kind| *kind != Kind::Supervisor);
    view! {
        <div class="sw-canvas">
            <div class="sw-canvas__toolbar" role="toolbar" aria-label="Canvas">
                <span class="sw-canvas__palette" role="group" aria-label="Add component">
                    {palette
                        .into_iter()
                        .map(|kind| {
                            view! {
                                <button
                                    type="button"
                                    class=format!("sw-button sw-button--small sw-canvas__add sw-chain__node--{}", kind.id())
                                    draggable="true"
                                    aria-label=format!("New {}", kind.label())
                                    on:click=move |_| add(kind)
                                    on:dragstart=move |event: leptos::ev::DragEvent| {
                                        if let Some(data) = event.data_transfer() {
                                            let _ = data.set_data(PALETTE_TYPE, kind.id());
                                        }
                                    }
                                >
                                    "+ "{kind.label()}
                                </button>
                            }
                        })
                        .collect_view()}
                </span>
                <span class="sw-canvas__view" role="group" aria-label="View">
                    <button type="button" class="sw-button sw-button--small" on:click=move |_| zoom(0.8)>"Zoom in"</button>
                    <button type="button" class="sw-button sw-button--small" on:click=move |_| zoom(1.25)>"Zoom out"</button>
                    <button type="button" class="sw-button sw-button--small" on:click=move |_| canvas.view.set(None)>"Fit to view"</button>
                    <button type="button" class="sw-button sw-button--small" on:click=auto_layout>"Auto-layout"</button>
                    <button type="button" class="sw-button sw-button--small" on:click=export>"Export SVG"</button>
                    <button
                        type="button"
                        class="sw-button sw-button--small"
                        disabled=move || designer.selection.with(Option::is_none)
                        on:click=to_new_host
                    >
                        "Move to a new host"
                    </button>
                </span>
            </div>
            <svg
                node_ref=svg_ref
                class="sw-chain"
                style=style
                data-canvas=measured
                role="group"
                tabindex="-1"
                aria-labelledby="sw-chain-title"
                aria-describedby="sw-chain-desc"
                viewBox=move || shown.get().to_string()
                data-view=move || shown.get().to_string()
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:keydown=on_key
                on:wheel=on_wheel
                on:dragover=|event: leptos::ev::DragEvent| event.prevent_default()
                on:drop=move |event: leptos::ev::DragEvent| {
                    event.prevent_default();
                    let kind = event
                        .data_transfer()
                        .and_then(|d| d.get_data(PALETTE_TYPE).ok())
                        .and_then(|id| Kind::from_id(&id));
                    if let Some(kind) = kind {
                        add(kind);
                    }
                }
            >
                <title id="sw-chain-title">"Serving chain"</title>
                <desc id="sw-chain-desc">{move || diagram.with(|d| d.description.clone())}</desc>
                <defs>
                    <marker
                        id="sw-chain-arrow"
                        viewBox="0 0 10 10"
                        refX="9"
                        refY="5"
                        markerWidth="7"
                        markerHeight="7"
                        orient="auto-start-reverse"
                    >
                        <path class="sw-chain__arrowhead" d=ARROWHEAD />
                    </marker>
                    // Every box clips its colour stripe to its own rounded corners.
                    <clipPath id="sw-chain-box-clip">
                        <rect width=NODE_WIDTH.to_string() height=NODE_HEIGHT.to_string() rx=BOX_RADIUS.to_string() />
                    </clipPath>
                    <pattern
                        id="sw-chain-grid"
                        width=GRID.to_string()
                        height=GRID.to_string()
                        patternUnits="userSpaceOnUse"
                    >
                        <circle class="sw-chain__grid-dot" cx="1" cy="1" r="1" />
                    </pattern>
                </defs>
                <rect
                    class="sw-chain__grid"
                    x=move || (shown.get().x - 2000).to_string()
                    y=move || (shown.get().y - 2000).to_string()
                    width=move || (shown.get().width + 4000).to_string()
                    height=move || (shown.get().height + 4000).to_string()
                    fill="url(#sw-chain-grid)"
                />
                <g class="sw-chain__groups">
                    <For
                        each=move || diagram.with(|d| d.groups.clone())
                        key=|group| group.clone()
                        children=|group| {
                            view! {
                                <g class="sw-chain__group" data-host=group.host.clone()>
                                    <rect
                                        x=group.x.to_string()
                                        y=group.y.to_string()
                                        width=group.width.to_string()
                                        height=group.height.to_string()
                                        rx="10"
                                    />
                                    <text x=(group.x + 10).to_string() y=(group.y + 16).to_string()>
                                        {format!("host {}", group.host)}
                                    </text>
                                </g>
                            }
                        }
                    />
                </g>
                <g class="sw-chain__edges">
                    <For
                        each=move || diagram.with(|d| d.edges.clone())
                        key=|edge| edge.clone()
                        children=|edge| view! { <DiagramEdge edge /> }
                    />
                </g>
                <g class="sw-chain__nodes">
                    <For
                        each=move || diagram.with(|d| d.nodes.clone())
                        key=|node| node.clone()
                        children=|node| view! { <DiagramNode node /> }
                    />
                </g>
                {move || match canvas.gesture.get() {
                    Some(Gesture::Link { from, to }) => {
                        let start = designer
                            .design
                            .with_untracked(|t| t.component(&from).map(layout::corner));
                        start.map(|at| {
                            let (x, y) = output_handle(at);
                            view! {
                                <line
                                    class="sw-chain__link"
                                    x1=x.to_string()
                                    y1=y.to_string()
                                    x2=to.0.to_string()
                                    y2=to.1.to_string()
                                />
                            }
                        })
                    }
                    _ => None,
                }}
                {move || {
                    canvas
                        .refusal
                        .get()
                        .map(|Refusal { reason, at: (x, y) }| {
                            view! {
                                <text class="sw-chain__refusal" role="alert" x=x.to_string() y=(y - 8).to_string()>
                                    {reason}
                                </text>
                            }
                        })
                }}
            </svg>
        </div>
    }
}
