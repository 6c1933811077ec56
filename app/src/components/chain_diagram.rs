//! The picture of the serving chain.

use leptos::prelude::*;

use super::diagram_edge::DiagramEdge;
use super::diagram_node::DiagramNode;
use crate::diagram::{Diagram, NODE_HEIGHT, NODE_WIDTH};
use crate::state::use_designer;

/// Draws every component of the design as a box and every connection as an arrow.
///
/// Boxes and arrows are keyed lists: a keystroke that changes one endpoint redraws that
/// one box, not the picture. The SVG is a group named "Serving chain" whose boxes are
/// buttons; its description spells out each connection for assistive technology.
#[component]
pub fn ChainDiagram() -> impl IntoView {
    let designer = use_designer();
    let diagram = Memo::new(move |_| designer.design.with(Diagram::of));
    view! {
        <svg
            class="sw-chain"
            role="group"
            aria-labelledby="sw-chain-title"
            aria-describedby="sw-chain-desc"
            viewBox=move || diagram.with(|d| d.view_box.to_string())
            style=move || diagram.with(|d| format!("max-width: {}px", d.view_box.width))
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
                    <path class="sw-chain__arrowhead" d="M0,0 L10,5 L0,10 z" />
                </marker>
                // Every box clips its colour stripe to its own rounded corners.
                <clipPath id="sw-chain-box-clip">
                    <rect width=NODE_WIDTH.to_string() height=NODE_HEIGHT.to_string() rx="8" />
                </clipPath>
            </defs>
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
        </svg>
    }
}
