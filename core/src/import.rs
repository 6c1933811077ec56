//! Bring an existing buildout in, and take one out.
//!
//! [`import`] reads a deployment buildout (the exercise's `deployment.cfg` and the files
//! it extends) the way zc.buildout reads it, then maps the sections the exercise uses
//! onto a design that starts as the exercise's. Whatever it cannot map it reports, line
//! by line, instead of guessing: a user migrating a real buildout needs to know which of
//! their settings did not make it into the design. [`export_buildout`] writes a design
//! back as a `deployment.cfg` in the exercise's layout.
//!
//! Only a broken input stops an import ([`ImportError`]); everything else, including a
//! substitution of an option no given file defines, becomes an [`ImportNote`] and the
//! field keeps its value. Users usually hand over `deployment.cfg` alone, or a folder
//! whose extended files reference options that recipes compute while buildout runs
//! (`${nginx-build:location}`): failing on those would make the importer useless for
//! exactly the files it exists for.
//!
//! `docs/import.md` describes what is imported and the rules followed.

mod buildout;
pub mod buildout_files;
mod export;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use buildout::{Config, LoadError, Loc, Problem, Resolver};
pub use export::export_buildout;

use crate::model::*;

/// Something in the given files the importer did not take into the design, or took
/// with a caveat: where it is and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportNote {
    /// The file, as its path was given (relative paths normalised).
    pub file: String,
    /// The 1-based line; 0 when the note is about the file as a whole (a value no file
    /// sets, for example).
    pub line: usize,
    /// The line as written, without its line break; empty when `line` is 0.
    pub text: String,
    pub reason: String,
}

impl fmt::Display for ImportNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.reason)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.reason)?;
            if !self.text.trim().is_empty() {
                write!(f, "\n    {}", self.text.trim())?;
            }
            Ok(())
        }
    }
}

/// The design a buildout describes, and the report of what was left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub topology: Topology,
    /// Sorted by file (in the order the files were read) and line.
    pub notes: Vec<ImportNote>,
}

/// Why a buildout could not be imported at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    #[error("{main} is not among the given files ({})", list_or_none(.given))]
    MainMissing { main: String, given: Vec<String> },
    #[error("the files extend each other in a loop: {}; buildout refuses this too", .chain.join(" extends "))]
    CyclicExtends { chain: Vec<String> },
    #[error(
        "{file} is not a deployment buildout: it has none of the sections [hosts], [ports], [users], [instance] (a plone.recipe.zope2instance part) or [supervisor]"
    )]
    NotADeployment { file: String },
}

fn list_or_none(files: &[String]) -> String {
    if files.is_empty() {
        "no file was given".into()
    } else {
        format!("given: {}", files.join(", "))
    }
}

/// Reads the buildout whose top file is `main`, with `files` mapping every path the
/// caller has (relative to one folder, `/` separated) to its text.
pub fn import(files: &BTreeMap<String, String>, main: &str) -> Result<Imported, ImportError> {
    let mut problems = Vec::new();
    let config = match buildout::load(files, main, &mut problems) {
        Ok(config) => config,
        Err(LoadError::MainMissing) => {
            return Err(ImportError::MainMissing {
                main: main.to_string(),
                given: files.keys().cloned().collect(),
            });
        }
        Err(LoadError::CyclicExtends(chain)) => return Err(ImportError::CyclicExtends { chain }),
    };
    let main = buildout::normalize_path(main);
    let mut mapper = Mapper {
        r: Resolver::new(&config),
        problems,
        main: main.clone(),
        t: Topology::exercise(),
        absent_sections: BTreeSet::new(),
        instances: Vec::new(),
        template: None,
        supervisor: None,
    };
    if !mapper.is_deployment() {
        return Err(ImportError::NotADeployment { file: main });
    }
    mapper.run();
    let notes = mapper.notes(&config);
    Ok(Imported {
        topology: mapper.t,
        notes,
    })
}

/// The recipes the importer maps.
const ZOPE_RECIPE: &str = "plone.recipe.zope2instance";
const SUPERVISOR_RECIPE: &str = "collective.recipe.supervisor";

/// The sections of the exercise's layout with a fixed set of keys.
const VALUE_SECTIONS: [&str; 11] = [
    "hosts",
    "ports",
    "users",
    "passwords",
    "databases",
    "varnish-options",
    "limits",
    "urls",
    "sites",
    "stackwright",
    "buildout",
];

/// A string field of the design reached from the whole topology.
type Field = fn(&mut Topology) -> Option<&mut String>;

/// One `[section] key` that maps onto one string field. `required` ones are reported
/// when no file sets them.
struct Simple {
    section: &'static str,
    key: &'static str,
    field: Field,
    required: bool,
}

/// The component of a kind (the design has one of each, except Zope instances).
fn of_kind(t: &mut Topology, kind: Kind) -> Option<&mut Component> {
    t.components.iter_mut().find(|c| c.kind() == kind)
}

macro_rules! kind_settings {
    ($name:ident, $variant:ident, $ty:ty) => {
        pub(crate) fn $name(t: &mut Topology) -> Option<&mut $ty> {
            t.components.iter_mut().find_map(|c| match &mut c.kind {
                ComponentKind::$variant(x) => Some(x),
                _ => None,
            })
        }
    };
}
kind_settings!(nginx, Nginx, Nginx);
kind_settings!(varnish, Varnish, Varnish);
kind_settings!(haproxy, Haproxy, Haproxy);
kind_settings!(database, Database, Database);
kind_settings!(memcached, Memcached, Memcached);
kind_settings!(supervisor, Supervisor, Supervisor);

