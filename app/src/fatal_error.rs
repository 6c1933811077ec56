//! Shows a panic on the page.
//!
//! A panic in WebAssembly aborts the app: without this hook the page would stay blank or
//! stop responding, and the reason would only reach the browser's console. The hook writes
//! a short explanation and the panic message into the `#fatal-error` alert that
//! `index.html` ships hidden, and still logs the panic to the console for developers.
//!
//! The design is autosaved on every change, so what the user made is already in local
//! storage; the hook also copies it to a second key, so that a design which makes the app
//! fail on every load can still be recovered by hand, and writes nothing else.

use std::panic::{self, PanicHookInfo};

use web_sys::{Document, Element};

/// The id of the alert element, shipped hidden in `index.html`.
pub const ELEMENT_ID: &str = "fatal-error";

const TITLE: &str = "Stackwright stopped because of an internal error.";
const HINT: &str = "Your design is saved in this browser: reload the page to continue where you \
     left off. If it happens again, please report the details below.";

/// Replaces the default panic hook with one that also shows the panic on the page.
pub fn install_panic_hook() {
    panic::set_hook(Box::new(|info: &PanicHookInfo<'_>| {
        console_error_panic_hook::hook(info);
        // The hook must never panic itself, so every step that can fail just gives up.
        let _ = keep_saved_design();
        let _ = show(&info.to_string());
    }));
}

/// The key the saved design is copied to when the app fails.
pub const CRASH_KEY: &str = "stackwright.design.before-crash";

/// Copies the autosaved design aside; the autosave itself is left as it is.
fn keep_saved_design() -> Option<()> {
    let storage = web_sys::window()?.local_storage().ok()??;
    let saved = storage.get_item(crate::storage::KEY).ok()??;
    storage.set_item(CRASH_KEY, &saved).ok()
}

/// Fills the alert with an explanation and `details`, then makes it visible.
fn show(details: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let alert = alert_element(&document)?;
    alert.set_text_content(None);
    for (tag, class, text) in [
        ("p", "sw-fatal__title", TITLE),
        ("p", "sw-fatal__hint", HINT),
        ("pre", "sw-fatal__details", details),
    ] {
        append_text(&document, &alert, tag, class, text)?;
    }
    alert.remove_attribute("hidden").ok()
}

/// The alert from `index.html`, or a new one at the end of `<body>` if the page lacks it.
fn alert_element(document: &Document) -> Option<Element> {
    if let Some(alert) = document.get_element_by_id(ELEMENT_ID) {
        return Some(alert);
    }
    let alert = document.create_element("div").ok()?;
    alert.set_id(ELEMENT_ID);
    alert.set_class_name("sw-fatal");
    alert.set_attribute("role", "alert").ok()?;
    document.body()?.append_child(&alert).ok()?;
    Some(alert)
}

/// Appends a `<tag class=class>` holding `text` to `parent`. Text, never HTML, so a panic
/// message cannot inject markup.
fn append_text(
    document: &Document,
    parent: &Element,
    tag: &str,
    class: &str,
    text: &str,
) -> Option<()> {
    let element = document.create_element(tag).ok()?;
    element.set_class_name(class);
    element.set_text_content(Some(text));
    parent.append_child(&element).ok()?;
    Some(())
}
