//! Finding a place in the page: the ids of form fields, and going to where a problem is.

use leptos::prelude::*;

use super::Designer;
use crate::browser;
use crate::catalogue::{self, Panel};
use crate::problems::Problem;

/// The id of the input of the field at `path` in a form (`scope` is "inspector" or "panel").
pub fn field_id(scope: &str, path: &str) -> String {
    format!("sw-{scope}-{path}")
}

/// The id of the inspector's heading, focused when a problem concerns a whole component.
pub const INSPECTOR_HEADING: &str = "sw-inspector-heading";

impl Designer {
    /// Shows where a problem is: selects its component or opens its settings panel, then
    /// focuses the field (or the inspector's heading when it is about a whole component).
    pub fn go_to(&self, problem: &Problem) {
        // A template of a name this version lacks has no form to go to: the click removes
        // it, as one step Undo takes back.
        if problem.code == stackwright_core::Rule::TemplateUnknown {
            if let Ok(names) =
                self.change(|t| Ok(stackwright_core::edit::drop_unknown_templates(t)))
            {
                self.tell(
                    crate::state::Tone::Info,
                    format!(
                        "Removed the template {} this Stackwright does not have; Undo brings it back.",
                        names.join(", ")
                    ),
                );
            }
            return;
        }
        let path = problem.path.clone();
        let structure = self.structure.get_untracked();
        if path.starts_with("components.") || path.starts_with("connections.") {
            if let Some(id) = &problem.component {
                self.selection.set(Some(id.clone()));
            }
            request_animation_frame(move || {
                if !browser::focus(&field_id("inspector", &path)) {
                    browser::focus(INSPECTOR_HEADING);
                }
            });
            return;
        }
        // A host's id has no field; design-wide problems (no instance, no supervisor)
        // belong with the instances.
        let panel =
            catalogue::panel_of(&path, &structure).unwrap_or(if path.starts_with("hosts.") {
                Panel::Hosts
            } else {
                Panel::InstanceTemplate
            });
        self.panel.set(panel);
        request_animation_frame(move || {
            if !browser::focus(&field_id("panel", &path)) {
                browser::focus(&format!("sw-tab-{}", panel.id()));
            }
        });
    }

    /// Clears the selection when the selected component is gone (undone, deleted).
    pub(super) fn forget_missing_selection(&self) {
        let missing = self.selection.with_untracked(|s| {
            s.as_ref()
                .is_some_and(|id| self.design.with_untracked(|t| t.component(id).is_none()))
        });
        if missing {
            self.selection.set(None);
        }
    }
}
