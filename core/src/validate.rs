//! Live validation: every problem of a design at once, as data.
//!
//! Each rule has a stable kebab-case code documented in `docs/rules.md` (a test keeps the
//! two in step). The validator never stops at the first problem and never panics: it is
//! run on every keystroke in the browser.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::defaults::exercise_password;
use crate::model::*;
use crate::syntax::{self, AddressKind, PortError};

/// How bad a problem is. Errors block rendering; warnings and notes do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn id(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What a diagnostic is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// A global setting, e.g. `site_id`.
    Setting(&'static str),
    /// A host, and optionally one of its fields.
    Host {
        id: String,
        field: Option<&'static str>,
    },
    /// A component, and optionally one of its fields, e.g. `port`.
    Component { id: String, field: Option<String> },
    /// A connection between two components.
    Connection { from: String, to: String },
}

impl Target {
    /// A dotted path naming the field, e.g. `components.instance1.port`.
    pub fn path(&self) -> String {
        match self {
            Target::Setting(field) => format!("settings.{field}"),
            Target::Host { id, field: None } => format!("hosts.{id}"),
            Target::Host { id, field: Some(f) } => format!("hosts.{id}.{f}"),
            Target::Component { id, field: None } => format!("components.{id}"),
            Target::Component { id, field: Some(f) } => format!("components.{id}.{f}"),
            Target::Connection { from, to } => format!("connections.{from}->{to}"),
        }
    }

    /// The component this diagnostic belongs to, for badges on the canvas.
    pub fn component(&self) -> Option<&str> {
        match self {
            Target::Component { id, .. } => Some(id),
            Target::Connection { from, .. } => Some(from),
            _ => None,
        }
    }
}

/// One problem: a stable code, how bad it is, where, what and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub target: Target,
    pub message: String,
    pub hint: String,
}

/// Every rule code the validator can emit, with its severity. `docs/rules.md` documents
/// each of them.
pub const RULES: &[(&str, Severity)] = &[
    ("bundle-name-invalid", Severity::Error),
    ("install-dir-invalid", Severity::Error),
    ("site-id-invalid", Severity::Error),
    ("fallback-url-invalid", Severity::Error),
    ("number-invalid", Severity::Error),
    ("host-id-invalid", Severity::Error),
    ("host-duplicate", Severity::Error),
    ("host-unknown", Severity::Error),
    ("address-invalid", Severity::Error),
    ("id-invalid", Severity::Error),
    ("id-duplicate", Severity::Error),
    ("name-duplicate", Severity::Warning),
    ("name-unsafe", Severity::Error),
    ("component-count", Severity::Error),
    ("instance-count", Severity::Error),
    ("port-invalid", Severity::Error),
    ("port-conflict", Severity::Error),
    ("port-privileged", Severity::Warning),
    ("user-invalid", Severity::Error),
    ("login-invalid", Severity::Error),
    ("password-unsafe", Severity::Error),
    ("password-default", Severity::Warning),
    ("path-invalid", Severity::Error),
    ("connection-dangling", Severity::Error),
    ("connection-refused", Severity::Error),
    ("connection-duplicate", Severity::Warning),
    ("connection-loopback", Severity::Error),
    ("chain-broken", Severity::Error),
    ("tier-skipped", Severity::Error),
    ("balancer-missing", Severity::Error),
    ("instance-unreachable", Severity::Warning),
    ("instance-no-database", Severity::Error),
    ("instance-no-memcached", Severity::Info),
    ("varnish-backend-not-ip", Severity::Error),
    ("storage-invalid", Severity::Error),
    ("tuning-invalid", Severity::Error),
    ("purge-acl-invalid", Severity::Error),
    ("purge-acl-uncovered", Severity::Warning),
    ("maxconn-above-threads", Severity::Warning),
    ("open-files-low", Severity::Warning),
    ("stats-exposed", Severity::Warning),
    ("supervisor-exposed", Severity::Error),
    ("memcached-exposed", Severity::Warning),
    ("memcached-deprecated", Severity::Info),
    ("blobs-across-hosts", Severity::Warning),
    ("supervisor-missing", Severity::Error),
];

/// The most Zope instances a design may have.
pub const MAX_INSTANCES: usize = 64;

