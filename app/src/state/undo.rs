//! The designer's undo history as the page sees it: the [`History`] of designs, and
//! whether undo and redo are possible now, as a signal the buttons follow.

use leptos::prelude::*;
use stackwright_core::Topology;

use crate::history::History;

/// How many steps undo can take back.
const UNDO_LIMIT: usize = 200;

/// The undo and redo steps of the design. It is `Copy`, like the designer that holds it.
#[derive(Clone, Copy)]
pub struct UndoSteps {
    history: StoredValue<History<Topology>>,
    /// (can undo, can redo), kept in step with the history for the buttons.
    possible: RwSignal<(bool, bool)>,
}

impl UndoSteps {
    pub fn new() -> UndoSteps {
        UndoSteps {
            history: StoredValue::new(History::new(UNDO_LIMIT)),
            possible: RwSignal::new((false, false)),
        }
    }

    /// Records the design before a change to the field at `path` (or to no single field,
    /// `None`). Keystrokes into one field make one step, and `design` is copied only when
    /// a step starts.
    pub fn record(&self, design: RwSignal<Topology>, path: Option<&str>) {
        self.history.update_value(|h| {
            if h.starts_step(path) {
                h.push(design.get_untracked(), path);
            }
        });
        self.sync();
    }

    /// Records `before`, the design a whole replacement took the place of, as one step.
    pub fn record_replaced(&self, before: Topology) {
        self.history.update_value(|h| h.push(before, None));
        self.sync();
    }

    /// Ends the step of the field being typed in (it lost focus).
    pub fn seal(&self) {
        self.history.update_value(History::seal);
    }

    /// Takes `design` one step back (or forward, when `back` is false); `false` when
    /// there is no such step.
    pub fn step(&self, design: RwSignal<Topology>, back: bool) -> bool {
        let possible = self
            .history
            .with_value(|h| if back { h.can_undo() } else { h.can_redo() });
        if !possible {
            return false;
        }
        let history = self.history;
        design.update(|t| {
            history.update_value(|h| {
                if back {
                    h.undo(t);
                } else {
                    h.redo(t);
                }
            });
        });
        self.sync();
        true
    }

    pub fn can_undo(&self) -> bool {
        self.possible.get().0
    }

    pub fn can_redo(&self) -> bool {
        self.possible.get().1
    }

    fn sync(&self) {
        let now = self.history.with_value(|h| (h.can_undo(), h.can_redo()));
        if self.possible.get_untracked() != now {
            self.possible.set(now);
        }
    }
}

impl Default for UndoSteps {
    fn default() -> UndoSteps {
        UndoSteps::new()
    }
}
