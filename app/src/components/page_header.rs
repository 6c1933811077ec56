//! The band at the top of the page that says what the product is.

use leptos::prelude::*;

/// The product name and its purpose in one line.
#[component]
pub fn PageHeader() -> impl IntoView {
    view! {
        <header class="sw-header">
            <h1 class="sw-header__title">"Stackwright"</h1>
            <p class="sw-header__tagline">
                "Design a Plone serving chain (nginx, Varnish, HAProxy, Zope, MariaDB) and get every configuration file it needs."
            </p>
        </header>
    }
}
