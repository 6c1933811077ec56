//! The designer's state: one signal holding the design, shared through the small `Copy`
//! [`Designer`] context, with everything derived from it (problems, rendered files, the
//! shape the forms follow) as memos, and the undo history beside it.
//!
//! Every change goes through a method here, so every change is undoable and autosaved.
//! The outside world is touched only by the autosave effect built in [`Designer::load`]
//! and by the event handlers that call into this module.

use std::sync::Arc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use stackwright_core::edit::{self, EditError};
use stackwright_core::render::{self, RenderError, render_validated};
use stackwright_core::{FileTree, Topology, validate};

use crate::browser;
use crate::catalogue::{self, Panel, Structure};
use crate::history::History;
use crate::problems::{Problem, Problems};
use crate::share_link::{self, Opened};
use crate::storage;

/// How many steps undo can take back.
const UNDO_LIMIT: usize = 200;

/// How long the address bar waits for typing to pause before it follows the design.
const ADDRESS_DELAY: std::time::Duration = std::time::Duration::from_millis(300);

/// How long saving waits for typing to pause: serialising a large design on every
/// keystroke costs about a millisecond. Leaving or hiding the page saves at once.
const SAVE_DELAY: std::time::Duration = std::time::Duration::from_millis(200);

/// Runs `act` once whatever `watch` reads has stopped changing for `delay` (and, if
/// `at_once`, right away for the state the page starts with). The returned function runs
/// a pending `act` at once, and does nothing when none is pending.
fn after_pause(
    delay: std::time::Duration,
    at_once: bool,
    watch: impl Fn() + Send + Sync + 'static,
    act: impl Fn() + Copy + Send + Sync + 'static,
) -> impl Fn() + Copy + Send + Sync + 'static {
    // Dropping a gloo `Timeout` cancels it: replacing the pending one restarts the pause.
    let pending = StoredValue::new_local(None::<Timeout>);
    let delay = u32::try_from(delay.as_millis()).unwrap_or(u32::MAX);
    Effect::new(move |previous: Option<()>| {
        watch();
        if previous.is_none() && at_once {
            act();
            return;
        }
        pending.set_value(Some(Timeout::new(delay, move || {
            pending.set_value(None);
            act();
        })));
    });
    move || {
        if pending.try_update_value(Option::take).flatten().is_some() {
            act();
        }
    }
}

/// The files of the design, as the files panel shows them.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// The files of the design, or of its last state without errors.
    pub current: Option<Arc<FileTree>>,
    /// The files before the last change that changed any, to highlight what changed.
    pub previous: Option<Arc<FileTree>>,
    /// Whether the design has errors now, so `current` is from an earlier state.
    pub stale: bool,
    /// The template that failed to render the design now, if one did.
    pub fault: Option<TemplateFault>,
}

/// A template of the design that does not render: named, with its line and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateFault {
    pub template: String,
    pub line: Option<usize>,
    pub message: String,
}

impl TemplateFault {
    /// The fault of a render error, if it is a template's.
    fn of(error: &RenderError) -> Option<TemplateFault> {
        match error {
            RenderError::Template { template, line, .. } => Some(TemplateFault {
                template: template.clone(),
                line: *line,
                message: error.to_string(),
            }),
            RenderError::UnknownTemplate { name } => Some(TemplateFault {
                template: name.clone(),
                line: None,
                message: error.to_string(),
            }),
            RenderError::Invalid(_) => None,
        }
    }
}

/// Two renders are the same when they hold the same bundles: comparing pointers, not
/// every file, since a new bundle is only kept when its files differ.
impl PartialEq for Rendered {
    fn eq(&self, other: &Rendered) -> bool {
        fn same(a: &Option<Arc<FileTree>>, b: &Option<Arc<FileTree>>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
        }
        self.stale == other.stale
            && self.fault == other.fault
            && same(&self.current, &other.current)
            && same(&self.previous, &other.previous)
    }
}

/// Whether a notice reports a failure (an alert) or news (a status message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
}

/// A message at the top of the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub tone: Tone,
    pub text: String,
}

/// The id of the input of the field at `path` in a form (`scope` is "inspector" or "panel").
pub fn field_id(scope: &str, path: &str) -> String {
    format!("sw-{scope}-{path}")
}

/// The id of the inspector's heading, focused when a problem concerns a whole component.
pub const INSPECTOR_HEADING: &str = "sw-inspector-heading";

