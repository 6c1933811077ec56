//! The report of a buildout import: what the importer did not understand, line by line.

use leptos::prelude::*;

use crate::state::use_designer;

/// A region listing the last import's notes (`file:line: reason`), until dismissed.
#[component]
pub fn ImportNotes() -> impl IntoView {
    let designer = use_designer();
    let shown = move || designer.import_notes.with(|notes| !notes.is_empty());
    view! {
        <Show when=shown>
            <section class="sw-notice sw-notice--info sw-import-notes" aria-labelledby="sw-import-notes-title">
                <h2 id="sw-import-notes-title" class="sw-notice__text">"Import report: not understood"</h2>
                <ul class="sw-import-notes__list">
                    {move || {
                        designer
                            .import_notes
                            .get()
                            .into_iter()
                            .map(|note| view! { <li><pre class="sw-import-notes__note">{note}</pre></li> })
                            .collect_view()
                    }}
                </ul>
                <button
                    type="button"
                    class="sw-button sw-button--small"
                    on:click=move |_| designer.import_notes.set(Vec::new())
                >
                    "Dismiss the import report"
                </button>
            </section>
        </Show>
    }
}
