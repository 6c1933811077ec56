//! The mapper: walks the resolved buildout section by section and fills a design that
//! starts as the exercise's, noting every line it cannot carry over. The Zope instances
//! and their storage are mapped in `instances`, supervisor and its programs in `supervisor`.

mod instances;
mod supervisor;

use std::collections::BTreeSet;

use crate::import::ImportNote;
use crate::import::buildout::{Config, Loc, Problem, Resolver};
use crate::import::tables::*;
use crate::model::*;

pub(super) struct Mapper<'a> {
    resolver: Resolver<'a>,
    problems: Vec<Problem>,
    main: String,
    design: Topology,
    /// Sections reported as missing, so each is reported once.
    absent_sections: BTreeSet<String>,
    /// The plone.recipe.zope2instance parts, in buildout's order.
    instances: Vec<String>,
    /// The section the instances take their options from with `<=`.
    template: Option<String>,
    /// The collective.recipe.supervisor part.
    supervisor: Option<String>,
}

impl<'a> Mapper<'a> {
    pub(super) fn new(config: &'a Config, problems: Vec<Problem>, main: String) -> Mapper<'a> {
        Mapper {
            resolver: Resolver::new(config),
            problems,
            main,
            design: Topology::exercise(),
            absent_sections: BTreeSet::new(),
            instances: Vec::new(),
            template: None,
            supervisor: None,
        }
    }

    /// The design the mapping made.
    pub(super) fn into_design(self) -> Topology {
        self.design
    }

    fn note(&mut self, loc: &Loc, reason: impl Into<String>) {
        self.problems.push(Problem {
            loc: loc.clone(),
            reason: reason.into(),
        });
    }

    /// A note on a section's first header, or on the main file when no file has it.
    fn note_section(&mut self, section: &str, reason: impl Into<String>) {
        let loc = self.header(section);
        self.note(&loc, reason);
    }

    fn header(&self, section: &str) -> Loc {
        self.resolver
            .section(section)
            .and_then(|s| s.headers.first().cloned())
            .unwrap_or_else(|| Loc {
                file: self.main.clone(),
                line: 0,
                text: String::new(),
            })
    }

    fn has_section(&self, section: &str) -> bool {
        self.resolver
            .section(section)
            .is_some_and(|s| !s.headers.is_empty())
    }

    /// The recipe of a section, as written (recipes are not substituted in practice).
    fn recipe(&self, section: &str) -> Option<String> {
        let recipe = self.resolver.option(section, "recipe")?.raw();
        Some(recipe.trim().to_string())
    }

    fn is_recipe(&self, section: &str, recipe: &str) -> bool {
        self.recipe(section).is_some_and(|r| {
            r == recipe
                || r.starts_with(&format!("{recipe}:"))
                || r.starts_with(&format!("{recipe}["))
        })
    }

    pub(super) fn is_deployment(&self) -> bool {
        let config = self.resolver.config();
        VALUE_SECTIONS
            .iter()
            .filter(|s| **s != "buildout")
            .any(|s| self.has_section(s))
            || config
                .sections
                .keys()
                .any(|s| self.is_recipe(s, ZOPE_RECIPE) || self.is_recipe(s, SUPERVISOR_RECIPE))
    }

    /// `[section] key` after substitution, trimmed. A value that cannot be fully
    /// substituted is reported and not used.
    fn get(&mut self, section: &str, key: &str) -> Option<(String, Loc)> {
        let loc = self.resolver.option(section, key)?.loc.clone();
        let resolved = self.resolver.value(section, key)?;
        if resolved.problems.is_empty() {
            return Some((resolved.text.trim().to_string(), loc));
        }
        for problem in resolved.problems {
            self.note(
                &loc,
                format!("[{section}] {key} cannot be substituted: {problem}; the design keeps its own value"),
            );
        }
        None
    }

    fn text(&mut self, section: &str, key: &str) -> Option<String> {
        self.get(section, key).map(|(v, _)| v)
    }

    /// Reports that `[section] key` is not set and what the design keeps instead.
    fn absent(&mut self, section: &str, key: &str, kept: &str) {
        if !self.has_section(section) {
            if self.absent_sections.insert(section.to_string()) {
                self.note_section(
                    section,
                    format!("no given file has a [{section}] section; the design keeps the exercise's values for it"),
                );
            }
            return;
        }
        self.note_section(
            section,
            format!("[{section}] sets no {key}; the design keeps {kept:?}"),
        );
    }

    pub(super) fn run(&mut self) {
        self.map_option_fields();
        self.map_special_fields();
        self.find_instances();
        self.map_instances();
        self.map_supervisor();
        self.check_backends();
        self.connect();
    }

    fn map_option_fields(&mut self) {
        for OptionField {
            section,
            key,
            field,
            required,
        } in option_fields()
        {
            let Some(current) = field(&mut self.design).cloned() else {
                continue;
            };
            match self.resolver.option(section, key) {
                Some(_) => {
                    if let Some(value) = self.text(section, key)
                        && let Some(target) = field(&mut self.design)
                    {
                        *target = value;
                    }
                }
                None if required => self.absent(section, key, &current),
                None => {}
            }
        }
    }

    fn map_special_fields(&mut self) {
        if self.resolver.option("hosts", "allow-purge").is_some() {
            if let Some(acl) = self.text("hosts", "allow-purge")
                && let Some(v) = varnish(&mut self.design)
            {
                v.purge_acl = acl.split_whitespace().map(str::to_string).collect();
            }
        } else {
            let kept = varnish(&mut self.design)
                .map(|v| v.purge_acl.join(" "))
                .unwrap_or_default();
            self.absent("hosts", "allow-purge", &kept);
        }
        if let Some((balance, loc)) = self.get("stackwright", "haproxy-balance") {
            match Balance::from_id(&balance) {
                Some(b) => {
                    if let Some(h) = haproxy(&mut self.design) {
                        h.balance = b;
                    }
                }
                None => self.note(
                    &loc,
                    format!("{balance:?} is not a balance Stackwright knows (leastconn, roundrobin, source); the design keeps leastconn"),
                ),
            }
        }
        if let Some((flavor, loc)) = self.get("stackwright", "database-flavor") {
            match DatabaseFlavor::from_id(&flavor) {
                Some(f) => {
                    if let Some(d) = database(&mut self.design) {
                        d.flavor = f;
                    }
                }
                None => self.note(
                    &loc,
                    format!("{flavor:?} is not a database Stackwright knows (mariadb, mysql); the design keeps MariaDB"),
                ),
            }
        }
        let host = self.text("stackwright", "host");
        let host_address = self.text("stackwright", "host-address");
        if let Some(first) = self.design.hosts.first_mut() {
            if let Some(id) = host {
                first.id = id;
            }
            if let Some(address) = host_address {
                first.address = address;
            }
        }
        // A buildout runs on one machine: everything goes on the design's first host.
        self.design.hosts.truncate(1);
        if let Some(id) = self.design.hosts.first().map(|h| h.id.clone()) {
            for c in &mut self.design.components {
                c.host = id.clone();
            }
        }
    }

    /// Everything else in the files: options of the mapped sections the importer does
    /// not map, and whole sections it does not map, then every note in file order.
    pub(super) fn notes(&mut self, config: &Config) -> Vec<ImportNote> {
        let simple: Vec<(&str, &str)> = option_fields()
            .iter()
            .map(|s| (s.section, s.key))
            .chain(SPECIAL_KEYS)
            .collect();
        let instance_sections: BTreeSet<String> = self
            .instances
            .iter()
            .chain(self.template.iter())
            .cloned()
            .collect();
        for (name, section) in &config.sections {
            let value_section = VALUE_SECTIONS.contains(&name.as_str());
            if instance_sections.contains(name) || self.supervisor.as_ref() == Some(name) {
                let known: &[&str] = if instance_sections.contains(name) {
                    &INSTANCE_KEYS
                } else {
                    &SUPERVISOR_KEYS
                };
                for (key, opt) in &section.options {
                    // An option an instance inherits is reported on the template.
                    let on_template = opt.inherited
                        && self
                            .template
                            .as_ref()
                            .is_some_and(|t| t != name && self.resolver.option(t, key).is_some());
                    if !known.contains(&key.as_str()) && !on_template {
                        self.note(&opt.loc, option_reason(name, key, true));
                    }
                }
            } else if value_section {
                for (key, opt) in &section.options {
                    let is_instance =
                        matches!(name.as_str(), "hosts" | "ports") && self.instances.contains(key);
                    let builtin = name == "buildout" && BUILDOUT_BUILTINS.contains(&key.as_str());
                    if !simple.contains(&(name.as_str(), key.as_str())) && !is_instance && !builtin
                    {
                        self.note(&opt.loc, option_reason(name, key, false));
                    }
                }
            } else {
                let reason = section_reason(name, self.recipe(name).as_deref());
                for header in &section.headers {
                    // zope2instance sections left out were reported when instances
                    // were picked.
                    if !self.is_recipe(name, ZOPE_RECIPE) {
                        self.note(header, reason.clone());
                    }
                }
            }
        }
        let order = |file: &str| {
            config
                .files
                .iter()
                .position(|f| f == file)
                .unwrap_or(usize::MAX)
        };
        let mut notes: Vec<(usize, ImportNote)> = self
            .problems
            .iter()
            .map(|p| {
                (
                    order(&p.loc.file),
                    ImportNote {
                        file: p.loc.file.clone(),
                        line: p.loc.line,
                        text: if p.loc.line == 0 {
                            String::new()
                        } else {
                            p.loc.text.clone()
                        },
                        reason: p.reason.clone(),
                    },
                )
            })
            .collect();
        // Stable: notes of one line keep the order they were made in.
        notes.sort_by(|(a, x), (b, y)| (a, &x.file, x.line).cmp(&(b, &y.file, y.line)));
        // The same note from two places is kept once; sorted by file and line, a repeat
        // sits among the notes of its own line.
        let mut kept: Vec<ImportNote> = Vec::new();
        for (_, note) in notes {
            let repeated = kept
                .iter()
                .rev()
                .take_while(|k| k.file == note.file && k.line == note.line)
                .any(|k| k.reason == note.reason);
            if !repeated {
                kept.push(note);
            }
        }
        kept
    }
}

fn set(target: Option<&mut String>, value: String) {
    if let Some(target) = target {
        *target = value;
    }
}

/// Why an option of a section the importer reads is left out.
fn option_reason(section: &str, key: &str, part: bool) -> String {
    let why = match (section, key) {
        (_, "syslog") => "the design has no syslog target: the bundle's daemons log to files",
        ("buildout", _) => "a buildout setting, not part of the deployment's design",
        (_, "eggs") if part => {
            "the bundle installs Plone, RelStorage and PyMySQL from its own requirements; other eggs are not carried over"
        }
        (_, "http-fast-listen") => {
            "the bundle serves Zope with waitress (WSGI); ZServer's fast listen does not apply"
        }
        (_, "event-log-custom" | "access-log-custom" | "event-log-level") => {
            "the bundle writes its own logging configuration"
        }
        ("databases", _) => "the design has one database (zodb)",
        ("sites", _) => "the design serves one site (main)",
        _ => "not part of the design",
    };
    format!("[{section}] {key}: {why}; ignored")
}

/// Why a whole section is left out.
fn section_reason(section: &str, recipe: Option<&str>) -> String {
    match (section, recipe) {
        ("versions", _) => {
            "[versions] pins eggs; the bundle pins its own packages, so this section is ignored"
                .into()
        }
        (_, Some(recipe)) => format!(
            "[{section}] (recipe {recipe}) is not part of the design; ignored, the bundle sets up its own programs and files"
        ),
        _ => format!("[{section}] is not part of the design; ignored"),
    }
}
