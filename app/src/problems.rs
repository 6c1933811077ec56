//! The validator's diagnostics, indexed once per change for every view that shows them:
//! the problems panel, each field's inline message, each node's badge, each tab's count.

use std::collections::HashMap;

use stackwright_core::edit;
use stackwright_core::{Diagnostic, Rule, Severity};

use crate::catalogue::{self, Structure};

/// How many problems of each severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.notes += 1,
        }
    }

    /// Errors and warnings: what a badge counts (notes are only listed).
    pub fn serious(self) -> usize {
        self.errors + self.warnings
    }

    /// "2 errors, 1 warning", or "no problems".
    pub fn summary(self) -> String {
        let mut parts = Vec::new();
        for (n, one, many) in [
            (self.errors, "error", "errors"),
            (self.warnings, "warning", "warnings"),
            (self.notes, "note", "notes"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {}", if n == 1 { one } else { many }));
            }
        }
        if parts.is_empty() {
            "no problems".to_string()
        } else {
            parts.join(", ")
        }
    }

    /// What a box of the chain says of its problems: "no problems", "1 error",
    /// "2 warnings" or "3 problems: 2 errors, 1 warning". It starts with the number the
    /// box's badge shows, so the badge's text is part of the box's accessible name
    /// (WCAG 2.5.3); notes are left out, as the badge leaves them out.
    pub fn badge_summary(self) -> String {
        let serious = Counts { notes: 0, ..self };
        if self.errors > 0 && self.warnings > 0 {
            format!("{} problems: {}", self.serious(), serious.summary())
        } else {
            serious.summary()
        }
    }
}

/// One diagnostic as the views show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub code: Rule,
    pub message: String,
    pub hint: String,
    /// The form field it is about (as `stackwright_core::edit` names it), or the path of
    /// the component, connection or setting it is about.
    pub path: String,
    /// The component to select when the problem is clicked.
    pub component: Option<String>,
    /// Where it is, in words.
    pub location: String,
}

/// Every problem of a design, errors first, with the indexes the views look up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems {
    pub list: Vec<Problem>,
    by_path: HashMap<String, Vec<usize>>,
    by_component: HashMap<String, Counts>,
    pub total: Counts,
}

impl Problems {
    /// Indexes `diagnostics`, the validator's answer for the design whose `structure`
    /// is given (it names the places problems are shown).
    pub fn of(structure: &Structure, diagnostics: Vec<Diagnostic>) -> Problems {
        let mut problems = Problems::default();
        for d in diagnostics {
            let path = edit::field_path(&d);
            let component = d.target.component().map(str::to_string);
            problems.total.add(d.severity);
            if let Some(id) = &component {
                problems
                    .by_component
                    .entry(id.clone())
                    .or_default()
                    .add(d.severity);
            }
            problems
                .by_path
                .entry(path.clone())
                .or_default()
                .push(problems.list.len());
            problems.list.push(Problem {
                severity: d.severity,
                code: d.code,
                location: catalogue::describe(&path, structure),
                message: d.message,
                hint: d.hint,
                path,
                component,
            });
        }
        problems
    }

    /// The problems about one field, for its inline message.
    pub fn on_field(&self, path: &str) -> Vec<Problem> {
        self.by_path
            .get(path)
            .map(|indexes| indexes.iter().map(|i| self.list[*i].clone()).collect())
            .unwrap_or_default()
    }

    /// How many problems concern a component, its fields and its outgoing connections.
    pub fn on_component(&self, id: &str) -> Counts {
        self.by_component.get(id).copied().unwrap_or_default()
    }

    /// How many problems concern any of `paths` (a settings panel's fields).
    pub fn on_paths<'a>(&self, paths: impl IntoIterator<Item = &'a String>) -> Counts {
        let mut counts = Counts::default();
        for path in paths {
            for i in self.by_path.get(path).into_iter().flatten() {
                counts.add(self.list[*i].severity);
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackwright_core::Topology;
    use stackwright_core::validate::diagnose;

    #[test]
    fn a_badge_summary_starts_with_the_badge_number() {
        let counts = |errors, warnings, notes| Counts {
            errors,
            warnings,
            notes,
        };
        for (c, expected) in [
            (counts(0, 0, 0), "no problems"),
            (counts(0, 0, 2), "no problems"),
            (counts(1, 0, 1), "1 error"),
            (counts(0, 2, 0), "2 warnings"),
            (counts(2, 1, 1), "3 problems: 2 errors, 1 warning"),
        ] {
            assert_eq!(c.badge_summary(), expected, "{c:?}");
        }
    }

    #[test]
    fn a_port_clash_shows_on_the_field_the_node_and_the_total() {
        let mut t = stackwright_core::defaults::new_design(
            &[42; stackwright_core::defaults::NEW_DESIGN_RANDOM],
        )
        .unwrap();
        edit::set(&mut t, "components.nginx.http_port", "8100").unwrap();
        let problems = Problems::of(&Structure::of(&t), diagnose(&t));
        let on_field = problems.on_field("components.varnish.port");
        assert!(
            on_field.iter().any(|p| p.code == Rule::PortConflict),
            "{on_field:?} {:?}",
            problems.list
        );
        assert!(problems.on_component("varnish").errors >= 1);
        assert!(problems.total.errors >= 1);
        assert_eq!(problems.list[0].severity, Severity::Error, "errors first");
        let clash = &on_field[0];
        assert!(
            ["Varnish › Port", "nginx › HTTP port"].contains(&clash.location.as_str()),
            "{}",
            clash.location
        );
        // The validator reports a clash on both listeners, so the field typed in shows it.
        assert!(
            problems
                .on_field("components.nginx.http_port")
                .iter()
                .any(|p| p.code == Rule::PortConflict)
        );
        assert!(problems.on_component("nginx").errors >= 1);
        assert_eq!(
            problems.total.errors, 2,
            "one per listener: {:#?}",
            problems.list
        );
    }

    #[test]
    fn the_exercise_shows_its_password_on_the_field() {
        let t = Topology::exercise();
        let problems = Problems::of(&Structure::of(&t), diagnose(&t));
        assert_eq!(problems.total.errors, 1, "{:#?}", problems.list);
        assert!(problems.total.warnings > 0);
        assert_eq!(
            problems.on_field("settings.zope_admin_password")[0].code,
            Rule::PasswordExposed
        );
        let new = stackwright_core::defaults::new_design(
            &[42; stackwright_core::defaults::NEW_DESIGN_RANDOM],
        )
        .unwrap();
        assert_eq!(
            Problems::of(&Structure::of(&new), diagnose(&new))
                .total
                .errors,
            0
        );
    }

    #[test]
    fn summaries_read_well() {
        let c = |errors, warnings, notes| Counts {
            errors,
            warnings,
            notes,
        };
        assert_eq!(c(0, 0, 0).summary(), "no problems");
        assert_eq!(c(1, 0, 0).summary(), "1 error");
        assert_eq!(c(2, 1, 3).summary(), "2 errors, 1 warning, 3 notes");
    }
}
