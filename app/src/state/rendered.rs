//! The files of the design as the files panel shows them: the last files that rendered,
//! the ones before them (to highlight what changed), and why the design does not render
//! now, if it does not.
//!
//! A render that fails keeps the last good files, marked stale, and carries the reason:
//! a design with errors is explained by the Problems panel, any other failure (a broken
//! template, or whatever else the renderer refuses) by the [`RenderFault`] kept here.

use std::sync::Arc;

use stackwright_core::render::{RenderError, render_validated_linked};
use stackwright_core::{FileTree, Topology, Validation};

/// The files of the design, as the files panel shows them.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// The files of the design, or of its last state that rendered.
    pub current: Option<Arc<FileTree>>,
    /// The files before the last change that changed any, to highlight what changed.
    pub previous: Option<Arc<FileTree>>,
    /// Whether the design does not render now, so `current` is from an earlier state.
    pub stale: bool,
    /// Why the design does not render now, unless it is its own errors, which the
    /// Problems panel lists.
    pub fault: Option<RenderFault>,
}

/// Why a design without errors does not render: named by its template when a template
/// is at fault, with its line and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderFault {
    /// The template that failed; `None` when the failure is not a template's.
    pub template: Option<String>,
    pub line: Option<usize>,
    pub message: String,
}

impl RenderFault {
    /// The fault to show for a render error; `None` for the design's own errors, which
    /// the Problems panel shows already.
    fn of(error: &RenderError) -> Option<RenderFault> {
        let (template, line) = match error {
            RenderError::Invalid(_) => return None,
            RenderError::Template { template, line, .. } => (Some(template.clone()), *line),
            RenderError::UnknownTemplate { name } | RenderError::TemplateTooLong { name, .. } => {
                (Some(name.clone()), None)
            }
        };
        Some(RenderFault {
            template,
            line,
            message: error.to_string(),
        })
    }
}

/// Two renders are the same when they hold the same bundles: comparing pointers, not
/// every file, since a new bundle is only kept when its files differ.
impl PartialEq for Rendered {
    fn eq(&self, other: &Rendered) -> bool {
        fn same(a: &Option<Arc<FileTree>>, b: &Option<Arc<FileTree>>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
        }
        self.stale == other.stale
            && self.fault == other.fault
            && same(&self.current, &other.current)
            && same(&self.previous, &other.previous)
    }
}

/// Renders the design whose validation is `validation` and whose share link (without
/// passwords) is `link`: the app's one call into the core's renderer.
pub fn render_design(
    design: &Topology,
    validation: &Validation,
    link: &str,
) -> Result<FileTree, RenderError> {
    render_validated_linked(design, validation, link)
}

impl Rendered {
    /// What the files panel shows after a render with `outcome`, having shown `self`.
    pub fn after(self, outcome: Result<FileTree, RenderError>) -> Rendered {
        match outcome {
            Ok(bundle) if self.current.as_deref() == Some(&bundle) => Rendered {
                stale: false,
                fault: None,
                ..self
            },
            Ok(bundle) => Rendered {
                previous: self.current,
                current: Some(Arc::new(bundle)),
                stale: false,
                fault: None,
            },
            // The files of the last state that rendered stay, marked out of date, and the
            // reason goes with them.
            Err(error) => Rendered {
                stale: true,
                fault: RenderFault::of(&error),
                ..self
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackwright_core::{render, validate};

    #[test]
    fn a_failed_render_keeps_the_last_files_and_says_why() {
        let good = stackwright_core::defaults::new_design(
            &[42; stackwright_core::defaults::NEW_DESIGN_RANDOM],
        )
        .unwrap();
        let shown = Rendered::default().after(render(&good));
        assert!(!shown.stale && shown.current.is_some());

        let mut broken = good.clone();
        render::set_template(&mut broken, "nginx.conf.j2", "{% if %}".into()).unwrap();
        let after = shown.clone().after(render(&broken));
        assert!(after.stale);
        assert!(Arc::ptr_eq(
            after.current.as_ref().unwrap(),
            shown.current.as_ref().unwrap()
        ));
        let fault = after.fault.expect("a broken template is reported");
        assert_eq!(fault.template.as_deref(), Some("nginx.conf.j2"));

        let mut invalid = good.clone();
        invalid.settings.site_id.clear();
        let validation = validate(&invalid);
        let after = shown.after(render_design(&invalid, &validation, ""));
        assert!(after.stale);
        assert_eq!(
            after.fault, None,
            "the Problems panel lists the design's errors"
        );
    }
}
