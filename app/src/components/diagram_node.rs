//! One box of the chain picture.

use leptos::prelude::*;

use stackwright_core::Kind;

use stackwright_core::layout::{
    BOX_RADIUS, NODE_HEIGHT, NODE_WIDTH, PORT_LABEL_AT, STRIPE_WIDTH, output_handle,
};

use crate::canvas::{Gesture, use_canvas};
use crate::diagram::NodeBox;
use crate::state::use_designer;

/// A one-letter glyph per kind, drawn in a disc at the box's left, so kinds differ by more
/// than colour. The letters are strokes, not text: the box's text is exactly what its
/// accessible name starts with, and a stray letter would break that (WCAG 2.5.3).
fn icon(kind: Kind) -> &'static str {
    match kind {
        Kind::Nginx => "M-3.5,5 V-5 L3.5,5 V-5",
        Kind::Varnish => "M-4,-5 L0,5 L4,-5",
        Kind::Haproxy => "M-3.5,-5 V5 M3.5,-5 V5 M-3.5,0 H3.5",
        Kind::Zope => "M-3.5,-5 H3.5 L-3.5,5 H3.5",
        Kind::Database => "M-3.5,-5 V5 H-0.5 A4.5,5 0 0 0 -0.5,-5 Z",
        Kind::Memcached => "M-4.5,5 V-5 L0,1 L4.5,-5 V5",
        Kind::Supervisor => {
            "M3.5,-3.5 C2.5,-5 -3.5,-5.5 -3.5,-2.5 C-3.5,0.5 3.5,-0.5 3.5,2.5 C3.5,5.5 -2.5,5 -3.5,3.5"
        }
    }
}

/// A component's box: a stripe in its kind's colour, its kind, name and endpoint, and a
/// badge counting its errors and warnings. It is a button: click, Enter or Space select
/// the component for the inspector, and Enter also moves the keyboard there. Its
/// accessible name ([`NodeBox::label`]) holds its text in the order the text is written:
/// the name first (drawn below the kind), words apart.
///
/// When arrows reach it, its port is written once by its input, beside the box.
///
/// Dragging it moves it (snapped to the grid, one undo step on release); dragging from the
/// handle on its right side draws a connection to the box where it is dropped.
/// `data-component-id` and `data-component-kind` let tests and later interactions find it.
#[component]
pub fn DiagramNode(
    /// The box to draw; drawn inside the chain picture's `<svg>`.
    node: NodeBox,
) -> impl IntoView {
    let designer = use_designer();
    let canvas = use_canvas();
    let NodeBox {
        id,
        name,
        kind,
        endpoint,
        port,
        x,
        y,
    } = node.clone();
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
        let node = node.clone();
        move || node.label(counts.get())
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
            // Enter opens the component in the inspector: the keyboard goes to its form.
            if event.key() == "Enter" {
                request_animation_frame(|| {
                    crate::browser::focus(crate::state::INSPECTOR_HEADING);
                });
            }
        }
    };
    let offset = {
        let id = id.clone();
        Memo::new(move |_| {
            canvas.gesture.with(|g| match g {
                Some(Gesture::Move { id: moving, dx, dy }) if *moving == id => (*dx, *dy),
                _ => (0, 0),
            })
        })
    };
    let start_move = {
        let (id, select) = (id.clone(), select.clone());
        move |event: leptos::ev::PointerEvent| {
            if event.button() != 0 {
                return;
            }
            event.stop_propagation();
            select();
            canvas.selected_edge.set(None);
            canvas.begin_in_place(
                &event,
                Gesture::Move {
                    id: id.clone(),
                    dx: 0,
                    dy: 0,
                },
            );
        }
    };
    let start_link = {
        let id = id.clone();
        move |event: leptos::ev::PointerEvent| {
            if event.button() != 0 {
                return;
            }
            event.stop_propagation();
            let to = output_handle((x, y));
            canvas.begin_in_place(
                &event,
                Gesture::Link {
                    from: id.clone(),
                    to,
                },
            );
        }
    };
    let translate = move || {
        let (dx, dy) = offset.get();
        format!("translate({} {})", x + dx, y + dy)
    };
    let has_output = !kind.may_connect_to().is_empty();
    let handle_label = format!("Connect {name} to another component");
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
            transform=translate
            role="button"
            tabindex="0"
            aria-label=label
            aria-pressed=move || if selected.get() { "true" } else { "false" }
            on:pointerdown=start_move
            on:keydown=on_key
        >
            <rect
                class="sw-chain__box"
                width=NODE_WIDTH.to_string()
                height=NODE_HEIGHT.to_string()
                rx=BOX_RADIUS.to_string()
            />
            <rect
                class="sw-chain__stripe"
                width=STRIPE_WIDTH.to_string()
                height=NODE_HEIGHT.to_string()
                clip-path="url(#sw-chain-box-clip)"
            />
            <g class="sw-chain__icon" transform="translate(26 36)" aria-hidden="true">
                <circle r="12" />
                <path d=icon(kind) />
            </g>
            // One text, spaced, in the order of the accessible name; each line is placed
            // by its own coordinates, so the kind still shows above the name.
            <text class="sw-chain__text">
                <tspan class="sw-chain__name" x="46" y="43">{name.clone()}</tspan>
                " "
                <tspan class="sw-chain__kind" x="46" y="22">{kind.label()}</tspan>
                " "
                <tspan class="sw-chain__endpoint" x="46" y="61">{endpoint}</tspan>
                // Keeps the badge's number, which follows, a word of its own.
                " "
            </text>
            <circle class="sw-chain__input" cx="0" cy=(NODE_HEIGHT / 2).to_string() r="5" aria-hidden="true" />
            {has_output
                .then(|| {
                    view! {
                        <circle
                            class="sw-chain__handle"
                            cx=NODE_WIDTH.to_string()
                            cy=(NODE_HEIGHT / 2).to_string()
                            r="8"
                            role="button"
                            aria-label=handle_label
                            on:pointerdown=start_link
                        />
                    }
                })}
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
        // The port arrows reach, by the input: beside the box rather than in it, so it is
        // no part of the button's text, and in the layer above the arrows, so the arrows
        // converging here do not cross it out. The endpoint in the name already says it.
        {port
            .map(|port| {
                view! {
                    <text
                        class="sw-chain__port"
                        transform=translate
                        x=PORT_LABEL_AT.0.to_string()
                        y=PORT_LABEL_AT.1.to_string()
                        text-anchor="end"
                        aria-hidden="true"
                    >
                        {format!(":{port}")}
                    </text>
                }
            })}
    }
}
