//! What maps onto what: the recipes and sections of the exercise's layout, and each
//! `[section] key` that becomes one field of the design.

use crate::model::*;

/// The recipes the importer maps.
pub(super) const ZOPE_RECIPE: &str = "plone.recipe.zope2instance";
pub(super) const SUPERVISOR_RECIPE: &str = "collective.recipe.supervisor";

/// The sections of the exercise's layout with a fixed set of keys.
pub(super) const VALUE_SECTIONS: [&str; 11] = [
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
pub(super) type Field = fn(&mut Topology) -> Option<&mut String>;

/// One `[section] key` that maps onto one string field. `required` ones are reported
/// when no file sets them.
pub(super) struct OptionField {
    pub section: &'static str,
    pub key: &'static str,
    pub field: Field,
    pub required: bool,
}

/// The component of a kind (the design has one of each, except Zope instances).
pub(super) fn of_kind(t: &mut Topology, kind: Kind) -> Option<&mut Component> {
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
pub(super) fn option_fields() -> Vec<OptionField> {
    let f = |section, key, field: Field, required| OptionField {
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
            |t| database(t).map(|d| &mut d.db_user),
            false,
        ),
        f(
            "users",
            "supervisor-admin",
            |t| supervisor(t).map(|s| &mut s.admin_user),
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
            |t| database(t).map(|d| &mut d.db_name),
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

/// Keys read by special code rather than through [`option_fields`].
pub(super) const SPECIAL_KEYS: [(&str, &str); 12] = [
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
pub(super) const BUILDOUT_BUILTINS: [&str; 4] = [
    "bin-directory",
    "parts-directory",
    "eggs-directory",
    "develop-eggs-directory",
];

/// The options of a plone.recipe.zope2instance part the importer maps.
pub(super) const INSTANCE_KEYS: [&str; 11] = [
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

pub(super) const SUPERVISOR_KEYS: [&str; 6] = [
    "recipe",
    "port",
    "user",
    "password",
    "serverurl",
    "programs",
];