/// Checks a whole design and returns every problem, errors first.
pub fn validate(topology: &Topology) -> Vec<Diagnostic> {
    let mut v = Validator {
        t: topology,
        out: Vec::new(),
    };
    v.settings();
    v.hosts();
    v.components();
    v.listeners();
    v.connections();
    v.chain();
    v.security();
    // Stable: within a severity, problems keep the order the rules found them in.
    v.out.sort_by_key(|d| d.severity);
    v.out
}

/// Whether the design has no error (warnings allowed).
pub fn is_renderable(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().all(|d| d.severity != Severity::Error)
}

fn severity_of(code: &str) -> Severity {
    RULES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, s)| *s)
        .unwrap_or(Severity::Error)
}

/// A listener that holds a port, for finding clashes.
struct Taken<'a> {
    address: &'a str,
    component: &'a Component,
    field: &'static str,
}

struct Validator<'a> {
    t: &'a Topology,
    out: Vec<Diagnostic>,
}

fn field(id: &str, field: &str) -> Target {
    Target::Component {
        id: id.to_string(),
        field: Some(field.to_string()),
    }
}

fn whole(id: &str) -> Target {
    Target::Component {
        id: id.to_string(),
        field: None,
    }
}

impl<'a> Validator<'a> {
    fn push(
        &mut self,
        code: &'static str,
        target: Target,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        debug_assert!(
            RULES.iter().any(|(c, _)| *c == code),
            "undocumented code {code}"
        );
        self.out.push(Diagnostic {
            code,
            severity: severity_of(code),
            target,
            message: message.into(),
            hint: hint.into(),
        });
    }

    fn number(
        &mut self,
        target: Target,
        label: &str,
        text: &str,
        min: u64,
        max: u64,
    ) -> Option<u64> {
        let n = syntax::parse_number(text, min, max);
        if n.is_none() {
            self.push(
                "number-invalid",
                target,
                format!("{label} must be a whole number from {min} to {max}, not {text:?}"),
                format!("type a number between {min} and {max}"),
            );
        }
        n
    }

    fn settings(&mut self) {
        let s = &self.t.settings;
        if !syntax::is_identifier(&s.name) {
            self.push(
                "bundle-name-invalid",
                Target::Setting("name"),
                format!(
                    "the bundle name {:?} cannot be used as a folder name",
                    s.name
                ),
                "use lowercase letters, digits, '-' and '_', starting with a letter or digit",
            );
        }
        if !syntax::is_absolute_path(&s.install_dir) {
            self.push(
                "install-dir-invalid",
                Target::Setting("install_dir"),
                format!("the install directory {:?} is not an absolute path of plain names", s.install_dir),
                "write an absolute path such as /srv/plone, using letters, digits, '.', '-' and '_'",
            );
        }
        if !syntax::is_site_id(&s.site_id) {
            self.push(
                "site-id-invalid",
                Target::Setting("site_id"),
                if s.site_id.is_empty() {
                    "the site id is empty".to_string()
                } else {
                    format!("the site id {:?} is not safe in a URL path and as a Zope id", s.site_id)
                },
                "use letters, digits, '.', '-' and '_', starting with a letter or digit, e.g. Plone",
            );
        }
        if !syntax::is_url_path(&s.fallback_url) {
            self.push(
                "fallback-url-invalid",
                Target::Setting("fallback_url"),
                format!("the fallback URL {:?} is not a safe path", s.fallback_url),
                "start with '/' and use letters, digits, '.', '-' and '_' between slashes, e.g. /system_error",
            );
        }
        self.number(
            Target::Setting("open_files"),
            "open files",
            &s.open_files,
            16,
            1_048_576,
        );
        self.number(
            Target::Setting("session_timeout"),
            "the session timeout",
            &s.session_timeout,
            1,
            31_536_000,
        );
        self.number(
            Target::Setting("instance.threads"),
            "threads",
            &s.instance.threads,
            1,
            64,
        );
        self.number(
            Target::Setting("instance.zodb_cache_size"),
            "the ZODB cache size",
            &s.instance.zodb_cache_size,
            0,
            10_000_000,
        );
        if !syntax::is_login(&s.zope_admin_user) {
            self.push(
                "login-invalid",
                Target::Setting("zope_admin_user"),
                format!(
                    "the Zope admin user {:?} is not a plain login name",
                    s.zope_admin_user
                ),
                "use up to 32 letters, digits, '.', '-', '_' or '@'",
            );
        }
        self.password(
            Target::Setting("zope_admin_password"),
            "the Zope admin password",
            &s.zope_admin_password,
        );
    }

