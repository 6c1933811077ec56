//! The designer's state: one signal holding the design, shared through the small `Copy`
//! [`Designer`] context, with everything derived from it (problems, rendered files, the
//! shape the forms follow) as memos.
//!
//! Every change goes through a method here, so every change is undoable and autosaved.
//! Each concern beside the design has a room of its own, which the designer composes:
//!
//! - [`undo`]: the undo history and whether undo and redo are possible;
//! - [`rendered`]: the files of the design, and why it does not render when it does not;
//! - [`link`]: designs from a link or a file, and the question whether to open them;
//! - [`navigation`]: going to the field a problem is about;
//! - [`autosave`]: saving in this browser and following in the address bar, the only
//!   places besides event handlers where the outside world is touched.

mod autosave;
mod link;
mod navigation;
mod rendered;
mod undo;

use leptos::prelude::*;
use stackwright_core::edit::{self, EditError};
use stackwright_core::render;
use stackwright_core::{Topology, validate};

use crate::catalogue::{Panel, Structure};
use crate::problems::Problems;
use crate::storage;

pub use link::PendingLink;
pub use navigation::{INSPECTOR_HEADING, field_id};
pub use rendered::{RenderFault, Rendered};
use undo::UndoSteps;

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

/// The designer's shared state. It is `Copy`: every component takes it from the context.
#[derive(Clone, Copy)]
pub struct Designer {
    /// The design, exactly as typed.
    pub design: RwSignal<Topology>,
    undo: UndoSteps,
    autosave: autosave::Autosave,
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
}

/// The designer of the page; panics only if a component is used outside [`crate::App`].
pub fn use_designer() -> Designer {
    expect_context::<Designer>()
}

impl Designer {
    /// Restores the saved design (or starts a new one: the exercise's chain with its own
    /// users and random passwords), derives everything from it and starts autosaving.
    pub fn load() -> Designer {
        let loaded = storage::load();
        let design = RwSignal::new(loaded.design.unwrap_or_else(crate::browser::new_design));
        let structure = Memo::new(move |_| design.with(Structure::of));
        // Validated once per edit, for the problems and the render alike.
        let validation = Memo::new(move |_| design.with(validate));
        let problems = Memo::new(move |_| {
            structure.with(|s| validation.with(|v| Problems::of(s, v.diagnostics.clone())))
        });
        // The share link, encoded once per change: for the bundle and the address bar.
        let link = Memo::new(move |_| design.with(crate::share_link::address_fragment));
        let rendered = Memo::new(move |previous: Option<&Rendered>| {
            let outcome = design
                .with(|t| validation.with(|v| link.with(|l| rendered::render_design(t, v, l))));
            previous.cloned().unwrap_or_default().after(outcome)
        });
        let designer = Designer {
            design,
            undo: UndoSteps::new(),
            autosave: autosave::Autosave::new(),
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
        };
        designer.open_link(&crate::browser::location_hash());
        if loaded.may_save {
            designer.autosave.start(design, move |reason| {
                designer.tell(
                    Tone::Error,
                    format!("Your changes are not saved in this browser: {reason}."),
                );
            });
        }
        autosave::follow_in_address_bar(design, link);
        designer
    }

    /// Saves a pending change to this browser at once (autosave waits for typing to pause).
    pub fn save_pending(&self) {
        self.autosave.save_pending();
    }

    /// Shows a notice at the top of the page.
    pub fn tell(&self, tone: Tone, text: impl Into<String>) {
        self.notice.set(Some(Notice {
            tone,
            text: text.into(),
        }));
    }

    pub fn can_undo(&self) -> bool {
        self.undo.can_undo()
    }

    pub fn can_redo(&self) -> bool {
        self.undo.can_redo()
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
        self.undo.record(self.design, Some(path));
        self.design.update(|t| {
            // Only closed choices can refuse, and the forms offer only valid ones.
            let _ = edit::set(t, path, value);
        });
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
        // A text longer than a saved design may carry is refused, and says so; it stays in
        // the editor, so nothing typed is lost.
        if let Err(error) = render::check_template_length(name, source) {
            self.tell(Tone::Error, format!("Not applied: {error}."));
            return;
        }
        self.undo
            .record(self.design, Some(&format!("templates.{name}")));
        self.design.update(|t| {
            // Only a name that is not a template can refuse; the editor opens real ones.
            let _ = render::set_template(t, name, source.to_string());
        });
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
        self.undo.seal();
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
        self.undo.record_replaced(before);
        self.forget_missing_selection();
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
        if self.undo.step(self.design, back) {
            self.forget_missing_selection();
        }
    }
}
