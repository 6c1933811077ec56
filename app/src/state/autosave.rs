//! Keeping the design as it is typed: saved in this browser, and written into the address
//! bar, each once typing pauses.
//!
//! The outside world (storage, the address bar, the page's hide events) is touched only in
//! the effects and listeners made here.

use std::sync::Arc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use stackwright_core::Topology;

use crate::{browser, share_link, storage};

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

/// Saving the design in this browser once typing pauses. It is `Copy`; until
/// [`Autosave::start`] it saves nothing (a browser that may not save, or the page's first
/// moments).
#[derive(Clone, Copy)]
pub struct Autosave {
    /// Saves at once what is pending.
    save_now: StoredValue<Option<Arc<dyn Fn() + Send + Sync>>>,
}

impl Autosave {
    pub fn new() -> Autosave {
        Autosave {
            save_now: StoredValue::new(None),
        }
    }

    /// Saves `design` now and whenever typing pauses, and at once when the page is left
    /// or hidden; a refusal (storage full or unavailable) goes to `refused` with its
    /// reason.
    pub fn start(
        &self,
        design: RwSignal<Topology>,
        refused: impl Fn(String) + Copy + Send + Sync + 'static,
    ) {
        let save = move || {
            if let Err(reason) = design.with_untracked(storage::save) {
                refused(reason);
            }
        };
        let flush = after_pause(SAVE_DELAY, true, move || design.track(), save);
        self.save_now.set_value(Some(Arc::new(flush)));
        // A closed or hidden tab may never run the timer: save what is pending now.
        let _ = window_event_listener(leptos::ev::pagehide, move |_| flush());
        let _ = window_event_listener(leptos::ev::visibilitychange, move |_| {
            if browser::page_hidden() {
                flush();
            }
        });
    }

    /// Saves a pending change at once.
    pub fn save_pending(&self) {
        if let Some(flush) = self.save_now.get_value() {
            flush();
        }
    }
}

impl Default for Autosave {
    fn default() -> Autosave {
        Autosave::new()
    }
}

/// Keeps the address bar's fragment in step with `design`, once typing pauses.
pub fn follow_in_address_bar(design: RwSignal<Topology>, link: Memo<String>) {
    let _ = after_pause(
        ADDRESS_DELAY,
        false,
        move || design.track(),
        move || {
            let fragment = link.get_untracked();
            if browser::location_hash().strip_prefix('#') != Some(fragment.as_str()) {
                show_in_address_bar(&fragment);
            }
        },
    );
}

/// Writes `fragment` into the address bar, remembering that this tab wrote it.
pub fn show_in_address_bar(fragment: &str) {
    if browser::replace_fragment(fragment) {
        browser::session_set(share_link::WRITTEN_KEY, fragment);
    }
}