    fn password(&mut self, target: Target, label: &str, password: &str) {
        if let Some(problem) = syntax::password_problem(password) {
            self.push(
                "password-unsafe",
                target,
                format!("{label} {problem}"),
                "use printable characters; any symbol is fine, it is escaped in every file",
            );
        } else if password == exercise_password() {
            self.push(
                "password-default",
                target,
                format!("{label} is still the exercise's {:?}", exercise_password()),
                "generate a strong random password before deploying",
            );
        }
    }

    fn hosts(&mut self) {
        let mut seen = BTreeSet::new();
        for host in &self.t.hosts {
            let target = |f| Target::Host {
                id: host.id.clone(),
                field: f,
            };
            if !syntax::is_identifier(&host.id) {
                self.push(
                    "host-id-invalid",
                    target(Some("id")),
                    format!(
                        "the host name {:?} cannot be used as a folder name",
                        host.id
                    ),
                    "use lowercase letters, digits, '-' and '_'",
                );
            }
            if !seen.insert(host.id.as_str()) {
                self.push(
                    "host-duplicate",
                    target(Some("id")),
                    format!("there are two hosts named {:?}", host.id),
                    "give every host its own name",
                );
            }
            match syntax::address_kind(&host.address) {
                None | Some(AddressKind::Wildcard) => self.push(
                    "address-invalid",
                    target(Some("address")),
                    format!(
                        "{:?} is not an address other machines can reach host {:?} at",
                        host.address, host.id
                    ),
                    "write an IP address or a host name, e.g. 10.0.0.2",
                ),
                Some(_) => {}
            }
        }
    }

    fn components(&mut self) {
        let t = self.t;
        // Counted by scanning: a design has at most 1024 components.
        let same_id = |id: &str| t.components.iter().filter(|c| c.id == id).count();
        let same_name = |name: &str| {
            t.components
                .iter()
                .filter(|c| c.name.trim() == name)
                .count()
        };
        for c in &t.components {
            let kind = c.kind().label();
            if !syntax::is_identifier(&c.id) {
                self.push(
                    "id-invalid",
                    field(&c.id, "id"),
                    format!(
                        "the id {:?} of this {kind} cannot be used in file and process names",
                        c.id
                    ),
                    "use lowercase letters, digits, '-' and '_', starting with a letter or digit",
                );
            }
            let ids = same_id(&c.id);
            if ids > 1 {
                self.push(
                    "id-duplicate",
                    field(&c.id, "id"),
                    format!("{ids} components have the id {:?}", c.id),
                    "give every component its own id",
                );
            }
            if same_name(c.name.trim()) > 1 {
                self.push(
                    "name-duplicate",
                    field(&c.id, "name"),
                    format!("more than one component is called {:?}", c.name),
                    "give components distinct names so the diagram and the logs tell them apart",
                );
            }
            if c.name.chars().any(char::is_control) || c.name.chars().count() > 60 {
                self.push(
                    "name-unsafe",
                    field(&c.id, "name"),
                    "the name contains a line break or control character, or is longer than 60 characters",
                    "use a short single-line name",
                );
            }
            if t.host(&c.host).is_none() {
                self.push(
                    "host-unknown",
                    field(&c.id, "host"),
                    format!(
                        "this {kind} runs on host {:?}, which the design does not have",
                        c.host
                    ),
                    "pick one of the design's hosts or add the host",
                );
            }
            if syntax::address_kind(&c.address).is_none() {
                self.push(
                    "address-invalid",
                    field(&c.id, "address"),
                    format!("{:?} is neither an IP address nor a host name", c.address),
                    "write an IP address such as 127.0.0.1, or a host name such as localhost",
                );
            }
            if c.kind() != Kind::Database && !syntax::is_system_user(&c.user) {
                self.push(
                    "user-invalid",
                    field(&c.id, "user"),
                    format!("{:?} is not a valid system user name", c.user),
                    "use a Debian user name such as nobody or www-data",
                );
            }
            self.component_settings(c);
        }
        for kind in [
            Kind::Nginx,
            Kind::Varnish,
            Kind::Haproxy,
            Kind::Database,
            Kind::Memcached,
            Kind::Supervisor,
        ] {
            let n = t.of_kind(kind).count();
            if n > 1 {
                for c in t.of_kind(kind).skip(1) {
                    self.push(
                        "component-count",
                        whole(&c.id),
                        format!("a design has at most one {kind}; this is number {n}"),
                        format!("remove the extra {kind}"),
                    );
                }
            }
        }
        if t.first(Kind::Supervisor).is_none() {
            self.push(
                "supervisor-missing",
                Target::Setting("components"),
                "the design has no supervisor to run its processes",
                "add a supervisor component",
            );
        }
        let instances = t.of_kind(Kind::Zope).count();
        if instances == 0 || instances > MAX_INSTANCES {
            self.push(
                "instance-count",
                Target::Setting("components"),
                format!("the design has {instances} Zope instances; it needs 1 to {MAX_INSTANCES}"),
                if instances == 0 {
                    "add a Zope instance"
                } else {
                    "remove instances"
                },
            );
        }
    }

