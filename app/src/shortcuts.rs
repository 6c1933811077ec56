//! The designer's keyboard shortcuts, as a pure function of the key pressed so they can be
//! tested without a browser. The listener in `components/app.rs` calls it only when the
//! key is not typed into a text field, whose own undo the browser handles.

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    Undo,
    Redo,
}

/// The shortcut of a key press: Ctrl+Z (⌘Z) undoes, Ctrl+Shift+Z and Ctrl+Y redo.
pub fn shortcut(key: &str, ctrl_or_meta: bool, shift: bool, alt: bool) -> Option<Shortcut> {
    if !ctrl_or_meta || alt {
        return None;
    }
    match (key.to_ascii_lowercase().as_str(), shift) {
        ("z", false) => Some(Shortcut::Undo),
        ("z", true) | ("y", false) => Some(Shortcut::Redo),
        _ => None,
    }
}

/// Whether an `<input type=...>` takes typed text (and so has the browser's own undo).
pub fn input_takes_text(input_type: &str) -> bool {
    matches!(
        input_type.to_ascii_lowercase().as_str(),
        "" | "text" | "password" | "number" | "search" | "email" | "url" | "tel"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_shortcuts() {
        for (key, ctrl, shift, alt, expected) in [
            ("z", true, false, false, Some(Shortcut::Undo)),
            ("Z", true, true, false, Some(Shortcut::Redo)),
            ("y", true, false, false, Some(Shortcut::Redo)),
            ("z", false, false, false, None),
            ("z", true, false, true, None),
            ("y", true, true, false, None),
            ("x", true, false, false, None),
        ] {
            assert_eq!(
                shortcut(key, ctrl, shift, alt),
                expected,
                "{key} {ctrl} {shift} {alt}"
            );
        }
    }

    #[test]
    fn text_inputs_keep_their_own_undo() {
        assert!(input_takes_text("text") && input_takes_text("password") && input_takes_text(""));
        assert!(!input_takes_text("checkbox") && !input_takes_text("file"));
    }
}
