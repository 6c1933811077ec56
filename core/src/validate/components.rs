//! Each component's own fields, and the ports its listeners hold.

use std::collections::BTreeMap;

use crate::field;
use crate::model::*;
use crate::network::{addresses_overlap, is_loopback_only};
use crate::syntax::{self, AddressKind, PortError};

use super::{Checks, MAX_INSTANCES, Rule, Target};

/// A listener that holds a port, for finding clashes.
struct Taken<'a> {
    address: &'a str,
    component: &'a Component,
    field: &'static str,
}

impl<'a> Checks<'a> {
    pub(super) fn components(&mut self) {
        let t = self.design;
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
                    Rule::IdInvalid,
                    Target::field(&c.id, "id"),
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
                    Rule::IdDuplicate,
                    Target::field(&c.id, "id"),
                    format!("{ids} components have the id {:?}", c.id),
                    "give every component its own id",
                );
            }
            if same_name(c.name.trim()) > 1 {
                self.push(
                    Rule::NameDuplicate,
                    Target::field(&c.id, "name"),
                    format!("more than one component is called {:?}", c.name),
                    "give components distinct names so the diagram and the logs tell them apart",
                );
            }
            if c.name.chars().any(char::is_control) || c.name.chars().count() > 60 {
                self.push(
                    Rule::NameUnsafe,
                    Target::field(&c.id, "name"),
                    "the name contains a line break or control character, or is longer than 60 characters",
                    "use a short single-line name",
                );
            }
            if t.host(&c.host).is_none() {
                self.push(
                    Rule::HostUnknown,
                    Target::field(&c.id, "host"),
                    format!(
                        "this {kind} runs on host {:?}, which the design does not have",
                        c.host
                    ),
                    "pick one of the design's hosts or add the host",
                );
            }
            if syntax::address_kind(&c.address).is_none() {
                self.push(
                    Rule::AddressInvalid,
                    Target::field(&c.id, "address"),
                    format!("{:?} is neither an IP address nor a host name", c.address),
                    "write an IP address such as 127.0.0.1, or a host name such as localhost",
                );
            }
            if c.kind() != Kind::Database && !syntax::is_system_user(&c.user) {
                self.push(
                    Rule::UserInvalid,
                    Target::field(&c.id, "user"),
                    format!("{:?} is not a valid system user name", c.user),
                    "use a Debian user name such as nobody or www-data",
                );
            }
            self.component_settings(c);
        }
        // A daemon that shares its user with another can read its files and signal it.
        let mut warned: BTreeMap<(&str, &str), &Component> = BTreeMap::new();
        for c in &t.components {
            if matches!(c.kind(), Kind::Supervisor | Kind::Database) || c.user == "root" {
                continue;
            }
            let other = t.components.iter().find(|o| {
                o.user == c.user
                    && o.kind() != c.kind()
                    && !matches!(o.kind(), Kind::Supervisor | Kind::Database)
            });
            if let Some(o) = other
                && warned.insert((c.host.as_str(), c.kind().id()), c).is_none()
            {
                self.push(
                    Rule::UserShared,
                    Target::field(&c.id, "user"),
                    format!("{} runs as {}, as {} does", c.name, c.user, o.name),
                    format!(
                        "give each daemon its own user, e.g. {}",
                        crate::defaults::dedicated_user(c.kind())
                    ),
                );
            }
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
                        Rule::ComponentCount,
                        Target::component_itself(&c.id),
                        format!("a design has at most one {kind}; this is number {n}"),
                        format!("remove the extra {kind}"),
                    );
                }
            }
        }
        if t.first(Kind::Supervisor).is_none() {
            self.push(
                Rule::SupervisorMissing,
                Target::Setting("components"),
                "the design has no supervisor to run its processes",
                "add a supervisor component",
            );
        }
        let instances = t.of_kind(Kind::Zope).count();
        if instances == 0 || instances > MAX_INSTANCES {
            self.push(
                Rule::InstanceCount,
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
                        Rule::AddressInvalid,
                        Target::field(id, "public_host"),
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
                            Rule::PathInvalid,
                            Target::field(id, name),
                            format!("{path:?} is not a plain path inside the bundle"),
                            "write a relative path such as etc/server.crt",
                        );
                    }
                }
                self.number(
                    Target::field(id, "upload_limit_mb"),
                    "the upload limit",
                    &n.upload_limit_mb,
                    field::UPLOAD_LIMIT_MB,
                );
                if !syntax::is_url_path(&n.status_path) {
                    self.push(
                        Rule::PathInvalid,
                        Target::field(id, "status_path"),
                        format!("the status URL {:?} is not a safe path", n.status_path),
                        "start with '/', e.g. /_nginx_status_",
                    );
                }
            }
            ComponentKind::Varnish(v) => {
                if !syntax::is_varnish_storage(&v.storage) {
                    self.push(
                        Rule::StorageInvalid,
                        Target::field(id, "storage"),
                        format!("{:?} is not a Varnish storage", v.storage),
                        "write malloc,SIZE (e.g. malloc,128M) or file,PATH,SIZE",
                    );
                }
                if syntax::parse_varnish_tuning(&v.tuning).is_none() {
                    self.push(
                        Rule::TuningInvalid,
                        Target::field(id, "tuning"),
                        format!("{:?} is not a list of -p name=value parameters", v.tuning),
                        "write parameters such as -p thread_pool_min=10 -p default_ttl=120",
                    );
                }
                for (i, entry) in v.purge_acl.iter().enumerate() {
                    if syntax::parse_acl_entry(entry).is_none() {
                        self.push(
                            Rule::PurgeAclInvalid,
                            Target::field(id, &format!("purge_acl.{i}")),
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
                    Target::field(id, "maxconn_per_server"),
                    "maxconn per server",
                    &h.maxconn_per_server,
                    field::MAXCONN_PER_SERVER,
                );
                self.number(
                    Target::field(id, "check_interval_ms"),
                    "the check interval",
                    &h.check_interval_ms,
                    field::CHECK_INTERVAL_MS,
                );
                self.number(Target::field(id, "fall"), "fall", &h.fall, field::CHECKS);
                self.number(Target::field(id, "rise"), "rise", &h.rise, field::CHECKS);
                if !h.stats_user.is_empty() || !h.stats_password.is_empty() {
                    if !syntax::is_login(&h.stats_user) {
                        self.push(
                            Rule::LoginInvalid,
                            Target::field(id, "stats_user"),
                            format!(
                                "the stats user {:?} is not a plain login name",
                                h.stats_user
                            ),
                            "use up to 32 letters, digits, '.', '-', '_' or '@'",
                        );
                    }
                    let reach = format!("the stats page listens on {}", c.address);
                    self.password(
                        Target::field(id, "stats_password"),
                        "the stats password",
                        &h.stats_password,
                        (!is_loopback_only(&c.address)).then_some(reach.as_str()),
                    );
                }
            }
            ComponentKind::Zope(z) => {
                if let Some(threads) = &z.threads {
                    self.number(
                        Target::field(id, "threads"),
                        "threads",
                        threads,
                        field::THREADS,
                    );
                }
                if let Some(size) = &z.zodb_cache_size {
                    self.number(
                        Target::field(id, "zodb_cache_size"),
                        "the ZODB cache size",
                        size,
                        field::ZODB_CACHE_SIZE,
                    );
                }
            }
            ComponentKind::Database(d) => {
                if !syntax::is_identifier(&d.db_name) {
                    self.push(
                        Rule::NameUnsafe,
                        Target::field(id, "db_name"),
                        format!(
                            "the database name {:?} is not a plain identifier",
                            d.db_name
                        ),
                        "use lowercase letters, digits and '_', e.g. zodb",
                    );
                }
                if !syntax::is_login(&d.db_user) {
                    self.push(
                        Rule::LoginInvalid,
                        Target::field(id, "db_user"),
                        format!(
                            "the database user {:?} is not a plain login name",
                            d.db_user
                        ),
                        "use up to 32 letters, digits, '.', '-', '_' or '@'",
                    );
                }
                let reach = format!("the database listens on {}", c.address);
                self.password(
                    Target::field(id, "password"),
                    "the database password",
                    &d.password,
                    (!is_loopback_only(&c.address)).then_some(reach.as_str()),
                );
                if d.flavor == DatabaseFlavor::MySql {
                    let platform = self.design.settings.platform;
                    self.push(
                        Rule::MysqlNotOnDebian,
                        Target::field(id, "flavor"),
                        format!(
                            "{} ships MariaDB, not MySQL: the README and the playbook install and configure MariaDB's server",
                            platform.name()
                        ),
                        "choose MariaDB, or run your own MySQL server and skip the README's database step",
                    );
                }
            }
            ComponentKind::Memcached(m) => {
                self.number(
                    Target::field(id, "memory_mb"),
                    "memory",
                    &m.memory_mb,
                    field::MEMORY_MB,
                );
            }
            ComponentKind::Supervisor(s) => {
                if !syntax::is_login(&s.admin_user) {
                    self.push(
                        Rule::LoginInvalid,
                        Target::field(id, "admin_user"),
                        format!(
                            "the supervisor admin user {:?} is not a plain login name",
                            s.admin_user
                        ),
                        "use up to 32 letters, digits, '.', '-', '_' or '@'",
                    );
                }
                // Beyond loopback, supervisor-exposed says it.
                self.password(
                    Target::field(id, "password"),
                    "the supervisor password",
                    &s.password,
                    None,
                );
                if starts_inline_comment(&s.password) {
                    self.push(
                        Rule::PasswordUnsafe,
                        Target::field(id, "password"),
                        "the supervisor password has ';' or '#' after a space, which supervisor reads as a comment",
                        "remove the space before ';' or '#'",
                    );
                }
            }
        }
    }

    /// Ports parse, and no two listeners share an address and port on one host.
    pub(super) fn listeners(&mut self) {
        let mut taken: BTreeMap<(&str, u16), Vec<Taken<'a>>> = BTreeMap::new();
        for c in &self.design.components {
            for l in c.listeners() {
                match syntax::parse_port(l.port) {
                    Ok(port) => {
                        if port.is_privileged() && c.kind() != Kind::Database {
                            self.push(
                                Rule::PortPrivileged,
                                Target::field(&c.id, l.field),
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
                            Rule::PortInvalid,
                            Target::field(&c.id, l.field),
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
                            Rule::PortConflict,
                            Target::field(&a.component.id, a.field),
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
}

/// Whether supervisor's INI parser would cut the value at an inline comment.
fn starts_inline_comment(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    chars
        .windows(2)
        .any(|w| w[0].is_whitespace() && matches!(w[1], ';' | '#'))
}