    fn component_settings(&mut self, c: &Component) {
        let id = c.id.as_str();
        match &c.kind {
            ComponentKind::Nginx(n) => {
                if syntax::address_kind(&n.public_host).is_none_or(|k| k == AddressKind::Wildcard) {
                    self.push(
                        "address-invalid",
                        field(id, "public_host"),
                        format!(
                            "the public host {:?} is not a host name or address",
                            n.public_host
                        ),
                        "write the domain users type, e.g. www.example.org",
                    );
                }
                for (name, path) in [
                    ("certificate", &n.certificate),
                    ("certificate_key", &n.certificate_key),
                ] {
                    if !syntax::is_relative_path(path) {
                        self.push(
                            "path-invalid",
                            field(id, name),
                            format!("{path:?} is not a plain path inside the bundle"),
                            "write a relative path such as etc/server.crt",
                        );
                    }
                }
                if !syntax::is_url_path(&n.status_path) {
                    self.push(
                        "path-invalid",
                        field(id, "status_path"),
                        format!("the status URL {:?} is not a safe path", n.status_path),
                        "start with '/', e.g. /_nginx_status_",
                    );
                }
            }
            ComponentKind::Varnish(v) => {
                if !syntax::is_varnish_storage(&v.storage) {
                    self.push(
                        "storage-invalid",
                        field(id, "storage"),
                        format!("{:?} is not a Varnish storage", v.storage),
                        "write malloc,SIZE (e.g. malloc,128M) or file,PATH,SIZE",
                    );
                }
                if syntax::parse_varnish_tuning(&v.tuning).is_none() {
                    self.push(
                        "tuning-invalid",
                        field(id, "tuning"),
                        format!("{:?} is not a list of -p name=value parameters", v.tuning),
                        "write parameters such as -p thread_pool_min=10 -p default_ttl=120",
                    );
                }
                for (i, entry) in v.purge_acl.iter().enumerate() {
                    if syntax::parse_acl_entry(entry).is_none() {
                        self.push(
                            "purge-acl-invalid",
                            field(id, &format!("purge_acl.{i}")),
                            format!(
                                "purge ACL entry {entry:?} is not an IP, a network or a host name"
                            ),
                            "write an IP (127.0.0.1), a network (10.0.0.0/8) or a host name",
                        );
                    }
                }
            }
            ComponentKind::Haproxy(h) => {
                self.number(
                    field(id, "maxconn_per_server"),
                    "maxconn per server",
                    &h.maxconn_per_server,
                    1,
                    10_000,
                );
                self.number(
                    field(id, "check_interval_ms"),
                    "the check interval",
                    &h.check_interval_ms,
                    100,
                    3_600_000,
                );
                self.number(field(id, "fall"), "fall", &h.fall, 1, 100);
                self.number(field(id, "rise"), "rise", &h.rise, 1, 100);
                if !h.stats_user.is_empty() || !h.stats_password.is_empty() {
                    if !syntax::is_login(&h.stats_user) {
                        self.push(
                            "login-invalid",
                            field(id, "stats_user"),
                            format!(
                                "the stats user {:?} is not a plain login name",
                                h.stats_user
                            ),
                            "use up to 32 letters, digits, '.', '-', '_' or '@'",
                        );
                    }
                    self.password(
                        field(id, "stats_password"),
                        "the stats password",
                        &h.stats_password,
                    );
                }
            }
            ComponentKind::Zope(z) => {
                if let Some(threads) = &z.threads {
                    self.number(field(id, "threads"), "threads", threads, 1, 64);
                }
                if let Some(size) = &z.zodb_cache_size {
                    self.number(
                        field(id, "zodb_cache_size"),
                        "the ZODB cache size",
                        size,
                        0,
                        10_000_000,
                    );
                }
            }
            ComponentKind::Database(d) => {
                if !syntax::is_identifier(&d.name) {
                    self.push(
                        "name-unsafe",
                        field(id, "db_name"),
                        format!("the database name {:?} is not a plain identifier", d.name),
                        "use lowercase letters, digits and '_', e.g. zodb",
                    );
                }
                if !syntax::is_login(&d.user) {
                    self.push(
                        "login-invalid",
                        field(id, "db_user"),
                        format!("the database user {:?} is not a plain login name", d.user),
                        "use up to 32 letters, digits, '.', '-', '_' or '@'",
                    );
                }
                self.password(field(id, "password"), "the database password", &d.password);
            }
            ComponentKind::Memcached(m) => {
                self.number(field(id, "memory_mb"), "memory", &m.memory_mb, 1, 1_048_576);
            }
            ComponentKind::Supervisor(s) => {
                if !syntax::is_login(&s.user) {
                    self.push(
                        "login-invalid",
                        field(id, "admin_user"),
                        format!(
                            "the supervisor admin user {:?} is not a plain login name",
                            s.user
                        ),
                        "use up to 32 letters, digits, '.', '-', '_' or '@'",
                    );
                }
                self.password(
                    field(id, "password"),
                    "the supervisor password",
                    &s.password,
                );
                if starts_inline_comment(&s.password) {
                    self.push(
                        "password-unsafe",
                        field(id, "password"),
                        "the supervisor password has ';' or '#' after a space, which supervisor reads as a comment",
                        "remove the space before ';' or '#'",
                    );
                }
            }
        }
    }

