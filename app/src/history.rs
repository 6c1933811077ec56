//! Undo and redo over whole designs, with the keystrokes typed into one field merged into
//! one step.
//!
//! Each step keeps the design as it was before the change. A change names the field it
//! edits (its path); while changes keep naming the same field, they belong to the step the
//! first of them opened, so undo takes back the whole word typed, not one letter. Any other
//! change, an undo, a redo or [`History::seal`] (the field lost focus) closes the step.
//! The history holds no clock: merging is by field, which is what users expect of forms.

use std::mem;

/// The undo and redo stacks of a value `T` (the design).
#[derive(Clone, Debug)]
pub struct History<T> {
    undo: Vec<T>,
    redo: Vec<T>,
    /// The field whose step is still open to more keystrokes.
    open: Option<String>,
    limit: usize,
}

impl<T> History<T> {
    /// An empty history that keeps at most `limit` steps (the oldest go first).
    pub fn new(limit: usize) -> History<T> {
        History {
            undo: Vec::new(),
            redo: Vec::new(),
            open: None,
            limit: limit.max(1),
        }
    }

    /// Whether a change to `field` (or to no single field) starts a new step, so the caller
    /// must pass the design as it is now to [`History::push`]. A keystroke into the field
    /// whose step is open does not: it merges, and the design need not be copied.
    pub fn starts_step(&self, field: Option<&str>) -> bool {
        match (field, &self.open) {
            (Some(field), Some(open)) => field != open,
            _ => true,
        }
    }

    /// Records `before`, the design before a change, as a new step. A change to a `field`
    /// leaves the step open for that field's next keystrokes. Redo is no longer possible.
    pub fn push(&mut self, before: T, field: Option<&str>) {
        self.undo.push(before);
        if self.undo.len() > self.limit {
            self.undo.remove(0);
        }
        self.redo.clear();
        self.open = field.map(str::to_string);
    }

    /// Closes the open step: the next keystroke, even in the same field, starts a new one.
    pub fn seal(&mut self) {
        self.open = None;
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Puts the design before the last step into `current`, keeping `current` for redo.
    /// Returns false, changing nothing, when there is nothing to undo.
    pub fn undo(&mut self, current: &mut T) -> bool {
        let Some(before) = self.undo.pop() else {
            return false;
        };
        self.redo.push(mem::replace(current, before));
        self.open = None;
        true
    }

    /// Puts back the design the last undo took away, keeping `current` for undo.
    pub fn redo(&mut self, current: &mut T) -> bool {
        let Some(after) = self.redo.pop() else {
            return false;
        };
        self.undo.push(mem::replace(current, after));
        self.open = None;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies `changes` (field, new value) to a string design the way the app does, then
    /// undoes everything and returns each state seen while undoing.
    fn type_then_undo(changes: &[(Option<&str>, &str)]) -> Vec<String> {
        let mut history = History::new(100);
        let mut design = String::from("start");
        for (field, value) in changes {
            if history.starts_step(*field) {
                history.push(design.clone(), *field);
            }
            design = value.to_string();
        }
        let mut seen = vec![design.clone()];
        while history.undo(&mut design) {
            seen.push(design.clone());
        }
        seen
    }

    #[test]
    fn typing_in_one_field_is_one_step() {
        let seen = type_then_undo(&[
            (Some("port"), "8"),
            (Some("port"), "81"),
            (Some("port"), "810"),
            (Some("port"), "8100"),
        ]);
        assert_eq!(seen, ["8100", "start"]);
    }

    #[test]
    fn another_field_or_a_structural_change_starts_a_step() {
        let seen = type_then_undo(&[
            (Some("port"), "p1"),
            (Some("port"), "p12"),
            (Some("name"), "n"),
            (Some("name"), "na"),
            (None, "added"),
            (None, "added twice"),
            (Some("port"), "p3"),
        ]);
        assert_eq!(seen, ["p3", "added twice", "added", "na", "p12", "start"]);
    }

    #[test]
    fn seal_splits_typing_in_the_same_field() {
        let mut history = History::new(10);
        let mut design = 0;
        for (value, seal) in [(1, false), (2, true), (3, false), (4, false)] {
            if history.starts_step(Some("f")) {
                history.push(design, Some("f"));
            }
            design = value;
            if seal {
                history.seal();
            }
        }
        assert!(history.undo(&mut design));
        assert_eq!(design, 2);
        assert!(history.undo(&mut design));
        assert_eq!(design, 0);
        assert!(!history.undo(&mut design));
        assert_eq!(design, 0, "nothing left to undo changes nothing");
    }

    #[test]
    fn redo_replays_undone_steps_until_a_new_change() {
        let mut history = History::new(10);
        let mut design = "a";
        for next in ["b", "c"] {
            history.push(design, None);
            design = next;
        }
        assert!(history.undo(&mut design) && history.undo(&mut design));
        assert_eq!(design, "a");
        assert!(history.redo(&mut design));
        assert_eq!(design, "b");
        assert!(history.can_redo());
        history.push(design, Some("x"));
        design = "typed";
        assert!(!history.can_redo(), "a new change drops the redo steps");
        assert!(!history.redo(&mut design));
        assert_eq!(design, "typed");
    }

    #[test]
    fn typing_after_an_undo_starts_a_new_step() {
        let mut history = History::new(10);
        let mut design = 0;
        history.push(design, Some("f"));
        design = 1;
        assert!(history.undo(&mut design));
        assert!(history.starts_step(Some("f")), "undo closes the open step");
    }

    #[test]
    fn the_oldest_steps_go_past_the_limit() {
        let mut history = History::new(3);
        let mut design = 0;
        for next in 1..=5 {
            history.push(design, None);
            design = next;
        }
        let mut undone = 0;
        while history.undo(&mut design) {
            undone += 1;
        }
        assert_eq!((undone, design), (3, 2));
    }
}
