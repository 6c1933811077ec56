//! One arrow of the chain picture.

use leptos::prelude::*;

use crate::diagram::Edge;

/// The arrow from one component to a component it sends requests to.
#[component]
pub fn DiagramEdge(
    /// Where the arrow runs; drawn inside the chain picture's `<svg>`.
    edge: Edge,
) -> impl IntoView {
    view! {
        <path
            class="sw-chain__edge"
            d=edge.path
            marker-end="url(#sw-chain-arrow)"
            data-from=edge.from
            data-to=edge.to
        />
    }
}