    /// Ports parse, and no two listeners share an address and port on one host.
    fn listeners(&mut self) {
        let mut taken: BTreeMap<(&str, u16), Vec<Taken<'a>>> = BTreeMap::new();
        for c in &self.t.components {
            for l in c.listeners() {
                match syntax::parse_port(l.port) {
                    Ok(port) => {
                        if port.is_privileged() && c.kind() != Kind::Database {
                            self.push(
                                "port-privileged",
                                field(&c.id, l.field),
                                format!("port {} is below 1024: supervisord must be started as root", port.get()),
                                "start supervisord as root (it drops to each program's user), or use a port from 1024 up",
                            );
                        }
                        taken
                            .entry((c.host.as_str(), port.get()))
                            .or_default()
                            .push(Taken {
                                address: l.address,
                                component: c,
                                field: l.field,
                            });
                    }
                    Err(e) => {
                        let why = match e {
                            PortError::Empty => "is empty".to_string(),
                            PortError::NotANumber => format!("{:?} is not a number", l.port),
                            PortError::OutOfRange => format!("{} is out of range", l.port.trim()),
                        };
                        self.push(
                            "port-invalid",
                            field(&c.id, l.field),
                            format!("the {} port of {} {why}", l.role, c.name),
                            "use a port from 1 to 65535",
                        );
                    }
                }
            }
        }
        // Both sides of a clash are flagged: the user may have typed either one.
        for ((host, port), users) in &taken {
            for (i, a) in users.iter().enumerate() {
                for (j, b) in users.iter().enumerate() {
                    if i != j && addresses_overlap(a.address, b.address) {
                        self.push(
                            "port-conflict",
                            field(&a.component.id, a.field),
                            format!(
                                "port {port} on host {host} is also used by {} ({})",
                                b.component.name, b.field
                            ),
                            "choose a free port",
                        );
                    }
                }
            }
        }
    }

