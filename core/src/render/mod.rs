//! Rendering: the plan of a valid design becomes an ordered map from path to file contents.
//!
//! [`crate::validate::validate`] resolves a design without errors into a [`Plan`]; the
//! templates in `core/templates/` write each file from it, one template per file, in one
//! minijinja environment built once (`templates`). Which host gets which file is in
//! `files`.

mod files;
mod templates;

use std::collections::BTreeMap;

use minijinja::value::Serde;
use minijinja::{Environment, Value};

pub use crate::catalogue::{default_template, template_names, template_writes};
use crate::model::{ComponentKind, Topology};
use crate::plan::Plan;
use crate::validate::{self, Diagnostic, Validation};
use files::{host_files, host_folders, top_files};
pub use templates::{FUEL, check_template_length, environment, set_template};
use templates::{environment_with, template_error};

/// A generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub contents: String,
    /// Scripts are executable (see [`File::mode`]).
    pub executable: bool,
    /// Whether the file holds one of the design's passwords: then others may not read it
    /// (see [`File::mode`]); `bin/setup` gives the files a daemon reads its group.
    pub secret: bool,
    /// The template it is rendered from; `None` for files written without one (the
    /// saved design, the drawing, the share link, the buildout file).
    pub template: Option<&'static str>,
}

impl File {
    /// A file written without a template.
    fn plain(contents: String) -> File {
        File {
            contents,
            executable: false,
            secret: false,
            template: None,
        }
    }

    /// The file's Unix mode: 0755 for a script and 0644 for any other file, without the
    /// bits for others when it holds a secret (0750, 0640).
    pub fn mode(&self) -> u32 {
        let mode = if self.executable { 0o755 } else { 0o644 };
        if self.secret { mode & 0o770 } else { mode }
    }
}

/// The design's passwords that are set: a file holding one of them is a secret.
pub fn secrets(t: &Topology) -> Vec<&str> {
    let mut found = vec![t.settings.zope_admin_password.as_str()];
    for c in &t.components {
        match &c.kind {
            ComponentKind::Haproxy(h) => found.push(&h.stats_password),
            ComponentKind::Database(d) => found.push(&d.password),
            ComponentKind::Supervisor(s) => found.push(&s.password),
            _ => {}
        }
    }
    found.retain(|p| !p.is_empty());
    found
}

/// Every generated file, by path relative to the bundle's top folder: what
/// [`crate::bundle`] zips and the app previews.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileTree {
    /// The top folder's name (the design's name), e.g. `plone-deployment`.
    pub root: String,
    pub files: BTreeMap<String, File>,
    /// Empty folders the bundle ships (log and state directories).
    pub folders: Vec<String>,
}

/// Why a design could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the design has {} error(s); fix them before rendering", .0.len())]
    Invalid(Vec<Diagnostic>),
    #[error("there is no template {name}; the templates are {}", template_names().join(", "))]
    UnknownTemplate { name: String },
    /// A template longer than a saved design may carry ([`crate::format::MAX_TEMPLATE`]).
    #[error(
        "template `{name}` is {bytes} bytes, more than the {} a template may have",
        crate::format::MAX_TEMPLATE
    )]
    TemplateTooLong { name: String, bytes: usize },
    /// A template failed: its name, the line (when the engine knows it) and why.
    #[error("template {template}{}: {}", line.map(|l| format!(", line {l}")).unwrap_or_default(), reason(source))]
    Template {
        template: String,
        line: Option<usize>,
        #[source]
        source: minijinja::Error,
    },
}

/// Renders every file of the bundle, or refuses a design that has validation errors.
pub fn render(topology: &Topology) -> Result<FileTree, RenderError> {
    render_validated(topology, &validate::validate(topology))
}

/// [`render`] for a caller that validates anyway: `validation` must be
/// `validate(topology)`; its plan is rendered, not resolved again.
pub fn render_validated(
    topology: &Topology,
    validation: &Validation,
) -> Result<FileTree, RenderError> {
    let link = crate::share::encode(topology, crate::share::Secrets::Omit);
    render_validated_linked(topology, validation, &link)
}

