//! Every problem of the design.

use leptos::prelude::*;

use super::field::severity_word;
use stackwright_core::render;

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
    // Why the design does not render, when it is not its errors: shown first. A template
    // at fault opens its editor.
    let fault = move || designer.rendered.with(|r| r.fault.clone());
    let open_template = move || {
        let Some(template) = fault().and_then(|f| f.template) else {
            return;
        };
        let Some(name) = render::template_names()
            .into_iter()
            .find(|n| *n == template)
        else {
            return;
        };
        let file = designer.rendered.with_untracked(|r| {
            r.current.as_ref().and_then(|b| {
                b.files
                    .iter()
                    .find(|(_, f)| f.template == Some(name))
                    .map(|(p, _)| p.clone())
            })
        });
        if let Some(file) = file {
            designer.file.set(file);
        }
        designer.editing.set(Some(name));
        request_animation_frame(move || {
            crate::browser::focus(&format!("sw-template-{name}"));
        });
    };
    view! {
        <section class="sw-panel sw-layout__problems" aria-labelledby="sw-problems-heading">
            <h2 id="sw-problems-heading" class="sw-panel__title" tabindex="-1">
                "Problems "
                <span class="sw-panel__meta">"("{summary}")"</span>
            </h2>
            <Show when=move || designer.problems.with(|p| p.list.is_empty()) && fault().is_none()>
                <p class="sw-panel__hint">"No problems: the design is ready to download."</p>
            </Show>
            <ul class="sw-problems">
                {move || fault().map(|fault| view! {
                    <li class="sw-problems__item">
                        <button type="button" class="sw-problem sw-problem--error" on:click=move |_| open_template()>
                            <span class="sw-badge sw-badge--error">"error"</span>
                            <span class="sw-problem__text">
                                <span class="sw-problem__message">{fault.message}</span>
                                {match fault.template {
                                    Some(template) => view! {
                                        <span class="sw-problem__hint">"Fix the template, or reset it to the built-in one. The files shown are from before it broke."</span>
                                        <span class="sw-problem__where">"Template "<code>{template}</code></span>
                                    }.into_any(),
                                    None => view! {
                                        <span class="sw-problem__hint">"The files shown are from the last state that rendered."</span>
                                    }.into_any(),
                                }}
                            </span>
                        </button>
                    </li>
                })}
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
                                            {problem.location.clone()}" · "<code>{problem.code.code()}</code>
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