    fn connections(&mut self) {
        let t = self.t;
        let mut seen = BTreeSet::new();
        for conn in &t.connections {
            let target = Target::Connection {
                from: conn.from.clone(),
                to: conn.to.clone(),
            };
            let (Some(from), Some(to)) = (t.component(&conn.from), t.component(&conn.to)) else {
                let missing = if t.component(&conn.from).is_none() {
                    &conn.from
                } else {
                    &conn.to
                };
                self.push(
                    "connection-dangling",
                    target,
                    format!(
                        "the connection {} -> {} names {missing:?}, which does not exist",
                        conn.from, conn.to
                    ),
                    "delete the connection",
                );
                continue;
            };
            if !seen.insert((conn.from.as_str(), conn.to.as_str())) {
                self.push(
                    "connection-duplicate",
                    target,
                    format!("{} is connected to {} twice", from.name, to.name),
                    "delete the extra connection",
                );
                continue;
            }
            if let Err(reason) = connection_allowed(from.kind(), to.kind()) {
                self.push("connection-refused", target, reason, "connect each tier to the next: nginx -> Varnish -> HAProxy -> Zope -> database");
                continue;
            }
            if from.host != to.host
                && syntax::address_kind(&to.address) == Some(AddressKind::Loopback)
            {
                self.push(
                    "connection-loopback",
                    target,
                    format!(
                        "{} on host {} cannot reach {} on host {}: it listens on loopback {}",
                        from.name, from.host, to.name, to.host, to.address
                    ),
                    format!("make {} listen on its host's address or 0.0.0.0", to.name),
                );
            }
        }
    }

    /// The chain from nginx reaches the instances through every tier that exists.
    fn chain(&mut self) {
        let t = self.t;
        let Some(nginx) = t.first(Kind::Nginx) else {
            self.push(
                "chain-broken",
                Target::Setting("components"),
                "the design has no nginx, so nothing answers the public",
                "add nginx and connect it to the next tier",
            );
            return;
        };
        let varnish = t.first(Kind::Varnish);
        let haproxy = t.first(Kind::Haproxy);
        let instances: Vec<&Component> = t.of_kind(Kind::Zope).collect();
        let valid = |c: &Connection| matches!((t.component(&c.from), t.component(&c.to)), (Some(a), Some(b)) if connection_allowed(a.kind(), b.kind()).is_ok());

        // Each front tier sends to exactly one next hop: the next tier that exists.
        let expected_next = |kind: Kind| match kind {
            Kind::Nginx => varnish.or(haproxy).map(|c| c.kind()).unwrap_or(Kind::Zope),
            Kind::Varnish => haproxy.map(|c| c.kind()).unwrap_or(Kind::Zope),
            _ => Kind::Zope,
        };
        for front in [Some(nginx), varnish].into_iter().flatten() {
            let next: Vec<&Component> = t
                .connections
                .iter()
                .filter(|c| c.from == front.id && valid(c))
                .filter_map(|c| t.component(&c.to))
                .collect();
            let want = expected_next(front.kind());
            for n in &next {
                if n.kind() != want {
                    self.push(
                        "tier-skipped",
                        Target::Connection {
                            from: front.id.clone(),
                            to: n.id.clone(),
                        },
                        format!(
                            "{} sends to {} and skips the {} tier",
                            front.name, n.name, want
                        ),
                        format!("connect {} to the {} instead", front.name, want),
                    );
                }
            }
            if want == Kind::Zope && instances.len() > 1 {
                self.push(
                    "balancer-missing",
                    whole(&front.id),
                    format!(
                        "{} would have to balance {} instances but only HAProxy can",
                        front.name,
                        instances.len()
                    ),
                    "add HAProxy between them, or keep a single instance",
                );
            }
            if next.len() > 1 && want != Kind::Zope {
                self.push(
                    "tier-skipped",
                    whole(&front.id),
                    format!(
                        "{} sends to {} components; it has one next hop",
                        front.name,
                        next.len()
                    ),
                    "keep one connection to the next tier",
                );
            }
        }

        // Walk the graph from nginx.
        let mut reached = BTreeSet::new();
        let mut stack = vec![nginx.id.as_str()];
        while let Some(id) = stack.pop() {
            if !reached.insert(id) {
                continue;
            }
            for c in t.connections.iter().filter(|c| c.from == id && valid(c)) {
                stack.push(&c.to);
            }
        }
        if !instances.iter().any(|i| reached.contains(&i.id.as_str())) {
            self.push(
                "chain-broken",
                whole(&nginx.id),
                "no chain of connections leads from nginx to a Zope instance",
                "connect nginx -> Varnish -> HAProxy -> the instances",
            );
        } else {
            for i in &instances {
                if !reached.contains(&i.id.as_str()) {
                    self.push(
                        "instance-unreachable",
                        whole(&i.id),
                        format!("no request from nginx ever reaches {}", i.name),
                        "connect HAProxy to it",
                    );
                }
            }
        }

        for i in &instances {
            let targets: Vec<Kind> = t.targets_of(&i.id).map(Component::kind).collect();
            if !targets.contains(&Kind::Database) {
                self.push(
                    "instance-no-database",
                    whole(&i.id),
                    format!("{} is not connected to a database", i.name),
                    "connect it to the database",
                );
            }
            if t.first(Kind::Memcached).is_some() && !targets.contains(&Kind::Memcached) {
                self.push(
                    "instance-no-memcached",
                    whole(&i.id),
                    format!("{} does not use the shared memcached", i.name),
                    "connect it to memcached so all instances share one cache",
                );
            }
        }

        if let (Some(v), Some(next)) = (varnish, varnish.and_then(|v| t.targets_of(&v.id).next())) {
            let address = connect_address(t, v, next);
            if !syntax::is_ip(&address) {
                self.push(
                    "varnish-backend-not-ip",
                    Target::Connection {
                        from: v.id.clone(),
                        to: next.id.clone(),
                    },
                    format!(
                        "Varnish would reach {} at {address:?}, a name; a backend must be an IP",
                        next.name
                    ),
                    format!(
                        "make {} listen on an IP address, or give its host an IP address",
                        next.name
                    ),
                );
            }
        }

        if let Some(h) = haproxy
            && let ComponentKind::Haproxy(hp) = &h.kind
            && let Some(maxconn) = syntax::parse_number(&hp.maxconn_per_server, 1, 10_000)
        {
            for i in t.targets_of(&h.id) {
                if let ComponentKind::Zope(z) = &i.kind
                    && let Some(threads) =
                        syntax::parse_number(&t.effective_instance(z).threads, 1, 64)
                    && maxconn > threads
                {
                    self.push(
                        "maxconn-above-threads",
                        field(&h.id, "maxconn_per_server"),
                        format!("HAProxy sends up to {maxconn} requests at once to {}, which has {threads} threads; the bundle uses {threads}", i.name),
                        format!("set maxconn per server to {threads} or fewer"),
                    );
                }
            }
        }

        if let Some(open_files) = syntax::parse_number(&t.settings.open_files, 16, 1_048_576) {
            let threads: u64 = instances
                .iter()
                .filter_map(|i| match &i.kind {
                    ComponentKind::Zope(z) => {
                        syntax::parse_number(&t.effective_instance(z).threads, 1, 64)
                    }
                    _ => None,
                })
                .sum();
            // Each request in flight holds a client and an upstream socket in every proxy.
            let needed = 2 * threads + 16;
            if open_files < needed {
                self.push(
                    "open-files-low",
                    Target::Setting("open_files"),
                    format!("{open_files} open files cannot carry the {threads} requests the instances serve at once through the proxies (at least {needed})"),
                    format!("raise open files to {needed} or more"),
                );
            }
        }
    }