/// [`render_validated`] for a caller that has the design's share link (without
/// passwords) already, such as the app, which encodes it once per change for the address
/// bar and the bundle alike.
pub fn render_validated_linked(
    topology: &Topology,
    validation: &Validation,
    share_link: &str,
) -> Result<FileTree, RenderError> {
    match &validation.plan {
        Some(plan) => {
            let (files, folders) = render_templates(&topology.templates, plan)?;
            Ok(assemble(topology, plan, files, folders, share_link))
        }
        None => Err(RenderError::Invalid(validation.errors().cloned().collect())),
    }
}

/// Renders the files the templates write, from `plan` (with the design's own
/// `templates` in place of the built-in ones): the templates only, nothing else.
fn render_templates(
    templates: &BTreeMap<String, String>,
    plan: &Plan,
) -> Result<(BTreeMap<String, File>, Vec<String>), RenderError> {
    let env = environment_with(templates)?;
    // Each part of the context becomes a template value once, not once per file:
    // with 64 instances that is the difference between linear and quadratic work.
    let plan_value = Value::from(Serde(plan));
    let instance_values: BTreeMap<&str, Value> = plan
        .instances
        .iter()
        .map(|i| (i.id.as_str(), Value::from(Serde(i))))
        .collect();
    let mut files = BTreeMap::new();
    let mut folders = Vec::new();
    for host in &plan.hosts {
        let host_value = Value::from(Serde(host));
        for spec in host_files(host, plan) {
            let instance = spec
                .instance
                .as_deref()
                .and_then(|id| instance_values.get(id))
                .cloned();
            let context = Context {
                plan: &plan_value,
                host: &host_value,
                instance,
            };
            let contents = render_in(&env, spec.template, context)?;
            files.insert(
                format!("{}{}", host.folder, spec.path),
                File {
                    contents,
                    executable: spec.executable,
                    secret: false,
                    template: Some(spec.template),
                },
            );
        }
        folders.extend(
            host_folders(host, plan)
                .into_iter()
                .map(|f| format!("{}{f}", host.folder)),
        );
    }
    let first_host = Value::from(Serde(&plan.hosts[0]));
    for (path, template) in top_files(plan) {
        let context = Context {
            plan: &plan_value,
            host: &first_host,
            instance: None,
        };
        let contents = render_in(&env, template, context)?;
        files.insert(
            path,
            File {
                contents,
                executable: false,
                secret: false,
                template: Some(template),
            },
        );
    }
    Ok((files, folders))
}

/// The bundle: the rendered `files` and `folders`, and what is made without templates
/// (`deployment.cfg`, `topology.svg`, `share-link.txt`, the design's own templates,
/// `topology.json`), every file marked secret or not.
fn assemble(
    topology: &Topology,
    plan: &Plan,
    mut files: BTreeMap<String, File>,
    folders: Vec<String>,
    share_link: &str,
) -> FileTree {
    if !plan.multi_host {
        // The same design as the exercise's buildout file, for people who keep one.
        files.insert(
            "deployment.cfg".into(),
            File::plain(crate::import::export_buildout(topology)),
        );
    }
    files.insert(
        "topology.svg".into(),
        File::plain(crate::svg::topology_svg(topology)),
    );
    files.insert(
        "share-link.txt".into(),
        File::plain(format!(
            "# This design in Stackwright (no passwords): open the app with this after '#'.\n{share_link}\n"
        )),
    );
    // The user's templates, so the bundle can be rendered again from its own files.
    for (name, source) in &topology.templates {
        files.insert(format!("templates/{name}"), File::plain(source.clone()));
    }
    files.insert(
        "topology.json".into(),
        File::plain(crate::format::to_json(topology)),
    );
    // A file is a secret when a template writes a password into it: the built-in ones by
    // name (a file that escapes a password holds it all the same), any other when a
    // password of at least SECRET_SCAN characters is in it, whichever template (the
    // user's too) put it there. A shorter one is found by chance in text that holds no
    // password: a VCL made unreadable for Varnish that way would not start.
    let passwords = secrets(topology);
    for (path, file) in &mut files {
        file.secret = SECRET_FILES.iter().any(|name| path.ends_with(name))
            || passwords
                .iter()
                .any(|p| p.chars().count() >= SECRET_SCAN && file.contents.contains(p));
    }
    FileTree {
        root: topology.settings.name.clone(),
        files,
        folders,
    }
}

/// The shortest password looked for in files that do not carry one by name.
const SECRET_SCAN: usize = 8;

