//! One box of the chain picture.

use leptos::prelude::*;

use crate::diagram::{NODE_HEIGHT, NODE_WIDTH, NodeBox};

/// A component's box: a stripe in its kind's colour, its kind, name and endpoint.
///
/// `data-component-id` and `data-component-kind` let tests and later interactions find it.
#[component]
pub fn DiagramNode(
    /// The box to draw; drawn inside the chain picture's `<svg>`.
    node: NodeBox,
) -> impl IntoView {
    let NodeBox {
        id,
        name,
        kind,
        endpoint,
        x,
        y,
    } = node;
    let tooltip = format!("{name}: {} at {endpoint}", kind.label());
    view! {
        <g
            class=format!("sw-chain__node sw-chain__node--{}", kind.id())
            data-component-id=id
            data-component-kind=kind.id()
            transform=format!("translate({x} {y})")
        >
            <title>{tooltip}</title>
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
        </g>
    }
}