    fn security(&mut self) {
        let t = self.t;
        if let Some(v) = t.first(Kind::Varnish)
            && let ComponentKind::Varnish(varnish) = &v.kind
        {
            let acl: Vec<_> = varnish
                .purge_acl
                .iter()
                .filter_map(|e| syntax::parse_acl_entry(e))
                .collect();
            for i in t.of_kind(Kind::Zope) {
                let from = source_address(t, i, v);
                if !acl.iter().any(|e| e.covers(&from)) {
                    self.push(
                        "purge-acl-uncovered",
                        field(&v.id, "purge_acl"),
                        format!("{} sends PURGE requests from {from}, which the purge ACL does not allow", i.name),
                        format!("add {from} to the purge ACL"),
                    );
                }
            }
        }
        if let Some(h) = t.first(Kind::Haproxy)
            && let ComponentKind::Haproxy(hp) = &h.kind
            && hp.stats_user.is_empty()
            && !is_loopback_only(&h.address)
        {
            self.push(
                "stats-exposed",
                field(&h.id, "stats_user"),
                format!(
                    "the HAProxy stats page listens on {} without a password",
                    h.address
                ),
                "bind HAProxy to loopback or set a stats user and password",
            );
        }
        if let Some(s) = t.first(Kind::Supervisor)
            && !is_loopback_only(&s.address)
            && let ComponentKind::Supervisor(sup) = &s.kind
            && (sup.password.is_empty() || sup.password == exercise_password())
        {
            self.push(
                "supervisor-exposed",
                field(&s.id, "password"),
                format!(
                    "supervisor's control panel listens on {} with a weak or no password",
                    s.address
                ),
                "bind supervisor to 127.0.0.1 or give it a strong password",
            );
        }
        if let Some(m) = t.first(Kind::Memcached) {
            if syntax::address_kind(&m.address) == Some(AddressKind::Wildcard) {
                self.push(
                    "memcached-exposed",
                    field(&m.id, "address"),
                    "memcached listens on every interface and has no authentication",
                    "bind it to its host's address or to 127.0.0.1",
                );
            }
            self.push(
                "memcached-deprecated",
                whole(&m.id),
                "RelStorage's memcache support is deprecated; RelStorage's local cache does most of its work",
                "keep it for the exercise, or remove memcached in a new deployment",
            );
        }
        if t.settings.shared_blobs {
            let hosts: BTreeSet<&str> = t.of_kind(Kind::Zope).map(|c| c.host.as_str()).collect();
            if hosts.len() > 1 {
                self.push(
                    "blobs-across-hosts",
                    Target::Setting("shared_blobs"),
                    format!(
                        "instances on {} hosts share one blob directory",
                        hosts.len()
                    ),
                    "mount the same var/blobstorage on every host (NFS), or turn off shared blobs",
                );
            }
        }
    }
}

