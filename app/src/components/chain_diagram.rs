//! The picture of the serving chain.

use leptos::prelude::*;
use stackwright_core::Topology;

use super::diagram_edge::DiagramEdge;
use super::diagram_node::DiagramNode;
use crate::diagram::{Diagram, NODE_HEIGHT, NODE_WIDTH};

/// Draws every component of a design as a box and every connection as an arrow.
///
/// The SVG is one image to assistive technology: its title names it and its description
/// spells out each connection, since the boxes themselves are not read out.
#[component]
pub fn ChainDiagram(
    /// The design to draw.
    #[prop(into)]
    topology: Signal<Topology>,
) -> impl IntoView {
    let diagram = Memo::new(move |_| topology.with(Diagram::of));
    let edges = move || {
        diagram.with(|d| {
            d.edges
                .iter()
                .map(|edge| view! { <DiagramEdge edge=edge.clone() /> })
                .collect_view()
        })
    };
    let nodes = move || {
        diagram.with(|d| {
            d.nodes
                .iter()
                .map(|node| view! { <DiagramNode node=node.clone() /> })
                .collect_view()
        })
    };
    view! {
        <svg
            class="sw-chain"
            role="img"
            aria-labelledby="sw-chain-title"
            aria-describedby="sw-chain-desc"
            viewBox=move || diagram.with(|d| d.view_box.to_string())
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
            <g class="sw-chain__edges">{edges}</g>
            <g class="sw-chain__nodes">{nodes}</g>
        </svg>
    }
}