/// The designer's shared state. It is `Copy`: every component takes it from the context.
#[derive(Clone, Copy)]
pub struct Designer {
    /// The design, exactly as typed.
    pub design: RwSignal<Topology>,
    history: StoredValue<History<Topology>>,
    /// (can undo, can redo), kept in step with the history for the buttons.
    undoable: RwSignal<(bool, bool)>,
    /// The components and hosts that exist, which forms and tabs are built from.
    pub structure: Memo<Structure>,
    pub problems: Memo<Problems>,
    pub rendered: Memo<Rendered>,
    /// The component the inspector shows.
    pub selection: RwSignal<Option<String>>,
    /// The settings panel shown.
    pub panel: RwSignal<Panel>,
    /// The path of the file the files panel shows.
    pub file: RwSignal<String>,
    /// The template open in the template editor, by name.
    pub editing: RwSignal<Option<&'static str>>,
    pub notice: RwSignal<Option<Notice>>,
    /// A link's design waiting for the user to choose between it and the saved one.
    pub pending_link: RwSignal<Option<PendingLink>>,
    /// What the last buildout import did not understand (`file:line: reason`).
    pub import_notes: RwSignal<Vec<String>>,
    /// Notified when another design takes the place of this one ([`Designer::open`]), so
    /// the canvas fits the new design whatever view the old one was zoomed or panned to.
    pub opened: Trigger,
    /// Saves at once what autosave has pending ([`Designer::save_pending`]).
    save_now: StoredValue<Option<Arc<dyn Fn() + Send + Sync>>>,
}

/// A design from outside waiting for the user's answer: a link's that differs from the
/// design saved in this browser, or a link's or file's that carries its own templates.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingLink {
    pub topology: Topology,
    pub without_passwords: bool,
    /// The name of the file it comes from; `None` for a link.
    pub file: Option<String>,
    /// Whether this browser held a saved design of the user's when the link was opened.
    pub over_saved: bool,
}

/// The designer of the page; panics only if a component is used outside [`crate::App`].
pub fn use_designer() -> Designer {
    expect_context::<Designer>()
}

impl Designer {
    /// Restores the saved design (or starts from the exercise's), derives everything from
    /// it and starts autosaving.
    pub fn load() -> Designer {
        let loaded = storage::load();
        let design = RwSignal::new(loaded.design.unwrap_or_else(Topology::exercise));
        let structure = Memo::new(move |_| design.with(Structure::of));
        // Validated once per edit, for the problems and the render alike.
        let validation = Memo::new(move |_| design.with(validate));
        let problems = Memo::new(move |_| {
            structure.with(|s| validation.with(|v| Problems::of(s, v.diagnostics.clone())))
        });
        let rendered = Memo::new(move |previous: Option<&Rendered>| {
            let previous = previous.cloned().unwrap_or_default();
            match design.with(|t| validation.with(|v| render_validated(t, v))) {
                Ok(bundle) => {
                    if previous.current.as_deref() == Some(&bundle) {
                        Rendered {
                            stale: false,
                            fault: None,
                            ..previous
                        }
                    } else {
                        Rendered {
                            previous: previous.current,
                            current: Some(Arc::new(bundle)),
                            stale: false,
                            fault: None,
                        }
                    }
                }
                // The files of the last state that rendered stay, marked out of date.
                Err(error) => Rendered {
                    stale: true,
                    fault: TemplateFault::of(&error),
                    ..previous
                },
            }
        });
        let designer = Designer {
            design,
            history: StoredValue::new(History::new(UNDO_LIMIT)),
            undoable: RwSignal::new((false, false)),
            structure,
            problems,
            rendered,
            selection: RwSignal::new(None),
            panel: RwSignal::new(Panel::Hosts),
            file: RwSignal::new("etc/nginx.conf".to_string()),
            editing: RwSignal::new(None),
            notice: RwSignal::new(loaded.message.map(|text| Notice {
                tone: Tone::Error,
                text,
            })),
            pending_link: RwSignal::new(None),
            import_notes: RwSignal::new(Vec::new()),
            opened: Trigger::new(),
            save_now: StoredValue::new(None),
        };
        designer.open_link(&browser::location_hash());
        if loaded.may_save {
            let save = move || {
                if let Err(reason) = design.with_untracked(storage::save) {
                    designer.tell(
                        Tone::Error,
                        format!("Your changes are not saved in this browser: {reason}."),
                    );
                }
            };
            let flush = after_pause(SAVE_DELAY, true, move || design.track(), save);
            designer.save_now.set_value(Some(Arc::new(flush)));
            // A closed or hidden tab may never run the timer: save what is pending now.
            let _ = window_event_listener(leptos::ev::pagehide, move |_| flush());
            let _ = window_event_listener(leptos::ev::visibilitychange, move |_| {
                if browser::page_hidden() {
                    flush();
                }
            });
        }
        designer.follow_in_address_bar();
        designer
    }