/// Whether a component of kind `from` may send requests to one of kind `to`.
pub fn connection_allowed(from: Kind, to: Kind) -> Result<(), String> {
    if from.may_connect_to().contains(&to) {
        return Ok(());
    }
    let allowed = from.may_connect_to();
    Err(if allowed.is_empty() {
        format!("{from} does not send requests to other components")
    } else {
        let names: Vec<&str> = allowed.iter().map(|k| k.label()).collect();
        format!(
            "{from} cannot connect to {to}; it can connect to {}",
            names.join(", ")
        )
    })
}

/// Whether supervisor's INI parser would cut the value at an inline comment.
fn starts_inline_comment(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    chars
        .windows(2)
        .any(|w| w[0].is_whitespace() && matches!(w[1], ';' | '#'))
}

fn is_loopback_only(address: &str) -> bool {
    syntax::address_kind(address) == Some(AddressKind::Loopback)
}

/// Two bind addresses on one host collide when they are equal or one is a wildcard.
fn addresses_overlap(a: &str, b: &str) -> bool {
    let wildcard = |x: &str| syntax::address_kind(x) == Some(AddressKind::Wildcard);
    let norm = |x: &str| {
        if x.eq_ignore_ascii_case("localhost") {
            "127.0.0.1".to_string()
        } else {
            x.to_ascii_lowercase()
        }
    };
    wildcard(a) || wildcard(b) || norm(a) == norm(b)
}

/// The address `from` uses to reach `to`: loopback on the same host, else the bind
/// address, or the host's address when `to` listens on every interface.
pub fn connect_address(t: &Topology, from: &Component, to: &Component) -> String {
    let same_host = from.host == to.host;
    match syntax::address_kind(&to.address) {
        Some(AddressKind::Wildcard) if same_host => "127.0.0.1".into(),
        Some(AddressKind::Wildcard) => t
            .host(&to.host)
            .map_or_else(|| to.address.clone(), |h| h.address.clone()),
        Some(AddressKind::Loopback) if to.address.eq_ignore_ascii_case("localhost") => {
            "127.0.0.1".into()
        }
        _ => to.address.clone(),
    }
}

/// The address requests from `from` arrive from at `to`. On one host that is the address
/// connected to: a connection to the host's own network address comes from that address,
/// not from 127.0.0.1 (a database user for `localhost` would not match it).
pub fn source_address(t: &Topology, from: &Component, to: &Component) -> String {
    if from.host == to.host {
        let to_address = connect_address(t, from, to);
        match syntax::address_kind(&to_address) {
            Some(AddressKind::Loopback) | Some(AddressKind::Wildcard) => "127.0.0.1".into(),
            _ => to_address,
        }
    } else {
        t.host(&from.host)
            .map_or_else(|| from.address.clone(), |h| h.address.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_exercise_has_no_error() {
        let diagnostics = validate(&Topology::exercise());
        let errors: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let codes: BTreeSet<_> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            BTreeSet::from(["password-default", "memcached-deprecated"])
        );
    }
}
