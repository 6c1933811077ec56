//! The whole page.

use leptos::prelude::*;
use stackwright_core::Topology;

use super::chain_diagram::ChainDiagram;
use super::page_header::PageHeader;

/// The root component: the product header and the picture of the design.
#[component]
pub fn App() -> impl IntoView {
    // The design cannot be edited yet, so it is a stored value rather than a writable signal.
    let topology = Signal::stored(Topology::exercise());
    view! {
        <div class="sw-app">
            <PageHeader />
            <main class="sw-main">
                <section class="sw-panel" aria-labelledby="sw-chain-heading">
                    <h2 id="sw-chain-heading" class="sw-panel__title">"Default chain"</h2>
                    <p class="sw-panel__hint">
                        "Requests flow from left to right; each box shows the address and port it listens on."
                    </p>
                    <ChainDiagram topology />
                </section>
            </main>
        </div>
    }
}