/// The files that carry a password whenever the design has it, escaped for their syntax.
const SECRET_FILES: [&str; 7] = [
    "/zope.conf",
    "zodbpack.conf",
    "supervisord.conf",
    "haproxy.cfg",
    "bin/create-site",
    "create-database.sql",
    "topology.json",
];

/// What a template sees: the plan, the host the file is for, and the instance for
/// per-instance files.
struct Context<'a> {
    plan: &'a Value,
    host: &'a Value,
    instance: Option<Value>,
}

/// The engine's reason without its own "(in template:line)" suffix, which
/// [`RenderError::Template`] already spells.
fn reason(error: &minijinja::Error) -> String {
    match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    }
}

fn render_in(
    env: &Environment<'_>,
    name: &str,
    context: Context<'_>,
) -> Result<String, RenderError> {
    let fail = |source| template_error(name, source);
    let template = env.get_template(name).map_err(fail)?;
    template
        .render(minijinja::context! {
            plan => context.plan.clone(),
            host => context.host.clone(),
            instance => context.instance.unwrap_or(Value::from(())),
        })
        .map_err(fail)
}

#[cfg(test)]
mod tests {

    /// A short password found by chance in a file that holds none does not hide the file
    /// from its daemon; the files that carry a password by name are secrets all the same.
    #[test]
    fn only_files_that_carry_a_password_are_secrets() {
        let mut t = crate::defaults::test_design();
        crate::edit::set(&mut t, "components.database.password", "default").unwrap();
        let bundle = render(&t).unwrap();
        assert!(bundle.files["etc/varnish.vcl"].contents.contains("default"));
        assert!(!bundle.files["etc/varnish.vcl"].secret);
        assert_eq!(bundle.files["etc/varnish.vcl"].mode(), 0o644);
        assert!(bundle.files["etc/instance1/zope.conf"].secret);
        assert_eq!(bundle.files["etc/instance1/zope.conf"].mode(), 0o640);
        assert_eq!(bundle.files["bin/create-site"].mode(), 0o750);
        // A long one is looked for everywhere, a template of the design's own included.
        crate::edit::set(
            &mut t,
            "components.database.password",
            "long-enough-to-scan",
        )
        .unwrap();
        set_template(
            &mut t,
            "varnish.vcl.j2",
            "vcl 4.1;\n# {{ plan.database.password }}\nbackend default { .host = \"127.0.0.1\"; }\n".into(),
        )
        .unwrap();
        assert!(render(&t).unwrap().files["etc/varnish.vcl"].secret);
    }

    use super::*;
    use crate::catalogue::WRITES;

    /// Renders `source` as the template `name` beside the real ones, for the default design.
    fn render_source(name: &'static str, source: &'static str) -> Result<String, RenderError> {
        let mut env = environment().clone();
        env.add_template(name, source)
            .map_err(|source| RenderError::Template {
                template: name.into(),
                line: source.line(),
                source,
            })?;
        let plan = Plan::resolve(&crate::defaults::test_design()).unwrap();
        let plan_value = Value::from(Serde(&plan));
        let host = Value::from(Serde(&plan.hosts[0]));
        let context = Context {
            plan: &plan_value,
            host: &host,
            instance: None,
        };
        render_in(&env, name, context)
    }

    /// What a template writes, as the notice names it, is where its files are.
    #[test]
    fn every_template_says_what_it_writes() {
        assert_eq!(
            WRITES.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            template_names()
        );
        for t in [
            crate::defaults::test_design(),
            crate::defaults::production(
                crate::defaults::scaled(3, 3),
                &[42; crate::defaults::NEW_DESIGN_RANDOM],
            )
            .unwrap(),
        ] {
            let bundle = render(&t).unwrap();
            for (path, file) in &bundle.files {
                let Some(template) = file.template else {
                    continue;
                };
                let writes = template_writes(template).unwrap();
                let in_host = path.strip_prefix("hosts/").map_or(path.as_str(), |p| {
                    p.split_once('/').map_or(p, |(_, rest)| rest)
                });
                let placeholder = writes
                    .split_once('<')
                    .and_then(|(before, rest)| Some((before, rest.split_once('>')?.1)));
                let pattern_holds = match placeholder {
                    Some((before, after)) => {
                        in_host.starts_with(before) && in_host.ends_with(after)
                    }
                    // Words for what has no fixed path ("the panic page").
                    None => in_host == writes || writes.starts_with("the "),
                };
                assert!(pattern_holds, "{template} writes {path}, not {writes}");
            }
        }
    }

