//! One file's text with line numbers and the lines the last edit changed.

use leptos::prelude::*;

use crate::line_diff::changed_lines;
use crate::state::use_designer;

/// The lines of the file at `path`, numbered (in CSS, so copying text leaves the numbers
/// out), with the lines that differ from the file before the last change highlighted
/// and counted in words. Lines are a keyed list: an edit replaces only the lines it changed.
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
            current
                .contents
                .lines()
                .zip(changed)
                .enumerate()
                .map(|(i, (text, changed))| (i + 1, changed, text.to_string()))
                .collect::<Vec<_>>()
        })
    });
    let changed = move || lines.with(|l| l.iter().filter(|(_, c, _)| *c).count());
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
                <For
                    each=move || lines.get()
                    key=|line| line.clone()
                    children=|(number, changed, text)| {
                        view! {
                            <span
                                class=if changed { "sw-code__line sw-code__line--changed" } else { "sw-code__line" }
                                data-line=number
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