fn address(kind: Kind) -> Field {
    match kind {
        Kind::Nginx => |t| of_kind(t, Kind::Nginx).map(|c| &mut c.address),
        Kind::Varnish => |t| of_kind(t, Kind::Varnish).map(|c| &mut c.address),
        Kind::Haproxy => |t| of_kind(t, Kind::Haproxy).map(|c| &mut c.address),
        Kind::Memcached => |t| of_kind(t, Kind::Memcached).map(|c| &mut c.address),
        Kind::Database => |t| of_kind(t, Kind::Database).map(|c| &mut c.address),
        Kind::Supervisor => |t| of_kind(t, Kind::Supervisor).map(|c| &mut c.address),
        Kind::Zope => |_| None,
    }
}

fn user(kind: Kind) -> Field {
    match kind {
        Kind::Nginx => |t| of_kind(t, Kind::Nginx).map(|c| &mut c.user),
        Kind::Varnish => |t| of_kind(t, Kind::Varnish).map(|c| &mut c.user),
        Kind::Haproxy => |t| of_kind(t, Kind::Haproxy).map(|c| &mut c.user),
        Kind::Memcached => |t| of_kind(t, Kind::Memcached).map(|c| &mut c.user),
        Kind::Database => |t| of_kind(t, Kind::Database).map(|c| &mut c.user),
        Kind::Supervisor => |t| of_kind(t, Kind::Supervisor).map(|c| &mut c.user),
        Kind::Zope => |_| None,
    }
}

/// Every `[section] key` that maps onto one string field, in the exercise's order.
/// Database and supervisor credentials, the database's address and the supervisor's
/// port are read here and then overridden by the parts that use them (rel-storage,
/// [supervisor]), since those are what buildout acts on.
fn simple_fields() -> Vec<Simple> {
    let f = |section, key, field: Field, required| Simple {
        section,
        key,
        field,
        required,
    };
    vec![
        f(
            "hosts",
            "public",
            |t| nginx(t).map(|n| &mut n.public_host),
            true,
        ),
        f("hosts", "varnish", address(Kind::Varnish), true),
        f("hosts", "haproxy", address(Kind::Haproxy), true),
        f("hosts", "memcached", address(Kind::Memcached), true),
        f("hosts", "database", address(Kind::Database), true),
        f("hosts", "supervisor", address(Kind::Supervisor), true),
        f(
            "ports",
            "http",
            |t| nginx(t).map(|n| &mut n.http_port),
            true,
        ),
        f(
            "ports",
            "https",
            |t| nginx(t).map(|n| &mut n.https_port),
            true,
        ),
        f(
            "ports",
            "varnish",
            |t| varnish(t).map(|v| &mut v.port),
            true,
        ),
        f(
            "ports",
            "haproxy",
            |t| haproxy(t).map(|h| &mut h.port),
            true,
        ),
        f(
            "ports",
            "haproxy-stats",
            |t| haproxy(t).map(|h| &mut h.stats_port),
            true,
        ),
        f(
            "ports",
            "memcached",
            |t| memcached(t).map(|m| &mut m.port),
            true,
        ),
        f(
            "ports",
            "database",
            |t| database(t).map(|d| &mut d.port),
            true,
        ),
        f(
            "ports",
            "supervisor",
            |t| supervisor(t).map(|s| &mut s.port),
            false,
        ),
        f("users", "nginx", user(Kind::Nginx), true),
        f("users", "varnish", user(Kind::Varnish), true),
        f("users", "haproxy", user(Kind::Haproxy), true),
        f("users", "memcached", user(Kind::Memcached), true),
        f(
            "users",
            "zope-admin",
            |t| Some(&mut t.settings.zope_admin_user),
            false,
        ),
        f(
            "users",
            "database",
            |t| database(t).map(|d| &mut d.user),
            false,
        ),
        f(
            "users",
            "supervisor-admin",
            |t| supervisor(t).map(|s| &mut s.user),
            false,
        ),
        f(
            "users",
            "haproxy-stats",
            |t| haproxy(t).map(|h| &mut h.stats_user),
            false,
        ),
        f(
            "passwords",
            "zope-admin",
            |t| Some(&mut t.settings.zope_admin_password),
            false,
        ),
        f(
            "passwords",
            "database",
            |t| database(t).map(|d| &mut d.password),
            false,
        ),
        f(
            "passwords",
            "supervisor-admin",
            |t| supervisor(t).map(|s| &mut s.password),
            false,
        ),
        f(
            "passwords",
            "haproxy-stats",
            |t| haproxy(t).map(|h| &mut h.stats_password),
            false,
        ),
        f(
            "databases",
            "zodb",
            |t| database(t).map(|d| &mut d.name),
            false,
        ),
        f(
            "varnish-options",
            "storage",
            |t| varnish(t).map(|v| &mut v.storage),
            true,
        ),
        f(
            "varnish-options",
            "tuning",
            |t| varnish(t).map(|v| &mut v.tuning),
            false,
        ),
        f(
            "limits",
            "open-files",
            |t| Some(&mut t.settings.open_files),
            true,
        ),
        f(
            "limits",
            "session-timeout",
            |t| Some(&mut t.settings.session_timeout),
            true,
        ),
        f(
            "urls",
            "fallback",
            |t| Some(&mut t.settings.fallback_url),
            true,
        ),
        f("sites", "main", |t| Some(&mut t.settings.site_id), true),
        // Values the exercise's layout has no place for; `export_buildout` writes them
        // only when they differ from the exercise's.
        f("stackwright", "name", |t| Some(&mut t.settings.name), false),
        f(
            "stackwright",
            "install-dir",
            |t| Some(&mut t.settings.install_dir),
            false,
        ),
        f("stackwright", "nginx-address", address(Kind::Nginx), false),
        f(
            "stackwright",
            "certificate",
            |t| nginx(t).map(|n| &mut n.certificate),
            false,
        ),
        f(
            "stackwright",
            "certificate-key",
            |t| nginx(t).map(|n| &mut n.certificate_key),
            false,
        ),
        f(
            "stackwright",
            "status-path",
            |t| nginx(t).map(|n| &mut n.status_path),
            false,
        ),
        f(
            "stackwright",
            "haproxy-check-interval",
            |t| haproxy(t).map(|h| &mut h.check_interval_ms),
            false,
        ),
        f(
            "stackwright",
            "haproxy-fall",
            |t| haproxy(t).map(|h| &mut h.fall),
            false,
        ),
        f(
            "stackwright",
            "haproxy-rise",
            |t| haproxy(t).map(|h| &mut h.rise),
            false,
        ),
        f(
            "stackwright",
            "haproxy-maxconn",
            |t| haproxy(t).map(|h| &mut h.maxconn_per_server),
            false,
        ),
        f(
            "stackwright",
            "memcached-memory",
            |t| memcached(t).map(|m| &mut m.memory_mb),
            false,
        ),
    ]
}

