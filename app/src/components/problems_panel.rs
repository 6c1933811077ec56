//! Every problem of the design.

use leptos::prelude::*;

use super::field::severity_word;
use crate::list_keys::with_occurrence;
use crate::state::use_designer;

/// The diagnostics, errors first, each with its message, hint and place. Clicking one
/// selects its component (or opens its settings panel) and focuses the field.
#[component]
pub fn ProblemsPanel() -> impl IntoView {
    let designer = use_designer();
    let summary = move || designer.problems.with(|p| p.total.summary());
    // Keyed by what a problem says and where, and how many equal ones came before it, so
    // a problem that appears or goes does not rebuild the rows after it.
    let rows = move || {
        designer.problems.with(|p| {
            with_occurrence(p.list.iter().cloned(), |problem| {
                (problem.code, problem.path.clone(), problem.message.clone())
            })
        })
    };
    view! {
        <section class="sw-panel sw-layout__problems" aria-labelledby="sw-problems-heading">
            <h2 id="sw-problems-heading" class="sw-panel__title" tabindex="-1">
                "Problems "
                <span class="sw-panel__meta">"("{summary}")"</span>
            </h2>
            <Show when=move || designer.problems.with(|p| p.list.is_empty())>
                <p class="sw-panel__hint">"No problems: the design is ready to download."</p>
            </Show>
            <ul class="sw-problems">
                <For
                    each=rows
                    key=|(n, p)| (*n, p.code, p.path.clone(), p.message.clone())
                    children=move |(_, problem)| {
                        let tone = problem.severity.id();
                        let go = problem.clone();
                        view! {
                            <li class="sw-problems__item">
                                <button
                                    type="button"
                                    class=format!("sw-problem sw-problem--{tone}")
                                    on:click=move |_| designer.go_to(&go)
                                >
                                    <span class=format!("sw-badge sw-badge--{tone}")>
                                        {severity_word(problem.severity)}
                                    </span>
                                    <span class="sw-problem__text">
                                        <span class="sw-problem__message">{problem.message.clone()}</span>
                                        <span class="sw-problem__hint">{problem.hint.clone()}</span>
                                        <span class="sw-problem__where">
                                            {problem.location.clone()}" · "<code>{problem.code}</code>
                                        </span>
                                    </span>
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
        </section>
    }
}
