//! The Stackwright designer in the browser.
//!
//! The app is a thin shell over `stackwright-core`: the design lives in one signal
//! ([`state::Designer`]), and components ask the core to validate, render and zip it and
//! display what it returns. The pure parts (undo history, line diff, form catalogue,
//! problem index, restore logic, shortcuts, diagram geometry) are plain modules with
//! native tests; the browser is touched only in `browser`, `storage` and event handlers.

pub mod browser;
pub mod canvas;
pub mod catalogue;
pub mod components;
pub mod diagram;
pub mod fatal_error;
pub mod history;
pub mod line_diff;
pub mod list_keys;
pub mod problems;
pub mod share_link;
pub mod shortcuts;
pub mod state;
pub mod storage;

pub use components::app::App;

/// The URL fragment that makes the app panic on purpose once it is on screen.
///
/// The end-to-end tests load the page with it to prove that a panic shows a visible message
/// and keeps the saved design. It does nothing else, so leaving it in the release build
/// costs a few bytes and no risk.
const PANIC_TRIGGER: &str = "#__panic";

/// Installs the panic display and mounts the app on the page's `<body>`.
pub fn start() {
    fatal_error::install_panic_hook();
    add_kind_colours();
    leptos::mount::mount_to_body(App);
    if location_hash().as_deref() == Some(PANIC_TRIGGER) {
        panic!("panic requested by the {PANIC_TRIGGER} URL fragment");
    }
}

/// Puts the kinds' colours, declared once in core, on the page as CSS variables
/// (`--sw-kind-<id>`) the stylesheet uses.
fn add_kind_colours() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let (Ok(style), Some(head)) = (document.create_element("style"), document.head()) {
        style.set_id("sw-kind-colours");
        style.set_text_content(Some(&stackwright_core::layout::kind_colours_css()));
        let _ = head.append_child(&style);
    }
}

/// The fragment of the page's URL, `#` included, or `None` outside a browser window.
fn location_hash() -> Option<String> {
    web_sys::window()?.location().hash().ok()
}
