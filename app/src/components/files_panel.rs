//! Every generated file, live.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::code_view::CodeView;
use super::template_editor::TemplateEditor;
use crate::browser;
use crate::state::use_designer;

/// One tab per file of the bundle (a vertical list, since a large design has hundreds),
/// the chosen file with line numbers and a copy button. While the design has errors the
/// files of its last valid state stay on screen, marked as such.
#[component]
pub fn FilesPanel() -> impl IntoView {
    let designer = use_designer();
    let paths = Memo::new(move |_| {
        designer.rendered.with(|r| {
            r.current
                .as_ref()
                .map(|b| b.files.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    // The chosen file, or nginx.conf (or the first file) when the design lacks it.
    let shown = Memo::new(move |_| {
        let wanted = designer.file.get();
        paths.with(|paths| {
            if paths.contains(&wanted) {
                return Some(wanted);
            }
            paths
                .iter()
                .find(|p| p.ends_with("nginx.conf"))
                .or(paths.first())
                .cloned()
        })
    });
    let stale = move || designer.rendered.with(|r| r.stale);
    // The template the file shown is rendered from, and whether the design has its own.
    let template_of = move |path: &str| {
        designer.rendered.with(|r| {
            r.current
                .as_ref()
                .and_then(|b| b.files.get(path))
                .and_then(|f| f.template)
        })
    };
    let own_template = move |path: &str| {
        template_of(path).is_some_and(|t| designer.design.with(|d| d.templates.contains_key(t)))
    };
    let shown_template = Memo::new(move |_| shown.get().and_then(|p| template_of(&p)));
    let stale_text = move || {
        designer.rendered.with(|r| match &r.fault {
            Some(fault) if fault.template.is_some() => format!(
                "{}. These are the files of the last state that rendered: they are out of date until the template is fixed.",
                fault.message
            ),
            Some(fault) => format!(
                "{}. These are the files of the last state that rendered: they are out of date.",
                fault.message
            ),
            None => "The design has errors: these are the files of its last valid state. Fix the errors to see your changes here.".to_string(),
        })
    };
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let Some(path) = shown.get_untracked() else {
            return;
        };
        let text = designer.rendered.with_untracked(|r| {
            r.current
                .as_ref()
                .and_then(|b| b.files.get(&path))
                .map(|f| f.contents.clone())
        });
        let Some(text) = text else { return };
        spawn_local(async move {
            match browser::copy_text(&text).await {
                Ok(()) => {
                    copied.set(true);
                    set_timeout(move || copied.set(false), std::time::Duration::from_secs(2));
                }
                Err(reason) => designer.tell(
                    crate::state::Tone::Error,
                    format!("Could not copy: {reason}."),
                ),
            }
        });
    };
    let tab_id = |path: &str| format!("sw-file-tab-{path}");
    view! {
        <section class="sw-panel sw-layout__files" aria-labelledby="sw-files-heading">
            <div class="sw-panel__bar">
                <h2 id="sw-files-heading" class="sw-panel__title">"Files"</h2>
                <p class="sw-panel__meta">{move || paths.with(|p| format!("{} files, rendered as you type", p.len()))}</p>
            </div>
            <Show when=stale>
                <p class="sw-files__stale" role="note">{stale_text}</p>
            </Show>
            <div class="sw-files">
                <div class="sw-files__tabs" role="tablist" aria-orientation="vertical" aria-label="Files">
                    <For
                        each=move || paths.get()
                        key=|path| path.clone()
                        children=move |path| {
                            let active = {
                                let path = path.clone();
                                Memo::new(move |_| shown.with(|s| s.as_deref() == Some(path.as_str())))
                            };
                            let choose = path.clone();
                            let id = tab_id(&path);
                            view! {
                                <button
                                    type="button"
                                    role="tab"
                                    id=id
                                    class=move || if active.get() { "sw-files__tab sw-files__tab--active" } else { "sw-files__tab" }
                                    aria-selected=move || if active.get() { "true" } else { "false" }
                                    aria-controls="sw-file-view"
                                    on:click=move |_| designer.file.set(choose.clone())
                                >
                                    {path.clone()}
                                    {move || own_template(&path).then(|| view! {
                                        <span class="sw-files__mark">" · your template"</span>
                                    })}
                                </button>
                            }
                        }
                    />
                </div>
                <div
                    id="sw-file-view"
                    class="sw-files__view"
                    role="tabpanel"
                    aria-labelledby=move || shown.get().map(|p| tab_id(&p))
                >
                    <div class="sw-files__bar">
                        <code class="sw-files__path">{move || shown.get().unwrap_or_default()}</code>
                        {move || shown_template.get().map(|name| view! {
                            <button
                                type="button"
                                class="sw-button sw-button--small"
                                aria-pressed=move || if designer.editing.get() == Some(name) { "true" } else { "false" }
                                on:click=move |_| designer.editing.update(|e| {
                                    *e = if *e == Some(name) { None } else { Some(name) }
                                })
                            >
                                "Edit template"
                            </button>
                        })}
                        <button type="button" class="sw-button sw-button--small" on:click=copy>
                            {move || if copied.get() { "Copied" } else { "Copy" }}
                        </button>
                    </div>
                    {move || shown.get().filter(|p| own_template(p)).map(|_| view! {
                        <p class="sw-files__from">
                            "From your own template "<code>{shown_template.get()}</code>
                            ", not the built-in one."
                        </p>
                    })}
                    <div class="sw-files__split">
                        {move || designer.editing.get().map(|name| view! { <TemplateEditor name /> })}
                        <div class="sw-files__preview">
                            {move || shown.get().map(|path| view! { <CodeView path /> })}
                        </div>
                    </div>
                </div>
            </div>
        </section>
    }
}
