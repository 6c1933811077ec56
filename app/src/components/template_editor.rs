//! The editor of one template of the design, beside the file it renders.

use leptos::prelude::*;
use stackwright_core::render;

use crate::state::use_designer;

/// The template `name` as the design has it (its own, or the built-in one), in a plain
/// text area with line numbers. Every keystroke re-renders the files; a template that
/// does not render says why and where here, in the problems panel and on the file, while
/// the preview keeps the last files that rendered. "Reset to default" drops the design's
/// own template.
#[component]
pub fn TemplateEditor(
    /// The template's name, e.g. `nginx.conf.j2`.
    name: &'static str,
) -> impl IntoView {
    let designer = use_designer();
    let source = Memo::new(move |_| {
        designer.design.with(|t| {
            t.templates.get(name).cloned().unwrap_or_else(|| {
                render::default_template(name)
                    .unwrap_or_default()
                    .to_string()
            })
        })
    });
    let changed = Memo::new(move |_| designer.design.with(|t| t.templates.contains_key(name)));
    let numbers = Memo::new(move |_| {
        let lines = source.with(|s| s.lines().count().max(1) + usize::from(s.ends_with('\n')));
        (1..=lines)
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    });
    let fault = move || {
        designer
            .rendered
            .with(|r| r.fault.clone())
            .filter(|f| f.template.as_deref() == Some(name))
    };
    let gutter = NodeRef::<leptos::html::Pre>::new();
    let id = format!("sw-template-{name}");
    let label_id = format!("{id}-label");
    let group_label = label_id.clone();
    let area_id = id.clone();
    view! {
        <div class="sw-template" role="group" aria-labelledby=group_label>
            <div class="sw-files__bar">
                <label id=label_id for=area_id class="sw-template__label">
                    "Template " <code>{name}</code>
                    {move || if changed.get() { " (changed)" } else { " (built-in)" }}
                </label>
                <button
                    type="button"
                    class="sw-button sw-button--small"
                    disabled=move || !changed.get()
                    on:click=move |_| designer.reset_template(name)
                >
                    "Reset to default"
                </button>
                <button
                    type="button"
                    class="sw-button sw-button--small"
                    on:click=move |_| designer.editing.set(None)
                >
                    "Close"
                </button>
            </div>
            {move || fault().map(|f| view! {
                <p class="sw-template__error" role="alert">{f.message}</p>
            })}
            <div class="sw-template__body">
                <pre class="sw-template__gutter" aria-hidden="true" node_ref=gutter>{numbers}</pre>
                <textarea
                    id=id
                    class="sw-template__text"
                    spellcheck="false"
                    autocomplete="off"
                    wrap="off"
                    prop:value=move || source.get()
                    on:input=move |event| designer.set_template(name, &event_target_value(&event))
                    on:blur=move |_| designer.seal()
                    on:scroll=move |event| {
                        // The line numbers scroll with the text.
                        let area: web_sys::HtmlTextAreaElement = event_target(&event);
                        if let Some(gutter) = gutter.get() {
                            gutter.set_scroll_top(area.scroll_top());
                        }
                    }
                ></textarea>
            </div>
        </div>
    }
}
