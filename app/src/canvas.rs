//! The canvas's own state, shared by the chain picture and its boxes and arrows.
//!
//! The picture ([`crate::components::chain_diagram`]) provides it; a box
//! ([`crate::components::diagram_node`]) and an arrow ([`crate::components::diagram_edge`])
//! take it from the context to start a gesture and to follow one. Living here rather than
//! in the picture's file, it is what the three depend on, and none of them depends on
//! another for it.

use leptos::prelude::*;
use stackwright_core::layout::ViewBox;
use wasm_bindgen::JsCast;

/// What the pointer is doing on the canvas.
#[derive(Clone, Debug, PartialEq)]
pub enum Gesture {
    /// Moving a box: its id, and how far it has moved so far (snapped to the grid).
    Move { id: String, dx: i32, dy: i32 },
    /// Drawing a connection from `from`'s output handle to the point `to`.
    Link { from: String, to: (i32, i32) },
    /// Dragging the background to pan the view.
    Pan,
}

/// A connection the chain does not allow: why, and where the user dropped it.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub reason: String,
    pub at: (i32, i32),
}

/// Where the pointer went down, in screen pixels, and how many canvas units a screen
/// pixel was then.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PointerDown {
    x: f64,
    y: f64,
    scale: f64,
}

/// The canvas's own state, shared with its boxes and arrows through the context.
#[derive(Clone, Copy)]
pub struct Canvas {
    pub gesture: RwSignal<Option<Gesture>>,
    /// The selected connection, (from, to).
    pub selected_edge: RwSignal<Option<(String, String)>>,
    /// The last connection refused, shown where the user dropped it.
    pub refusal: RwSignal<Option<Refusal>>,
    /// The part of the canvas shown; `None` fits the design to the canvas
    /// ([`crate::diagram::fit`]), and keeps it fitted as the design and the canvas change.
    pub view: RwSignal<Option<ViewBox>>,
    /// Where the pointer went down when the gesture began.
    pressed: StoredValue<PointerDown>,
    /// The view when the gesture began, which panning shifts.
    origin: StoredValue<ViewBox>,
    /// The view shown now.
    shown: Signal<ViewBox>,
}

/// The canvas of the page's chain; panics outside
/// [`crate::components::chain_diagram::ChainDiagram`].
pub fn use_canvas() -> Canvas {
    expect_context::<Canvas>()
}

impl Canvas {
    /// The state of a canvas showing `shown`, where `view` is the view the user chose
    /// (`None` while the design is fitted to the canvas).
    pub fn new(view: RwSignal<Option<ViewBox>>, shown: Signal<ViewBox>) -> Canvas {
        Canvas {
            gesture: RwSignal::new(None),
            selected_edge: RwSignal::new(None),
            refusal: RwSignal::new(None),
            view,
            pressed: StoredValue::new(PointerDown {
                x: 0.0,
                y: 0.0,
                scale: 1.0,
            }),
            origin: StoredValue::new(ViewBox::default()),
            shown,
        }
    }

    /// Starts a gesture at a pointer event on `svg`, capturing the pointer there.
    pub fn begin(&self, event: &leptos::ev::PointerEvent, gesture: Gesture, view: ViewBox) {
        let Some(svg) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("svg").ok().flatten())
        else {
            return;
        };
        let (width, height) = (
            f64::from(svg.client_width().max(1)),
            f64::from(svg.client_height().max(1)),
        );
        let scale = (f64::from(view.width) / width).max(f64::from(view.height) / height);
        let _ = svg.set_pointer_capture(event.pointer_id());
        self.pressed.set_value(PointerDown {
            x: f64::from(event.client_x()),
            y: f64::from(event.client_y()),
            scale,
        });
        self.origin.set_value(view);
        self.refusal.set(None);
        self.gesture.set(Some(gesture));
    }

    /// Starts a gesture that does not change the view.
    pub fn begin_in_place(&self, event: &leptos::ev::PointerEvent, gesture: Gesture) {
        let view = self.shown.get_untracked();
        self.begin(event, gesture, view);
    }

    /// Shows the view the gesture began with, moved against the pointer by `(dx, dy)`
    /// canvas units, so the drawing follows the pointer.
    pub fn pan_by(&self, (dx, dy): (i32, i32)) {
        let mut view = self.origin.get_value();
        view.x -= dx;
        view.y -= dy;
        self.view.set(Some(view));
    }

    /// How far the pointer moved since the gesture began, in canvas units.
    pub fn moved(&self, event: &leptos::ev::PointerEvent) -> (i32, i32) {
        let PointerDown { x, y, scale } = self.pressed.get_value();
        (
            ((f64::from(event.client_x()) - x) * scale).round() as i32,
            ((f64::from(event.client_y()) - y) * scale).round() as i32,
        )
    }
}