    /// Keeps the address bar's fragment in step with the design, once typing pauses.
    fn follow_in_address_bar(&self) {
        let design = self.design;
        let _ = after_pause(
            ADDRESS_DELAY,
            false,
            move || design.track(),
            move || {
                let fragment = design.with_untracked(share_link::address_fragment);
                if browser::location_hash().strip_prefix('#') != Some(fragment.as_str())
                    && browser::replace_fragment(&fragment)
                {
                    browser::session_set(share_link::WRITTEN_KEY, &fragment);
                }
            },
        );
    }

    /// Saves a pending change to this browser at once (autosave waits for typing to pause).
    pub fn save_pending(&self) {
        if let Some(flush) = self.save_now.get_value() {
            flush();
        }
    }

    /// Opens the design a link's fragment holds, if it is news (differs from the design
    /// on screen). When this browser holds a saved design, the user is first asked which
    /// to keep ([`Designer::resolve_link`]); otherwise it opens at once, as one undo step.
    pub fn open_link(&self, fragment: &str) {
        // What this browser holds decides whether to ask: make it the design on screen.
        self.save_pending();
        let written = browser::session_get(share_link::WRITTEN_KEY);
        let opened = self
            .design
            .with_untracked(|t| share_link::open(fragment, t, written.as_deref()));
        match opened {
            Opened::NoLink | Opened::Same => self.pending_link.set(None),
            Opened::Design {
                topology,
                without_passwords,
            } => {
                let pending = PendingLink {
                    topology: *topology,
                    without_passwords,
                    file: None,
                    over_saved: storage::has_saved(),
                };
                // A design's own templates decide what runs on the servers: always ask.
                if pending.over_saved || !pending.topology.templates.is_empty() {
                    self.pending_link.set(Some(pending));
                } else {
                    self.apply_link(pending, "");
                }
            }
            Opened::Broken(reason) => self.tell(
                Tone::Error,
                format!("The design in this page's link could not be opened: {reason}. You are seeing the design saved in this browser."),
            ),
        }
    }

    /// Answers the question about a link: open its design (the saved one stays in undo
    /// history and under [`storage::BEFORE_LINK_KEY`]) or keep the saved design (the
    /// address bar goes back to it).
    pub fn resolve_link(&self, open: bool) {
        let Some(pending) = self.pending_link.get_untracked() else {
            return;
        };
        self.pending_link.set(None);
        if let Some(name) = pending.file {
            if open {
                self.import(&name, pending.topology);
            } else {
                self.tell(
                    Tone::Info,
                    format!("Kept your design; {name} was not imported."),
                );
            }
            return;
        }
        if open {
            let also = match self.design.with_untracked(storage::keep_before_link) {
                Ok(()) => format!(
                    " Your design is also kept in this browser's local storage under \"{}\".",
                    storage::BEFORE_LINK_KEY
                ),
                Err(_) => String::new(),
            };
            self.apply_link(pending, &also);
        } else {
            let fragment = self.design.with_untracked(share_link::address_fragment);
            if browser::replace_fragment(&fragment) {
                browser::session_set(share_link::WRITTEN_KEY, &fragment);
            }
            self.tell(
                Tone::Info,
                "Kept your design. The link's design was not opened; open the link again to choose it.",
            );
        }
    }

    /// Makes an imported design the design, as one undo step; one that carries its own
    /// templates is first shown to the user to accept.
    pub fn import_design(&self, name: String, design: Topology) {
        if design.templates.is_empty() {
            self.import(&name, design);
        } else {
            self.pending_link.set(Some(PendingLink {
                topology: design,
                without_passwords: false,
                file: Some(name),
                over_saved: false,
            }));
        }
    }

    fn import(&self, name: &str, design: Topology) {
        self.open(design);
        self.import_notes.set(Vec::new());
        self.tell(
            Tone::Info,
            format!("Imported {name}. Undo brings back the design you had."),
        );
    }

    fn apply_link(&self, pending: PendingLink, also: &str) {
        self.open(pending.topology);
        let passwords = if pending.without_passwords {
            " The link carries no passwords: generate or type them before downloading."
        } else {
            ""
        };
        self.tell(
            Tone::Info,
            format!("Opened the design from the link.{passwords} Undo brings back the design you had.{also}"),
        );
    }

    /// Shows a notice at the top of the page.
    pub fn tell(&self, tone: Tone, text: impl Into<String>) {
        self.notice.set(Some(Notice {
            tone,
            text: text.into(),
        }));
    }

    fn sync_undoable(&self) {
        let state = self.history.with_value(|h| (h.can_undo(), h.can_redo()));
        if self.undoable.get_untracked() != state {
            self.undoable.set(state);
        }
    }

    pub fn can_undo(&self) -> bool {
        self.undoable.get().0
    }

    pub fn can_redo(&self) -> bool {
        self.undoable.get().1
    }