/// Keys read by special code rather than through [`simple_fields`].
const SPECIAL_KEYS: [(&str, &str); 12] = [
    ("buildout", "parts"),
    ("hosts", "allow-purge"),
    ("hosts", "nginx-backend"),
    ("hosts", "varnish-backend"),
    ("ports", "nginx-backend"),
    ("ports", "varnish-backend"),
    ("users", "zope-process"),
    ("stackwright", "host"),
    ("stackwright", "host-address"),
    ("stackwright", "haproxy-balance"),
    ("stackwright", "database-flavor"),
    ("buildout", "directory"),
];

/// buildout's own options every buildout has; never reported.
const BUILDOUT_BUILTINS: [&str; 4] = [
    "bin-directory",
    "parts-directory",
    "eggs-directory",
    "develop-eggs-directory",
];

/// The options of a plone.recipe.zope2instance part the importer maps.
const INSTANCE_KEYS: [&str; 11] = [
    "recipe",
    "user",
    "effective-user",
    "http-address",
    "zserver-threads",
    "threads",
    "zodb-cache-size",
    "debug-mode",
    "verbose-security",
    "rel-storage",
    "shared-blob",
];

const SUPERVISOR_KEYS: [&str; 6] = [
    "recipe",
    "port",
    "user",
    "password",
    "serverurl",
    "programs",
];

/// The supervisor priority the bundle gives each program, by kind.
fn priority(kind: Kind) -> Option<u32> {
    match kind {
        Kind::Memcached => Some(0),
        Kind::Zope => Some(10),
        Kind::Haproxy => Some(20),
        Kind::Varnish => Some(30),
        Kind::Nginx => Some(40),
        Kind::Database | Kind::Supervisor => None,
    }
}

/// The address a client on the same machine reaches `address` at, for comparing
/// `localhost`, loopback and wildcard binds with what another section connects to.
fn reach(address: &str) -> String {
    let a = address.trim().trim_start_matches('[').trim_end_matches(']');
    match a.to_ascii_lowercase().as_str() {
        "" | "localhost" | "0.0.0.0" | "::" | "*" | "::1" => "127.0.0.1".into(),
        other => other.to_string(),
    }
}

/// `host:port`, `[v6]:port` or a bare port (all interfaces), as zope2instance reads
/// `http-address`.
fn split_address(value: &str) -> (String, String) {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix('[')
        && let Some((host, port)) = rest.split_once("]:")
    {
        return (host.to_string(), port.to_string());
    }
    match value.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => (host.to_string(), port.to_string()),
        Some((_, port)) => ("0.0.0.0".into(), port.to_string()),
        None => ("0.0.0.0".into(), value.to_string()),
    }
}

/// zope2instance's on/off switches; ZConfig reads these spellings.
fn parse_switch(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Some(true),
        "off" | "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// `instanceN` -> N.
fn instance_number(part: &str) -> Option<usize> {
    part.strip_prefix("instance")?.parse().ok()
}

/// What the instance template says, before any instance overrides it.
struct TemplateValues {
    threads: String,
    zodb_cache_size: String,
    debug_mode: bool,
    verbose_security: bool,
}

struct Mapper<'a> {
    r: Resolver<'a>,
    problems: Vec<Problem>,
    main: String,
    t: Topology,
    /// Sections reported as missing, so each is reported once.
    absent_sections: BTreeSet<String>,
    /// The plone.recipe.zope2instance parts, in buildout's order.
    instances: Vec<String>,
    /// The section the instances take their options from with `<=`.
    template: Option<String>,
    /// The collective.recipe.supervisor part.
    supervisor: Option<String>,
}

