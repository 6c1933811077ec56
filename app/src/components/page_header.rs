//! The band at the top of the page: the product's name, the design's problem counts and
//! the commands that act on the whole design.

use leptos::prelude::*;

use super::download_button::DownloadButton;
use super::import_button::ImportButton;
use super::preset_picker::PresetPicker;
use super::reset_dialog::ResetDialog;
use super::share_dialog::ShareDialog;
use crate::state::use_designer;

/// The product name, the problem counts and the toolbar (undo, redo, share, import,
/// presets, reset, download).
#[component]
pub fn PageHeader() -> impl IntoView {
    let designer = use_designer();
    let total = move || designer.problems.with(|p| p.total);
    view! {
        <header class="sw-header">
            <div class="sw-header__brand">
                <h1 class="sw-header__title">"Stackwright"</h1>
                <p class="sw-header__tagline">"Plone serving chain designer"</p>
            </div>
            <a
                class=move || {
                    let t = total();
                    let tone = if t.errors > 0 {
                        "error"
                    } else if t.warnings > 0 {
                        "warning"
                    } else {
                        "ok"
                    };
                    format!("sw-header__counts sw-header__counts--{tone}")
                }
                href="#sw-problems-heading"
            >
                <span class="sw-header__count">{move || total().errors}" errors"</span>
                <span class="sw-header__count">{move || total().warnings}" warnings"</span>
            </a>
            <nav class="sw-toolbar" aria-label="Design">
                <button
                    type="button"
                    class="sw-button"
                    aria-keyshortcuts="Control+Z"
                    title="Undo (Ctrl+Z)"
                    disabled=move || !designer.can_undo()
                    on:click=move |_| designer.undo()
                >
                    "Undo"
                </button>
                <button
                    type="button"
                    class="sw-button"
                    aria-keyshortcuts="Control+Shift+Z Control+Y"
                    title="Redo (Ctrl+Shift+Z or Ctrl+Y)"
                    disabled=move || !designer.can_redo()
                    on:click=move |_| designer.redo()
                >
                    "Redo"
                </button>
                <ShareDialog />
                <ImportButton />
                <PresetPicker />
                <ResetDialog />
                <DownloadButton />
            </nav>
        </header>
    }
}
