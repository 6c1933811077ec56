//! Live validation: every problem of a design at once, as data, and the typed plan of a
//! design that has no error.
//!
//! Each [`Rule`] has a stable kebab-case code documented in `docs/rules.md` (a test keeps
//! the two in step). The checks never stop at the first problem and never panic: they run
//! on every keystroke in the browser. A design without errors is resolved into a
//! [`Plan`] in the same pass, so rendering never parses the design again.
//!
//! The checks live in one file per part of the design: `settings` (settings and hosts),
//! `components` (each component's fields and its listeners' ports), `chain` (connections
//! and the chain they make) and `security` (what other machines can reach).

mod chain;
mod components;
mod rule;
mod security;
mod settings;

pub use rule::{Diagnostic, Rule, Severity, Target};
pub use settings::MAX_INSTALL_DIR;

use crate::field::Range;
use crate::model::Topology;
use crate::plan::Plan;

/// The most Zope instances a design may have.
pub const MAX_INSTANCES: usize = 64;

/// What validation found: every problem, errors first, and the plan when there is no error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    pub diagnostics: Vec<Diagnostic>,
    /// The resolved design, present exactly when no diagnostic is an error.
    pub plan: Option<Plan>,
}

impl Validation {
    /// The diagnostics that block rendering.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
}

/// Checks a whole design: every problem, errors first, and its plan when it has no error.
pub fn validate(topology: &Topology) -> Validation {
    let diagnostics = diagnose(topology);
    let plan = if is_renderable(&diagnostics) {
        Plan::resolve(topology)
    } else {
        None
    };
    Validation { diagnostics, plan }
}

/// Every problem of a design, errors first, without resolving its plan.
pub fn diagnose(topology: &Topology) -> Vec<Diagnostic> {
    let mut checks = Checks {
        design: topology,
        found: Vec::new(),
    };
    checks.settings();
    checks.hosts();
    checks.components();
    checks.listeners();
    checks.connections();
    checks.chain();
    checks.security();
    checks.templates();
    // Stable: within a severity, problems keep the order the rules found them in.
    checks.found.sort_by_key(|d| d.severity);
    checks.found
}

/// Whether the design has no error (warnings allowed).
pub fn is_renderable(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().all(|d| d.severity != Severity::Error)
}

/// One pass of the rules over a design, gathering what they find.
struct Checks<'a> {
    design: &'a Topology,
    found: Vec<Diagnostic>,
}

impl Checks<'_> {
    fn push(
        &mut self,
        code: Rule,
        target: Target,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.found.push(Diagnostic {
            code,
            severity: code.severity(),
            target,
            message: message.into(),
            hint: hint.into(),
        });
    }

    /// Each of the design's own templates replaces a built-in one (the reader takes any
    /// name, so a design whose template a later version renamed stays readable).
    fn templates(&mut self) {
        let design = self.design;
        for name in design.templates.keys() {
            if crate::catalogue::default_template(name).is_none() {
                self.push(
                    Rule::TemplateUnknown,
                    Target::Setting("templates"),
                    format!(
                        "the design carries its own template `{name}`, and this Stackwright has no template of that name"
                    ),
                    format!(
                        "remove it (in the designer: click this problem; Undo brings it back), or copy its text into the template it was meant to replace ({})",
                        crate::catalogue::template_names().join(", ")
                    ),
                );
            }
        }
    }

    fn number(&mut self, target: Target, label: &str, text: &str, range: Range) -> Option<u64> {
        let n = range.parse(text);
        let Range { min, max } = range;
        if n.is_none() {
            self.push(
                Rule::NumberInvalid,
                target,
                format!("{label} must be a whole number from {min} to {max}, not {text:?}"),
                format!("type a number between {min} and {max}"),
            );
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn a_new_design_has_no_error_and_a_plan() {
        let validation = validate(&crate::defaults::test_design());
        let errors: Vec<_> = validation.errors().collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert!(validation.plan.is_some());
        let codes: BTreeSet<_> = validation.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, BTreeSet::from([Rule::MemcachedDeprecated]));
    }

    /// The exercise's values as they are: its admin password is refused for what the
    /// internet reaches, the rest is said.
    #[test]
    fn the_exercise_needs_new_passwords_before_it_deploys() {
        let validation = validate(&Topology::exercise());
        let errors: BTreeSet<_> = validation.errors().map(|d| d.code).collect();
        assert_eq!(errors, BTreeSet::from([Rule::PasswordExposed]));
        assert!(validation.plan.is_none());
        let codes: BTreeSet<_> = validation.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            BTreeSet::from([
                Rule::PasswordExposed,
                Rule::PasswordDefault,
                Rule::UserShared,
                Rule::MemcachedDeprecated
            ])
        );
    }

    #[test]
    fn a_design_with_an_error_has_no_plan() {
        let mut t = Topology::exercise();
        t.settings.site_id = "no spaces".into();
        let validation = validate(&t);
        assert!(validation.errors().any(|d| d.code == Rule::SiteIdInvalid));
        assert!(validation.plan.is_none());
    }
}