impl Mapper<'_> {
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
        self.r
            .section(section)
            .and_then(|s| s.headers.first().cloned())
            .unwrap_or_else(|| Loc {
                file: self.main.clone(),
                line: 0,
                text: String::new(),
            })
    }

    fn has_section(&self, section: &str) -> bool {
        self.r
            .section(section)
            .is_some_and(|s| !s.headers.is_empty())
    }

    /// The recipe of a section, as written (recipes are not substituted in practice).
    fn recipe(&self, section: &str) -> Option<String> {
        let recipe = self.r.option(section, "recipe")?.raw();
        Some(recipe.trim().to_string())
    }

    fn is_recipe(&self, section: &str, recipe: &str) -> bool {
        self.recipe(section).is_some_and(|r| {
            r == recipe
                || r.starts_with(&format!("{recipe}:"))
                || r.starts_with(&format!("{recipe}["))
        })
    }

    fn is_deployment(&self) -> bool {
        let config = self.r.config();
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
        let loc = self.r.option(section, key)?.loc.clone();
        let resolved = self.r.value(section, key)?;
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

    fn run(&mut self) {
        self.map_simple_fields();
        self.map_special_fields();
        self.find_instances();
        self.map_instances();
        self.map_supervisor();
        self.check_backends();
        self.connect();
    }

    fn map_simple_fields(&mut self) {
        for Simple {
            section,
            key,
            field,
            required,
        } in simple_fields()
        {
            let Some(current) = field(&mut self.t).cloned() else {
                continue;
            };
            match self.r.option(section, key) {
                Some(_) => {
                    if let Some(value) = self.text(section, key)
                        && let Some(target) = field(&mut self.t)
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
        if self.r.option("hosts", "allow-purge").is_some() {
            if let Some(acl) = self.text("hosts", "allow-purge")
                && let Some(v) = varnish(&mut self.t)
            {
                v.purge_acl = acl.split_whitespace().map(str::to_string).collect();
            }
        } else {
            let kept = varnish(&mut self.t)
                .map(|v| v.purge_acl.join(" "))
                .unwrap_or_default();
            self.absent("hosts", "allow-purge", &kept);
        }
        if let Some((balance, loc)) = self.get("stackwright", "haproxy-balance") {
            match Balance::from_id(&balance) {
                Some(b) => {
                    if let Some(h) = haproxy(&mut self.t) {
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
                    if let Some(d) = database(&mut self.t) {
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
        if let Some(first) = self.t.hosts.first_mut() {
            if let Some(id) = host {
                first.id = id;
            }
            if let Some(address) = host_address {
                first.address = address;
            }
        }
        // A buildout runs on one machine: everything goes on the design's first host.
        self.t.hosts.truncate(1);
        if let Some(id) = self.t.hosts.first().map(|h| h.id.clone()) {
            for c in &mut self.t.components {
                c.host = id.clone();
            }
        }
    }

    /// Picks the plone.recipe.zope2instance parts buildout would build and the template
    /// they take their options from.
    fn find_instances(&mut self) {
        let config = self.r.config();
        let candidates: Vec<String> = config
            .sections
            .keys()
            .filter(|s| self.is_recipe(s, ZOPE_RECIPE))
            .cloned()
            .collect();
        let macro_sources: BTreeSet<String> = candidates
            .iter()
            .flat_map(|c| config.sections[c].macros.iter().cloned())
            .collect();
        // Line by line, so that a note points at the line that names the part.
        let parts = match self.r.option("buildout", "parts") {
            Some(opt) => {
                let mut seen = BTreeSet::new();
                let mut parts = Vec::new();
                for line in &opt.lines {
                    let resolved = self.r.text(&line.text, "buildout");
                    for problem in &resolved.problems {
                        self.note(
                            &line.loc,
                            format!("[buildout] parts cannot be fully substituted: {problem}"),
                        );
                    }
                    for part in resolved.text.split_whitespace() {
                        if part.contains("${") || !seen.insert(part.to_string()) {
                            continue;
                        }
                        if !config.sections.contains_key(part) {
                            self.note(
                                &line.loc,
                                format!("part {part} has no section in the given files; buildout would stop here"),
                            );
                        }
                        parts.push(part.to_string());
                    }
                }
                Some(parts)
            }
            None => None,
        };
        let mut instances: Vec<String> = match &parts {
            Some(parts) => parts
                .iter()
                .filter(|p| candidates.contains(p))
                .cloned()
                .collect(),
            None => candidates
                .iter()
                .filter(|c| !macro_sources.contains(*c))
                .cloned()
                .collect(),
        };
        if parts.is_none() {
            // Without a parts list, number order: instance2 before instance10.
            instances.sort_by_key(|p| (instance_number(p).unwrap_or(usize::MAX), p.clone()));
        }
        let first_macro = |p: &String| config.sections[p].macros.first().cloned();
        let template = match instances.first().and_then(first_macro) {
            Some(t)
                if instances
                    .iter()
                    .all(|p| first_macro(p).as_ref() == Some(&t)) =>
            {
                Some(t)
            }
            _ => Some("instance".to_string())
                .filter(|t| config.sections.contains_key(t) && !instances.contains(t)),
        };
        for candidate in &candidates {
            if !instances.contains(candidate) && Some(candidate) != template.as_ref() {
                let loc = self.header(candidate);
                self.note(
                    &loc,
                    format!("[{candidate}] uses {ZOPE_RECIPE} but is not in buildout's parts, so buildout does not build it; not imported"),
                );
            }
        }
        if instances.is_empty() {
            let loc = self.header("buildout");
            self.note(
                &loc,
                format!("no part uses {ZOPE_RECIPE}; the design has no Zope instance"),
            );
        }
        let supervisor = parts
            .iter()
            .flatten()
            .find(|p| self.is_recipe(p, SUPERVISOR_RECIPE))
            .cloned()
            .or_else(|| Some("supervisor".to_string()).filter(|s| self.has_section(s)));
        self.instances = instances;
        self.template = template;
        self.supervisor = supervisor;
    }

    /// The template's values: from the template section, else from the first instance.
    fn template_values(&mut self) -> TemplateValues {
        let base = self.t.settings.instance.clone();
        let source = self
            .template
            .clone()
            .or_else(|| self.instances.first().cloned());
        let mut values = TemplateValues {
            threads: base.threads,
            zodb_cache_size: base.zodb_cache_size,
            debug_mode: base.debug_mode,
            verbose_security: base.verbose_security,
        };
        let Some(source) = source else {
            return values;
        };
        match self.threads(&source) {
            Some(threads) => values.threads = threads,
            None => self.note_section(
                &source,
                format!(
                    "[{source}] sets no zserver-threads; the recipe's default depends on its version, the design keeps {}",
                    values.threads
                ),
            ),
        }
        match self.text(&source, "zodb-cache-size") {
            Some(size) => values.zodb_cache_size = size,
            None if self.r.option(&source, "zodb-cache-size").is_none() => self.note_section(
                &source,
                format!(
                    "[{source}] sets no zodb-cache-size; the recipe's default depends on its version, the design keeps {}",
                    values.zodb_cache_size
                ),
            ),
            None => {}
        }
        if let Some(on) = self.switch(&source, "debug-mode") {
            values.debug_mode = on;
        }
        if let Some(on) = self.switch(&source, "verbose-security") {
            values.verbose_security = on;
        }
        values
    }

    fn threads(&mut self, section: &str) -> Option<String> {
        self.text(section, "zserver-threads")
            .or_else(|| self.text(section, "threads"))
    }

    /// An on/off option; a value that is neither is reported and not used.
    fn switch(&mut self, section: &str, key: &str) -> Option<bool> {
        let (value, loc) = self.get(section, key)?;
        let on = parse_switch(&value);
        if on.is_none() {
            self.note(
                &loc,
                format!("{value:?} is not on or off; the design keeps its own value"),
            );
        }
        on
    }

    fn map_instances(&mut self) {
        let template = self.template_values();
        self.t.settings.instance = InstanceTemplate {
            threads: template.threads.clone(),
            zodb_cache_size: template.zodb_cache_size.clone(),
            debug_mode: template.debug_mode,
            verbose_security: template.verbose_security,
        };
        let source = self
            .template
            .clone()
            .or_else(|| self.instances.first().cloned());
        if let Some(source) = source.clone() {
            self.map_admin(&source);
            match self.switch(&source, "shared-blob") {
                Some(on) => self.t.settings.shared_blobs = on,
                None if self.r.option(&source, "shared-blob").is_none() => {
                    self.t.settings.shared_blobs = false;
                    self.note_section(
                        &source,
                        format!("[{source}] sets no shared-blob; {ZOPE_RECIPE}'s default is off, and so is the design's"),
                    );
                }
                None => {}
            }
            self.map_rel_storage(&source);
        }
        let positions: Vec<Position> = self.t.of_kind(Kind::Zope).map(|c| c.position).collect();
        let first = positions.first().copied().unwrap_or_default();
        let step = match positions.as_slice() {
            [a, b, ..] => b.y - a.y,
            _ => 100,
        };
        let zope_process = self.text("users", "zope-process");
        let host = self
            .t
            .hosts
            .first()
            .map(|h| h.id.clone())
            .unwrap_or_default();
        let mut components = Vec::new();
        for (i, part) in self.instances.clone().iter().enumerate() {
            let (address, port) = match self.get(part, "http-address") {
                Some((value, _)) => split_address(&value),
                None => {
                    if self.r.option(part, "http-address").is_none() {
                        self.note_section(
                            part,
                            format!("[{part}] sets no http-address; {ZOPE_RECIPE} then listens on 0.0.0.0:8080"),
                        );
                    }
                    ("0.0.0.0".into(), "8080".into())
                }
            };
            let user = self
                .text(part, "effective-user")
                .or_else(|| zope_process.clone())
                .unwrap_or_else(|| "nobody".into());
            let uses_macro = self.r.section(part).is_some_and(|s| !s.macros.is_empty());
            let own = |m: &Self, key: &str| {
                m.r.option(part, key).is_some_and(|o| !o.inherited) && uses_macro
            };
            let is_template = source.as_deref() == Some(part.as_str());
            let threads = self.threads(part).filter(|v| {
                !is_template
                    && (own(self, "zserver-threads")
                        || own(self, "threads")
                        || *v != template.threads)
            });
            let zodb_cache_size = self.text(part, "zodb-cache-size").filter(|v| {
                !is_template && (own(self, "zodb-cache-size") || *v != template.zodb_cache_size)
            });
            let debug_mode = self
                .switch(part, "debug-mode")
                .filter(|v| !is_template && (own(self, "debug-mode") || *v != template.debug_mode));
            let verbose_security = self.switch(part, "verbose-security").filter(|v| {
                !is_template && (own(self, "verbose-security") || *v != template.verbose_security)
            });
            self.check_same_as_template(part);
            let name = match instance_number(part) {
                Some(n) => format!("Instance {n}"),
                None => part.clone(),
            };
            components.push(Component {
                id: part.clone(),
                name,
                host: host.clone(),
                address,
                user,
                position: Position {
                    x: first.x,
                    y: first.y + i as i32 * step,
                },
                kind: ComponentKind::Zope(ZopeInstance {
                    port,
                    threads,
                    zodb_cache_size,
                    debug_mode,
                    verbose_security,
                }),
            });
        }
        let at = self
            .t
            .components
            .iter()
            .position(|c| c.kind() == Kind::Zope)
            .unwrap_or(self.t.components.len());
        self.t.components.retain(|c| c.kind() != Kind::Zope);
        let at = at.min(self.t.components.len());
        self.t.components.splice(at..at, components);
        // HAProxy sends each instance no more requests than it has threads (rule 5),
        // unless the file says otherwise.
        if self.r.option("stackwright", "haproxy-maxconn").is_none() {
            let t = &self.t;
            let threads: Option<Vec<u64>> = t
                .of_kind(Kind::Zope)
                .map(|c| match &c.kind {
                    ComponentKind::Zope(z) => t.effective_instance(z).threads.parse().ok(),
                    _ => None,
                })
                .collect();
            if let Some(min) = threads.and_then(|t| t.into_iter().min())
                && let Some(h) = haproxy(&mut self.t)
            {
                h.maxconn_per_server = min.to_string();
            }
        }
    }

    /// The Zope admin from zope2instance's `user = name:password`, which is what the
    /// recipe creates; [users]/[passwords] zope-admin are only its usual source.
    fn map_admin(&mut self, source: &str) {
        let Some((value, loc)) = self.get(source, "user") else {
            if self.r.option(source, "user").is_none()
                && self.r.option("users", "zope-admin").is_none()
            {
                let kept = self.t.settings.zope_admin_user.clone();
                self.note_section(
                    source,
                    format!("[{source}] sets no user (name:password) and [users] no zope-admin; the design keeps the admin {kept:?}"),
                );
            }
            return;
        };
        match value.split_once(':') {
            Some((user, password)) => {
                self.t.settings.zope_admin_user = user.to_string();
                self.t.settings.zope_admin_password = password.to_string();
            }
            None => self.note(
                &loc,
                "user should be name:password; the design keeps the admin from [users] and [passwords]",
            ),
        }
    }

    /// Reports options an instance sets differently from the template although the
    /// design has one value for all instances.
    fn check_same_as_template(&mut self, part: &str) {
        let Some(source) = self
            .template
            .clone()
            .or_else(|| self.instances.first().cloned())
        else {
            return;
        };
        if source == part {
            return;
        }
        for key in ["user", "rel-storage", "shared-blob"] {
            let (Some(mine), Some(theirs)) =
                (self.r.option(part, key), self.r.option(&source, key))
            else {
                continue;
            };
            if mine.inherited || mine.raw() == theirs.raw() {
                continue;
            }
            let loc = mine.loc.clone();
            self.note(
                &loc,
                format!("[{part}] sets its own {key}, but the design has one for all instances (from [{source}]); ignored"),
            );
        }
    }

    /// RelStorage's options, one `key value` per line.
    fn map_rel_storage(&mut self, source: &str) {
        let Some(opt) = self.r.option(source, "rel-storage") else {
            self.note_section(
                source,
                format!("[{source}] has no rel-storage, so its instances use a FileStorage; the design always keeps the ZODB in the database"),
            );
            return;
        };
        let lines = opt.lines.clone();
        let mut cache_servers = None;
        for line in lines {
            if line.text.trim().is_empty() {
                continue;
            }
            let resolved = self.r.text(&line.text, source);
            if !resolved.problems.is_empty() {
                for problem in resolved.problems {
                    self.note(
                        &line.loc,
                        format!("rel-storage line cannot be substituted: {problem}; not imported"),
                    );
                }
                continue;
            }
            let text = resolved.text.trim().to_string();
            let (key, value) = match text.split_once(char::is_whitespace) {
                Some((k, v)) => (k.to_string(), v.trim().to_string()),
                None => (text.clone(), String::new()),
            };
            match key.as_str() {
                "type" => {
                    if !value.eq_ignore_ascii_case("mysql") {
                        self.note(
                            &line.loc,
                            format!("RelStorage on {value} is not something the design can hold (MySQL or MariaDB only); it keeps MariaDB"),
                        );
                    }
                }
                "db" => set(database(&mut self.t).map(|d| &mut d.name), value),
                "user" => set(database(&mut self.t).map(|d| &mut d.user), value),
                "passwd" => set(database(&mut self.t).map(|d| &mut d.password), value),
                "host" => set(of_kind(&mut self.t, Kind::Database).map(|c| &mut c.address), value),
                "port" => set(database(&mut self.t).map(|d| &mut d.port), value),
                "cache-servers" => cache_servers = Some((value, line.loc.clone())),
                // The bundle decides where blobs live.
                "blob-dir" => {}
                _ => self.note(
                    &line.loc,
                    format!("RelStorage option {key} is not part of the design; the bundle writes its own RelStorage settings"),
                ),
            }
        }
        match cache_servers {
            Some((servers, loc)) => {
                let memcached = self.t.first(Kind::Memcached).map(|m| {
                    (reach(&m.address), m.main_port().to_string())
                });
                let listed: Vec<(String, String)> = servers
                    .split_whitespace()
                    .map(|s| {
                        let (host, port) = split_address(s);
                        (reach(&host), port)
                    })
                    .collect();
                if listed.len() != 1 || memcached.as_ref() != listed.first() {
                    self.note(
                        &loc,
                        format!("cache-servers {servers} is not the memcached of [hosts] and [ports]; the design connects every instance to that one memcached"),
                    );
                }
            }
            None => self.note(
                &opt.loc,
                "rel-storage sets no cache-servers; the design connects every instance to memcached",
            ),
        }
    }

    fn map_supervisor(&mut self) {
        let Some(part) = self.supervisor.clone() else {
            let loc = self.header("buildout");
            self.note(
                &loc,
                format!("no {SUPERVISOR_RECIPE} part; the design keeps the exercise's supervisor"),
            );
            return;
        };
        if !self.is_recipe(&part, SUPERVISOR_RECIPE) {
            let recipe = self.recipe(&part).unwrap_or_default();
            self.note_section(
                &part,
                format!(
                    "[{part}] uses recipe {recipe:?}, not {SUPERVISOR_RECIPE}; read as if it were"
                ),
            );
        }
        if let Some((port, _)) = self.get(&part, "port") {
            let (host, port) = match port.rsplit_once(':') {
                Some((host, port)) => (Some(host.to_string()), port.to_string()),
                None => (None, port),
            };
            set(supervisor(&mut self.t).map(|s| &mut s.port), port);
            if let Some(host) = host.filter(|h| !h.is_empty()) {
                set(
                    of_kind(&mut self.t, Kind::Supervisor).map(|c| &mut c.address),
                    host,
                );
            }
        } else if self.r.option(&part, "port").is_none()
            && self.r.option("ports", "supervisor").is_none()
        {
            let kept = supervisor(&mut self.t)
                .map(|s| s.port.clone())
                .unwrap_or_default();
            self.note_section(
                &part,
                format!("[{part}] sets no port; the design keeps {kept}"),
            );
        }
        for (key, field) in [
            ("user", (|t| supervisor(t).map(|s| &mut s.user)) as Field),
            ("password", |t| supervisor(t).map(|s| &mut s.password)),
        ] {
            if let Some(value) = self.text(&part, key) {
                set(field(&mut self.t), value);
            }
        }
        if let Some((url, loc)) = self.get(&part, "serverurl") {
            let expected = self
                .t
                .first(Kind::Supervisor)
                .map(|s| format!("http://{}:{}", reach(&s.address), s.main_port()));
            let given = url.strip_prefix("http://").map(|rest| {
                let (host, port) = split_address(rest.trim_end_matches('/'));
                format!("http://{}:{port}", reach(&host))
            });
            if given != expected {
                self.note(
                    &loc,
                    format!("serverurl {url} is not where [hosts] and [ports] put supervisor; the bundle's supervisorctl uses the design's"),
                );
            }
        }
        self.map_programs(&part);
    }

    /// collective.recipe.supervisor's `programs`: one
    /// `priority name command [args] [directory] [redirect_stderr] [user]` per line.
    fn map_programs(&mut self, part: &str) {
        let Some(opt) = self.r.option(part, "programs") else {
            self.note_section(
                part,
                format!("[{part}] lists no programs; the bundle's supervisord runs every component anyway"),
            );
            return;
        };
        let opt_loc = opt.loc.clone();
        let mut seen = BTreeSet::new();
        for line in opt.lines.clone() {
            let tokens = program_tokens(&line.text);
            if tokens.is_empty() {
                continue;
            }
            let [priority_text, name, _command, rest @ ..] = tokens.as_slice() else {
                self.note(
                    &line.loc,
                    "not a program line (priority name command [args] [directory] [redirect_stderr] [user]); skipped",
                );
                continue;
            };
            let name = self.resolve_token(name, part, &line.loc);
            let priority_text = self.resolve_token(priority_text, part, &line.loc);
            let (Some(name), Some(priority_text)) = (name, priority_text) else {
                continue;
            };
            let Ok(given_priority) = priority_text.parse::<u32>() else {
                self.note(
                    &line.loc,
                    format!("{priority_text:?} is not a priority; the line is skipped"),
                );
                continue;
            };
            let rest: Vec<&String> = rest.iter().filter(|t| !t.starts_with('[')).collect();
            let user_token = match rest
                .iter()
                .position(|t| matches!(t.as_str(), "true" | "false"))
            {
                Some(i) => rest.get(i + 1).copied(),
                None => rest.get(1).copied(),
            };
            let Some(component) = self.t.component(&name).cloned() else {
                self.note(
                    &line.loc,
                    format!("program {name} is not a component of the design; ignored"),
                );
                continue;
            };
            seen.insert(name.clone());
            if let Some(expected) = priority(component.kind())
                && expected != given_priority
            {
                self.note(
                    &line.loc,
                    format!(
                        "priority {given_priority} of {name} is not kept: the bundle starts programs in dependency order ({name} gets {expected})"
                    ),
                );
            }
            if let Some(token) = user_token
                && let Some(user) = self.resolve_token(token, part, &line.loc)
                && user != component.user
            {
                self.note(
                    &line.loc,
                    format!(
                        "program {name} runs as {user} here, but the design runs it as {} (from [users] or effective-user)",
                        component.user
                    ),
                );
            }
        }
        let missing: Vec<String> = self
            .t
            .components
            .iter()
            .filter(|c| priority(c.kind()).is_some() && !seen.contains(&c.id))
            .map(|c| c.id.clone())
            .collect();
        if !missing.is_empty() {
            self.note(
                &opt_loc,
                format!(
                    "no program runs {}; the bundle's supervisord runs every component anyway",
                    missing.join(", ")
                ),
            );
        }
    }

    fn resolve_token(&mut self, token: &str, section: &str, loc: &Loc) -> Option<String> {
        let resolved = self.r.text(token, section);
        if resolved.problems.is_empty() {
            return Some(resolved.text);
        }
        for problem in resolved.problems {
            self.note(loc, format!("cannot substitute {problem}"));
        }
        None
    }

    /// nginx-backend and varnish-backend say where nginx and Varnish send requests;
    /// the design's chain is nginx -> Varnish -> HAProxy, so they must point there.
    fn check_backends(&mut self) {
        for (key, from, to) in [
            ("nginx-backend", "nginx", Kind::Varnish),
            ("varnish-backend", "Varnish", Kind::Haproxy),
        ] {
            let Some(target) = self.t.first(to).cloned() else {
                continue;
            };
            let expected = (reach(&target.address), target.main_port().to_string());
            let host = self.get("hosts", key);
            let port = self.get("ports", key);
            if let Some((host, loc)) = &host
                && reach(host) != expected.0
            {
                self.note(
                    loc,
                    format!(
                        "{from} sends requests to {host}, not to {to} ({}); the design keeps {from} -> {to}",
                        target.address
                    ),
                );
            }
            if let Some((port, loc)) = &port
                && *port != expected.1
            {
                self.note(
                    loc,
                    format!(
                        "{from} sends requests to port {port}, not to {to}'s {}; the design keeps {from} -> {to}",
                        expected.1
                    ),
                );
            }
        }
    }

    /// The exercise's chain: nginx -> Varnish -> HAProxy -> every instance -> the
    /// database and memcached.
    fn connect(&mut self) {
        let id = |t: &Topology, kind| t.first(kind).map(|c| c.id.clone());
        let t = &self.t;
        let (nginx, varnish, haproxy, database, memcached) = (
            id(t, Kind::Nginx),
            id(t, Kind::Varnish),
            id(t, Kind::Haproxy),
            id(t, Kind::Database),
            id(t, Kind::Memcached),
        );
        let mut connections = Vec::new();
        let mut link = |from: &Option<String>, to: &Option<String>| {
            if let (Some(from), Some(to)) = (from, to) {
                connections.push(Connection {
                    from: from.clone(),
                    to: to.clone(),
                });
            }
        };
        link(&nginx, &varnish);
        link(&varnish, &haproxy);
        for instance in t.of_kind(Kind::Zope).map(|c| Some(c.id.clone())) {
            link(&haproxy, &instance);
            link(&instance, &database);
            link(&instance, &memcached);
        }
        self.t.connections = connections;
    }

    /// Everything else in the files: options of the mapped sections the importer does
    /// not map, and whole sections it does not map, then every note in file order.
    fn notes(&mut self, config: &Config) -> Vec<ImportNote> {
        let simple: Vec<(&str, &str)> = simple_fields()
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
                            .is_some_and(|t| t != name && self.r.option(t, key).is_some());
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

/// Splits a program line into tokens, keeping `[args]` together.
fn program_tokens(line: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut words = line.split_whitespace();
    while let Some(word) = words.next() {
        if word.starts_with('[') && !word.ends_with(']') {
            let mut group = word.to_string();
            for next in words.by_ref() {
                group.push(' ');
                group.push_str(next);
                if next.ends_with(']') {
                    break;
                }
            }
            tokens.push(group);
        } else {
            tokens.push(word.to_string());
        }
    }
    tokens
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_like_zope2instance() {
        assert_eq!(
            split_address("127.0.0.1:8001"),
            ("127.0.0.1".into(), "8001".into())
        );
        assert_eq!(split_address("8080"), ("0.0.0.0".into(), "8080".into()));
        assert_eq!(split_address("[::1]:8080"), ("::1".into(), "8080".into()));
        assert_eq!(split_address(":8080"), ("0.0.0.0".into(), "8080".into()));
    }

    #[test]
    fn program_lines_keep_bracketed_args_together() {
        assert_eq!(
            program_tokens("20 haproxy  /bin/haproxy   [-f /etc/h.conf] true nobody"),
            [
                "20",
                "haproxy",
                "/bin/haproxy",
                "[-f /etc/h.conf]",
                "true",
                "nobody"
            ]
        );
    }
}