    /// Sets the field at `path` to what the user typed. Keystrokes into one field make
    /// one undo step; the design is copied only when a step starts.
    pub fn set_field(&self, path: &str, value: &str) {
        let unchanged = self
            .design
            .with_untracked(|t| edit::get(t, path).is_none_or(|old| old == value));
        if unchanged {
            return;
        }
        let design = self.design;
        self.history.update_value(|h| {
            if h.starts_step(Some(path)) {
                h.push(design.get_untracked(), Some(path));
            }
        });
        design.update(|t| {
            // Only closed choices can refuse, and the forms offer only valid ones.
            let _ = edit::set(t, path, value);
        });
        self.sync_undoable();
    }

    /// Makes `source` the design's template `name`. Keystrokes into one template make one
    /// undo step, like typing into a field.
    pub fn set_template(&self, name: &str, source: &str) {
        let unchanged = self.design.with_untracked(|t| {
            t.templates
                .get(name)
                .map(String::as_str)
                .or(render::default_template(name))
                == Some(source)
        });
        if unchanged {
            return;
        }
        let step = format!("templates.{name}");
        let design = self.design;
        self.history.update_value(|h| {
            if h.starts_step(Some(&step)) {
                h.push(design.get_untracked(), Some(&step));
            }
        });
        design.update(|t| {
            // Only a name that is not a template can refuse; the editor opens real ones.
            let _ = render::set_template(t, name, source.to_string());
        });
        self.sync_undoable();
    }

    /// Drops the design's own template `name`, as one undo step.
    pub fn reset_template(&self, name: &str) {
        if self
            .design
            .with_untracked(|t| t.templates.contains_key(name))
        {
            let mut next = self.design.get_untracked();
            next.templates.remove(name);
            self.replace(next);
        }
    }

    /// Ends the undo step of the field being typed in (it lost focus).
    pub fn seal(&self) {
        self.history.update_value(History::seal);
    }

    /// Opens another design in place of this one as one undo step (import, preset, reset,
    /// link), fitted to the canvas anew.
    pub fn open(&self, next: Topology) {
        self.replace(next);
        self.opened.notify();
    }

    /// Replaces the whole design as one undo step.
    fn replace(&self, next: Topology) {
        let mut before = next;
        self.design.update(|t| std::mem::swap(t, &mut before));
        self.history.update_value(|h| h.push(before, None));
        self.forget_missing_selection();
        self.sync_undoable();
    }

    /// Applies a structural change (add or remove an instance) as one undo step, or
    /// leaves the design alone if the change is refused.
    pub fn change<R>(
        &self,
        change: impl FnOnce(&mut Topology) -> Result<R, EditError>,
    ) -> Result<R, EditError> {
        let mut next = self.design.get_untracked();
        let result = change(&mut next)?;
        self.replace(next);
        Ok(result)
    }

    pub fn undo(&self) {
        self.step(true);
    }

    pub fn redo(&self) {
        self.step(false);
    }

    fn step(&self, back: bool) {
        let possible = self
            .history
            .with_value(|h| if back { h.can_undo() } else { h.can_redo() });
        if !possible {
            return;
        }
        let history = self.history;
        self.design.update(|t| {
            history.update_value(|h| {
                if back {
                    h.undo(t);
                } else {
                    h.redo(t);
                }
            });
        });
        self.forget_missing_selection();
        self.sync_undoable();
    }

    fn forget_missing_selection(&self) {
        let missing = self.selection.with_untracked(|s| {
            s.as_ref()
                .is_some_and(|id| self.design.with_untracked(|t| t.component(id).is_none()))
        });
        if missing {
            self.selection.set(None);
        }
    }

    /// Shows where a problem is: selects its component or opens its settings panel, then
    /// focuses the field (or the inspector's heading when it is about a whole component).
    pub fn go_to(&self, problem: &Problem) {
        let path = problem.path.clone();
        let structure = self.structure.get_untracked();
        if path.starts_with("components.") || path.starts_with("connections.") {
            if let Some(id) = &problem.component {
                self.selection.set(Some(id.clone()));
            }
            request_animation_frame(move || {
                if !browser::focus(&field_id("inspector", &path)) {
                    browser::focus(INSPECTOR_HEADING);
                }
            });
            return;
        }
        // A host's id has no field; design-wide problems (no instance, no supervisor)
        // belong with the instances.
        let panel =
            catalogue::panel_of(&path, &structure).unwrap_or(if path.starts_with("hosts.") {
                Panel::Hosts
            } else {
                Panel::InstanceTemplate
            });
        self.panel.set(panel);
        request_animation_frame(move || {
            if !browser::focus(&field_id("panel", &path)) {
                browser::focus(&format!("sw-tab-{}", panel.id()));
            }
        });
    }
}
