//! One file's text with line numbers and the lines the last edit changed.

use leptos::prelude::*;

use crate::line_diff::changed_lines;
use crate::list_keys::with_occurrence;
use crate::state::use_designer;

/// The lines of the file at `path`, numbered (in CSS, so copying text leaves the numbers
/// out), with the lines that differ from the file before the last change highlighted
/// and counted in words. Lines are a keyed list whose keys do not contain line numbers:
/// an edit that inserts lines replaces only those (and the highlighted ones), and the lines
/// below keep their elements, renumbered.
#[component]
pub fn CodeView(
    /// The file's path in the bundle.
    path: String,
) -> impl IntoView {
    let designer = use_designer();
    let lines = Memo::new(move |_| {
        designer.rendered.with(|r| {
            let Some(current) = r.current.as_ref().and_then(|b| b.files.get(&path)) else {
                return Vec::new();
            };
            let changed = match &r.previous {
                Some(previous) => {
                    let before = previous
                        .files
                        .get(&path)
                        .map_or("", |f| f.contents.as_str());
                    changed_lines(before, &current.contents)
                }
                None => vec![false; current.contents.lines().count()],
            };
            with_occurrence(
                current
                    .contents
                    .lines()
                    .zip(changed)
                    .map(|(text, changed)| (text.to_string(), changed)),
                |(text, _)| text.clone(),
            )
        })
    });
    let changed = move || lines.with(|l| l.iter().filter(|(_, (_, c))| *c).count());
    view! {
        <p class="sw-code__summary" aria-live="polite">
            {move || match changed() {
                0 => String::new(),
                1 => "1 line changed by the last edit".to_string(),
                n => format!("{n} lines changed by the last edit"),
            }}
        </p>
        <pre class="sw-code" tabindex="0" aria-label="File contents">
            <code>
                <ForEnumerate
                    each=move || lines.get()
                    key=|line| line.clone()
                    children=|index, (_, (text, changed))| {
                        view! {
                            <span
                                class=if changed { "sw-code__line sw-code__line--changed" } else { "sw-code__line" }
                                data-line=move || (index.get() + 1).to_string()
                            >
                                {text}
                                "\n"
                            </span>
                        }
                    }
                />
            </code>
        </pre>
    }
}