    #[test]
    fn templates_see_the_plan_and_the_filters() {
        assert_eq!(
            render_source("t.j2", "{{ plan.site.site_id }} {{ \"it's\" | shell }}\n").unwrap(),
            "Plone 'it'\\''s'\n"
        );
    }

    /// A hostile template ends in an error, quickly: loops run out of fuel, recursion
    /// hits minijinja's depth limit.
    #[test]
    fn hostile_templates_are_stopped() {
        let endless = render_source(
            "loop.j2",
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        )
        .unwrap_err()
        .to_string();
        assert!(
            endless.starts_with("template loop.j2, line 1: ") && endless.contains("fuel"),
            "{endless}"
        );
        let deep = render_source(
            "macro.j2",
            "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}\n{{ down(0) }}",
        )
        .unwrap_err()
        .to_string();
        assert!(
            deep.starts_with("template macro.j2, line 1: ") && deep.contains("recursion"),
            "{deep}"
        );
    }

    /// The bundle of a design with its own template: the file comes from it, and the
    /// template travels in `templates/`.
    #[test]
    fn overrides_render_and_travel_in_the_bundle() {
        let mut t = crate::defaults::test_design();
        let mine = default_template("haproxy.cfg.j2").unwrap().replace(
            "    option forwardfor\n",
            "    option forwardfor\n    option http-keep-alive\n",
        );
        t.templates.insert("haproxy.cfg.j2".into(), mine.clone());
        let bundle = render(&t).unwrap();
        assert!(
            bundle.files["etc/haproxy.cfg"]
                .contents
                .contains("    option http-keep-alive\n")
        );
        assert_eq!(bundle.files["templates/haproxy.cfg.j2"].contents, mine);
        assert!(
            bundle.files["README.md"]
                .contents
                .contains("name: haproxy.cfg.j2.")
        );
        // The other files are the built-in ones.
        let plain = render(&crate::defaults::test_design()).unwrap();
        assert_eq!(
            bundle.files["etc/nginx.conf"],
            plain.files["etc/nginx.conf"]
        );
        // An unknown name is the validator's error, which lists the valid ones.
        t.templates.insert("apache.conf.j2".into(), String::new());
        let Err(RenderError::Invalid(errors)) = render(&t) else {
            panic!("a design with an unknown template rendered");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, crate::Rule::TemplateUnknown);
        assert!(
            errors[0].hint.contains("(nginx.conf.j2, varnish.vcl.j2"),
            "{}",
            errors[0].hint
        );
    }

    #[test]
    fn a_template_error_names_the_template_and_the_line() {
        let error = |source| render_source("custom.j2", source).unwrap_err().to_string();
        assert_eq!(
            error("one\ntwo {{ plan.site.nmae }}\n"),
            "template custom.j2, line 2: undefined value"
        );
        assert_eq!(
            error("{% if plan.multi_host %}\nunclosed\n"),
            "template custom.j2, line 2: syntax error: unexpected end of input, expected end of block"
        );
        assert_eq!(
            error("\n\n{{ \"a$b\" | nginx }}"),
            "template custom.j2, line 3: invalid operation: cannot write \"a$b\" into nginx: \
             '$' would start a variable"
        );
        assert_eq!(
            error("{{ plan.site.name | upper | nginx_conf }}"),
            "template custom.j2, line 1: unknown filter: filter nginx_conf is unknown"
        );
    }

    #[test]
    fn render_validated_renders_the_plan_validation_resolved() {
        let mut t = crate::defaults::test_design();
        let validation = validate::validate(&t);
        assert!(validation.plan.is_some());
        assert_eq!(
            render_validated(&t, &validation).unwrap(),
            render(&t).unwrap()
        );
        // A design with errors is refused with its errors.
        crate::edit::set(&mut t, "components.nginx.http_port", "8100").unwrap();
        match render(&t) {
            Err(RenderError::Invalid(errors)) => {
                assert!(
                    errors
                        .iter()
                        .all(|d| d.severity == validate::Severity::Error)
                );
                assert!(
                    errors
                        .iter()
                        .any(|d| d.code == validate::Rule::PortConflict),
                    "{errors:?}"
                );
            }
            other => panic!("rendered a design with a port clash: {other:?}"),
        }
    }
}
