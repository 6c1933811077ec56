//! The design kept in the browser's local storage between visits.
//!
//! The decision of what to do with what was stored is a pure function ([`restore`]),
//! tested natively; the few calls to `localStorage` around it (through gloo-storage, which
//! writes the design as JSON with serde) are the app's only contact with storage, made
//! from an `Effect` (saving) and once at start (loading). A stored text that is not a
//! design is read and set aside as it is, so it is never lost.

use gloo_storage::errors::StorageError;
use gloo_storage::{LocalStorage, Storage as _};
use stackwright_core::Topology;
use stackwright_core::format;

/// Where the design is autosaved.
pub const KEY: &str = "stackwright.design";
/// Where a stored design that could not be read is moved, so that it is never lost.
pub const UNREADABLE_KEY: &str = "stackwright.design.unreadable";

/// Where the saved design is kept when a link's design replaces it.
pub const BEFORE_LINK_KEY: &str = "stackwright.design.before-link";

/// What the stored text means for the session starting.
#[derive(Debug, PartialEq)]
pub enum Restored {
    /// Nothing was stored: a first visit.
    Nothing,
    Design(Box<Topology>),
    /// Something was stored but is not a design this version reads.
    Unreadable {
        reason: String,
    },
}

/// Reads what was stored under [`KEY`].
pub fn restore(stored: Option<&str>) -> Restored {
    match stored {
        None => Restored::Nothing,
        Some(text) => match format::from_json(text) {
            Ok(design) => Restored::Design(Box::new(design)),
            Err(error) => Restored::Unreadable {
                reason: error.to_string(),
            },
        },
    }
}

/// The message shown when the stored design could not be read and was moved to `kept_at`.
pub fn unreadable_message(reason: &str, kept_at: &str) -> String {
    format!(
        "The design saved in this browser could not be read ({reason}). It is kept unchanged \
         in this browser's local storage under \"{kept_at}\"; you are starting from the \
         exercise defaults."
    )
}

/// The page's `localStorage`, when the browser offers one (a private window or a
/// policy may not). gloo's storage types assume it exists, so every use checks first.
fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()??;
    Some(LocalStorage::raw())
}

/// Why the browser refused to store something, in words for the user.
fn refusal(error: StorageError) -> String {
    match error {
        StorageError::JsError(e) if e.name == "QuotaExceededError" => {
            "the browser's storage for this site is full".into()
        }
        StorageError::JsError(e) => format!("the browser refused to store it ({})", e.message),
        other => format!("it could not be stored ({other})"),
    }
}

/// What [`load`] found.
pub struct Loaded {
    pub design: Option<Topology>,
    /// What to tell the user about it.
    pub message: Option<String>,
    /// False when saving would overwrite a stored design that could not be set aside.
    pub may_save: bool,
}

/// Loads the stored design. An unreadable one is first copied to a free key next to
/// [`UNREADABLE_KEY`] (never overwriting an earlier one); the message says where.
pub fn load() -> Loaded {
    let loaded = |design, message: Option<String>, may_save| Loaded {
        design,
        message,
        may_save,
    };
    let Some(storage) = local_storage() else {
        return loaded(None, None, true);
    };
    let stored = storage.get_item(KEY).ok().flatten();
    match restore(stored.as_deref()) {
        Restored::Nothing => loaded(None, None, true),
        Restored::Design(design) => loaded(Some(*design), None, true),
        Restored::Unreadable { reason } => {
            let text = stored.unwrap_or_default();
            let kept_at = (1..)
                .map(|n| {
                    if n == 1 {
                        UNREADABLE_KEY.to_string()
                    } else {
                        format!("{UNREADABLE_KEY}.{n}")
                    }
                })
                .find(|key| {
                    storage
                        .get_item(key)
                        .ok()
                        .flatten()
                        .is_none_or(|old| old == text)
                })
                .expect("an unbounded range has a free key");
            if storage.set_item(&kept_at, &text).is_err() {
                // Could not copy it: leave it where it is rather than lose it, and do
                // not autosave over it.
                return loaded(
                    None,
                    Some(format!(
                        "The design saved in this browser could not be read ({reason}) and \
                         could not be set aside; it is left under \"{KEY}\" and this session \
                         is not saved."
                    )),
                    false,
                );
            }
            loaded(None, Some(unreadable_message(&reason, &kept_at)), true)
        }
    }
}

/// Saves the design in the current format; the error says why the browser refused.
pub fn save(design: &Topology) -> Result<(), String> {
    local_storage().ok_or("local storage is not available")?;
    LocalStorage::set(KEY, format::to_value(design)).map_err(refusal)
}

/// Whether this browser holds a saved design.
pub fn has_saved() -> bool {
    local_storage().is_some_and(|s| s.get_item(KEY).ok().flatten().is_some())
}

/// Keeps a design under [`BEFORE_LINK_KEY`].
pub fn keep_before_link(design: &Topology) -> Result<(), String> {
    local_storage().ok_or("local storage is not available")?;
    LocalStorage::set(BEFORE_LINK_KEY, format::to_value(design)).map_err(refusal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_design_comes_back() {
        let t = stackwright_core::defaults::scaled(5, 2);
        assert_eq!(
            restore(Some(&format::to_json(&t))),
            Restored::Design(Box::new(t))
        );
        assert_eq!(restore(None), Restored::Nothing);
    }

    #[test]
    fn junk_is_unreadable_with_a_reason() {
        for junk in ["{", "", "null", "{\"version\": 99}", "{\"version\": 1}"] {
            match restore(Some(junk)) {
                Restored::Unreadable { reason } => assert!(!reason.is_empty(), "{junk}"),
                other => panic!("{junk}: {other:?}"),
            }
        }
        let message = unreadable_message("line 1, column 1: x", UNREADABLE_KEY);
        assert!(message.contains(UNREADABLE_KEY) && message.contains("line 1"));
    }
}
