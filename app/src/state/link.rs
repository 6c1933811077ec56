//! Designs from outside (a link, an imported file) and the question they may raise: open
//! it in place of the design on screen, or keep that one.
//!
//! Which links are news is decided by [`share_link::open`]; this room decides whether to
//! ask, remembers the design waiting for the answer ([`PendingLink`]) and acts on it.

use leptos::prelude::*;
use stackwright_core::Topology;

use super::{Designer, Tone, autosave};
use crate::share_link::{self, Opened};
use crate::{browser, storage};

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

impl PendingLink {
    /// Whether the user must be asked before it opens: it would replace a design saved
    /// in this browser, or it brings its own templates, which decide what runs on the
    /// servers.
    fn needs_answer(&self) -> bool {
        self.over_saved || !self.topology.templates.is_empty()
    }
}

impl Designer {
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
                if pending.needs_answer() {
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
                Err(reason) => format!(
                    " Your design could not also be kept in this browser's local storage: {reason}."
                ),
            };
            self.apply_link(pending, &also);
        } else {
            let fragment = self.design.with_untracked(share_link::address_fragment);
            autosave::show_in_address_bar(&fragment);
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
}
