//! One form field: label, input, help and inline problems.

use leptos::prelude::*;
use stackwright_core::Severity;
use stackwright_core::edit;

use crate::browser;
use crate::catalogue::{FieldSpec, Input};
use crate::state::{Tone, field_id, use_designer};

/// The length of generated passwords: 24 letters and digits, about 143 bits.
const PASSWORD_LENGTH: usize = 24;

/// A labelled input bound to one field of the design.
///
/// It takes effect as you type: each keystroke sets the field (one undo step per field,
/// closed when the input loses focus). The input is never rebuilt while typing, and its
/// value is only written back when the design holds something else, so focus and caret
/// stay put. Problems about the field show under it; an error sets `aria-invalid` and
/// both help and problems describe the input.
#[component]
pub fn Field(
    /// The field to edit.
    spec: FieldSpec,
    /// The form it is in ("inspector" or "panel"), to keep element ids unique.
    scope: &'static str,
) -> impl IntoView {
    let designer = use_designer();
    let FieldSpec {
        path,
        label,
        input,
        help,
    } = spec;
    let id = field_id(scope, &path);
    let help_id = format!("{id}-help");
    let messages_id = format!("{id}-messages");
    let value = {
        let path = path.clone();
        Memo::new(move |_| {
            designer
                .design
                .with(|t| edit::get(t, &path).unwrap_or_default())
        })
    };
    let problems = {
        let path = path.clone();
        Memo::new(move |_| designer.problems.with(|p| p.on_field(&path)))
    };
    let worst = move || problems.with(|p| p.iter().map(|p| p.severity).min());
    let invalid = move || {
        if worst() == Some(Severity::Error) {
            "true"
        } else {
            "false"
        }
    };
    let described_by = {
        let (help_id, messages_id) = (help_id.clone(), messages_id.clone());
        move || {
            let mut ids = Vec::new();
            if problems.with(|p| !p.is_empty()) {
                ids.push(messages_id.clone());
            }
            if !help.is_empty() {
                ids.push(help_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let set = {
        let path = path.clone();
        move |text: String| designer.set_field(&path, &text)
    };
    let seal = move |_| designer.seal();
    // The instance template's value, for an instance setting that may follow it.
    let inherited = match input {
        Input::Inherit(template) | Input::InheritToggle(template) => Some(Memo::new(move |_| {
            designer
                .design
                .with(|t| edit::get(t, template).unwrap_or_default())
        })),
        _ => None,
    };

    let control = match input {
        Input::Text | Input::Port | Input::Number(_) | Input::Inherit(_) => {
            let placeholder = move || inherited.map(|v| format!("{} (instance template)", v.get()));
            view! {
                <input
                    id=id.clone()
                    class="sw-field__input"
                    type="text"
                    inputmode=if matches!(input, Input::Text) { "text" } else { "numeric" }
                    autocomplete="off"
                    spellcheck="false"
                    placeholder=placeholder
                    prop:value=move || value.get()
                    aria-invalid=invalid
                    aria-describedby=described_by.clone()
                    on:input:target=move |ev| set(ev.target().value())
                    on:blur=seal
                />
            }
            .into_any()
        }
        Input::Password => {
            let shown = RwSignal::new(false);
            let generate = {
                let set = set.clone();
                move |_| match browser::random_bytes(4 * PASSWORD_LENGTH)
                    .and_then(|bytes| edit::password_from_random(&bytes, PASSWORD_LENGTH))
                {
                    Some(password) => {
                        designer.seal();
                        set(password);
                        designer.seal();
                    }
                    None => designer.tell(
                        Tone::Error,
                        "The browser gave no random numbers; type a password instead.",
                    ),
                }
            };
            view! {
                <div class="sw-field__row">
                    <input
                        id=id.clone()
                        class="sw-field__input"
                        type=move || if shown.get() { "text" } else { "password" }
                        autocomplete="new-password"
                        spellcheck="false"
                        prop:value=move || value.get()
                        aria-invalid=invalid
                        aria-describedby=described_by.clone()
                        on:input:target=move |ev| set(ev.target().value())
                        on:blur=seal
                    />
                    <button
                        type="button"
                        class="sw-button sw-button--small"
                        aria-pressed=move || if shown.get() { "true" } else { "false" }
                        aria-controls=id.clone()
                        aria-label=format!("Show {label}")
                        on:click=move |_| shown.update(|s| *s = !*s)
                    >
                        "Show"
                    </button>
                    <button
                        type="button"
                        class="sw-button sw-button--small"
                        aria-label=format!("Generate {label}")
                        title="Fill with a strong random password"
                        on:click=generate
                    >
                        "Generate"
                    </button>
                </div>
            }
            .into_any()
        }
        Input::Lines => view! {
            <textarea
                id=id.clone()
                class="sw-field__input sw-field__input--lines"
                rows="3"
                spellcheck="false"
                prop:value=move || value.get()
                aria-invalid=invalid
                aria-describedby=described_by.clone()
                on:input:target=move |ev| set(ev.target().value())
                on:blur=seal
            ></textarea>
        }
        .into_any(),
        Input::Toggle => view! {
            <input
                id=id.clone()
                class="sw-field__check"
                type="checkbox"
                prop:checked=move || value.get() == "true"
                aria-invalid=invalid
                aria-describedby=described_by.clone()
                on:change:target=move |ev| {
                    designer.seal();
                    set(ev.target().checked().to_string());
                    designer.seal();
                }
            />
        }
        .into_any(),
        Input::Choice(_) | Input::InheritToggle(_) | Input::Host => {
            let options = move || -> Vec<(String, String)> {
                match input {
                    Input::Choice(options) => options
                        .iter()
                        .map(|(v, l)| (v.to_string(), l.to_string()))
                        .collect(),
                    Input::InheritToggle(_) => {
                        let on = inherited.is_some_and(|v| v.get() == "true");
                        vec![
                            (
                                String::new(),
                                format!("As the template ({})", if on { "on" } else { "off" }),
                            ),
                            ("true".into(), "On".into()),
                            ("false".into(), "Off".into()),
                        ]
                    }
                    _ => {
                        let current = value.get();
                        let mut hosts: Vec<(String, String)> = designer
                            .structure
                            .with(|s| s.hosts.iter().map(|h| (h.clone(), h.clone())).collect());
                        if !hosts.iter().any(|(h, _)| *h == current) {
                            hosts.push((current.clone(), format!("{current} (not a host)")));
                        }
                        hosts
                    }
                }
            };
            view! {
                <select
                    id=id.clone()
                    class="sw-field__input sw-select"
                    prop:value=move || value.get()
                    aria-invalid=invalid
                    aria-describedby=described_by.clone()
                    on:change:target=move |ev| {
                        designer.seal();
                        set(ev.target().value());
                        designer.seal();
                    }
                >
                    {move || {
                        options()
                            .into_iter()
                            .map(|(v, l)| {
                                let selected = v == value.get_untracked();
                                view! { <option value=v selected=selected>{l}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            }
            .into_any()
        }
    };

    let toggle = matches!(input, Input::Toggle);
    view! {
        <div class=move || {
            format!(
                "sw-field{}{}",
                if toggle { " sw-field--toggle" } else { "" },
                match worst() {
                    Some(Severity::Error) => " sw-field--error",
                    Some(Severity::Warning) => " sw-field--warning",
                    _ => "",
                },
            )
        }>
            <label class="sw-field__label" for=id>{label}</label>
            {control}
            {(!help.is_empty()).then(|| view! { <p id=help_id class="sw-field__help">{help}</p> })}
            <div id=messages_id class="sw-field__messages">
                // A field has a message or two: redrawn whole, without a keyed list.
                {move || {
                    problems
                        .get()
                        .into_iter()
                        .map(|p| {
                            view! {
                                <p class=format!("sw-field__message sw-field__message--{}", p.severity.id())>
                                    <span class="sw-field__severity">{severity_word(p.severity)}": "</span>
                                    {p.message}"; "{p.hint}"."
                                </p>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </div>
    }
}

/// The severity in words, so the message does not depend on its colour.
pub fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
        Severity::Info => "Note",
    }
}
