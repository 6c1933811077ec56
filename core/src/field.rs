//! Every field a user edits, once: its name, label, input, range and where the model keeps it.
//!
//! A field is named by the last part of the path diagnostics point at and
//! [`crate::edit`] reads and writes: `settings.<name>`, `hosts.<id>.<name>` or
//! `components.<id>.<name>`. [`crate::edit`] reads and writes through this table, the
//! checks take their ranges from it, and the app builds its forms from it, so changing a
//! label, a range or an input is changing one line here.

use crate::model::{
    Balance, Component, ComponentKind, DatabaseFlavor, Host, Kind, Platform, Settings, Topology,
};

/// The whole numbers a number field takes, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Range {
    pub min: u64,
    pub max: u64,
}

impl Range {
    const fn new(min: u64, max: u64) -> Range {
        Range { min, max }
    }

    /// The number `text` holds, when it is one in range.
    pub fn parse(self, text: &str) -> Option<u64> {
        crate::syntax::parse_number(text, self.min, self.max)
    }
}

pub const OPEN_FILES: Range = Range::new(16, 1_048_576);
pub const SESSION_TIMEOUT: Range = Range::new(1, 31_536_000);
pub const THREADS: Range = Range::new(1, 64);
pub const ZODB_CACHE_SIZE: Range = Range::new(0, 10_000_000);
pub const MAXCONN_PER_SERVER: Range = Range::new(1, 10_000);
pub const CHECK_INTERVAL_MS: Range = Range::new(100, 3_600_000);
pub const CHECKS: Range = Range::new(1, 100);
pub const MEMORY_MB: Range = Range::new(1, 1_048_576);
pub const UPLOAD_LIMIT_MB: Range = Range::new(1, 65_536);

/// How a field is edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Input {
    Text,
    /// A port, 1 to 65535; still a text box, so a half-typed value is kept and explained.
    Port,
    /// A whole number in the range; a text box too.
    Number(Range),
    /// Hidden unless shown; can be filled with a random password.
    Password,
    /// A checkbox holding `"true"` or `"false"`.
    Toggle,
    /// One of a closed list of (value, label).
    Choice(&'static [(&'static str, &'static str)]),
    /// One entry per line.
    Lines,
    /// One of the design's hosts.
    Host,
    /// An instance's own value of a template setting (the path given); empty follows it.
    Inherit(&'static str),
    /// An instance's own on/off for a template flag (the path given); empty follows it.
    InheritToggle(&'static str),
}

/// A field's value in the model, to read.
pub enum Value<'a> {
    Text(&'a String),
    Flag(&'a bool),
    OptionalText(&'a Option<String>),
    OptionalFlag(&'a Option<bool>),
    Lines(&'a Vec<String>),
    Platform(&'a Platform),
    Balance(&'a Balance),
    Flavor(&'a DatabaseFlavor),
}

/// A field's value in the model, to write.
pub enum Slot<'a> {
    Text(&'a mut String),
    Flag(&'a mut bool),
    OptionalText(&'a mut Option<String>),
    OptionalFlag(&'a mut Option<bool>),
    Lines(&'a mut Vec<String>),
    Platform(&'a mut Platform),
    Balance(&'a mut Balance),
    Flavor(&'a mut DatabaseFlavor),
}

/// Where the model keeps a field.
#[derive(Clone, Copy)]
pub enum Place {
    Setting {
        read: fn(&Settings) -> Value<'_>,
        write: fn(&mut Settings) -> Slot<'_>,
    },
    Host {
        read: fn(&Host) -> Value<'_>,
        write: fn(&mut Host) -> Slot<'_>,
    },
    /// A field of every component (`kind: None`) or of one kind's; `None` from a component
    /// of another kind.
    Component {
        kind: Option<Kind>,
        read: fn(&Component) -> Option<Value<'_>>,
        write: fn(&mut Component) -> Option<Slot<'_>>,
    },
}

/// One editable field.
#[derive(Clone, Copy)]
pub struct Field {
    /// The last part of its path, e.g. `http_port` or `instance.threads`.
    pub name: &'static str,
    /// The visible label, which is also the input's accessible name.
    pub label: &'static str,
    pub input: Input,
    /// A short explanation under the label, or "".
    pub help: &'static str,
    pub place: Place,
}

impl Field {
    /// Whether a component of `kind` has this field.
    fn is_of(&self, kind: Kind) -> bool {
        matches!(self.place, Place::Component { kind: k, .. } if k.is_none_or(|k| k == kind))
    }
}

pub const BALANCES: &[(&str, &str)] = &[
    ("leastconn", "Least connections"),
    ("roundrobin", "Round robin"),
    ("source", "Source address"),
];
pub const FLAVORS: &[(&str, &str)] = &[("mariadb", "MariaDB"), ("mysql", "MySQL")];
/// The platforms as the model names them (ids and names written once, in `Platform`).
pub const PLATFORMS: &[(&str, &str)] = &{
    let mut choices = [("", ""); Platform::ALL.len()];
    let mut i = 0;
    while i < choices.len() {
        choices[i] = (Platform::ALL[i].id(), Platform::ALL[i].name());
        i += 1;
    }
    choices
};

/// A global setting: `setting!(name, Value, settings.path; label, input, help)`.
macro_rules! setting {
    ($name:literal, $value:ident, $($path:ident).+; $label:literal, $input:expr, $help:literal) => {
        Field {
            name: $name,
            label: $label,
            input: $input,
            help: $help,
            place: Place::Setting {
                read: {
                    fn read(s: &Settings) -> Value<'_> {
                        Value::$value(&s.$($path).+)
                    }
                    read
                },
                write: {
                    fn write(s: &mut Settings) -> Slot<'_> {
                        Slot::$value(&mut s.$($path).+)
                    }
                    write
                },
            },
        }
    };
}

/// A field of every component (`common!`) or of one kind's (`of_kind!`).
macro_rules! common {
    ($name:literal, $value:ident, $field:ident; $kind:expr, $label:literal, $input:expr, $help:literal) => {
        Field {
            name: $name,
            label: $label,
            input: $input,
            help: $help,
            place: Place::Component {
                kind: $kind,
                read: {
                    fn read(c: &Component) -> Option<Value<'_>> {
                        Some(Value::$value(&c.$field))
                    }
                    read
                },
                write: {
                    fn write(c: &mut Component) -> Option<Slot<'_>> {
                        Some(Slot::$value(&mut c.$field))
                    }
                    write
                },
            },
        }
    };
}

macro_rules! of_kind {
    ($kind:ident, $name:literal, $value:ident, $field:ident; $label:literal, $input:expr, $help:literal) => {
        Field {
            name: $name,
            label: $label,
            input: $input,
            help: $help,
            place: Place::Component {
                kind: Some(Kind::$kind),
                read: {
                    fn read(c: &Component) -> Option<Value<'_>> {
                        match &c.kind {
                            ComponentKind::$kind(k) => Some(Value::$value(&k.$field)),
                            _ => None,
                        }
                    }
                    read
                },
                write: {
                    fn write(c: &mut Component) -> Option<Slot<'_>> {
                        match &mut c.kind {
                            ComponentKind::$kind(k) => Some(Slot::$value(&mut k.$field)),
                            _ => None,
                        }
                    }
                    write
                },
            },
        }
    };
}

use Input::*;

/// The global settings, in the order forms show them.
pub const SETTINGS: &[Field] = &[
    setting!("name", Text, name; "Bundle name", Text, "The zip's name and its top folder."),
    setting!("site_id", Text, site_id; "Site id", Text, "The Plone site's id in its URLs."),
    setting!("zope_admin_user", Text, zope_admin_user; "Zope admin user", Text, ""),
    setting!("zope_admin_password", Text, zope_admin_password; "Zope admin password", Password, ""),
    setting!("fallback_url", Text, fallback_url; "Fallback URL", Text,
        "Where nginx serves the page shown while every instance is down."),
    setting!("open_files", Text, open_files; "Open files", Number(OPEN_FILES),
        "nginx's worker connections and HAProxy's maxconn: this or 4096, the larger."),
    setting!("session_timeout", Text, session_timeout; "Session timeout (s)", Number(SESSION_TIMEOUT), ""),
    setting!("shared_blobs", Flag, shared_blobs; "Shared blob directory", Toggle,
        "All instances use one var/blobstorage."),
    setting!("install_dir", Text, install_dir; "Install directory", Text,
        "Where the bundle is meant to be unpacked."),
    setting!("platform", Platform, platform; "Platform", Choice(PLATFORMS),
        "Fixes the versions of the daemons."),
    setting!("admin_networks", Lines, admin_networks; "Admin networks", Lines,
        "IPs or networks that may open the ZMI through nginx and reach the panels; empty: an SSH tunnel only."),
    setting!("instance.threads", Text, instance.threads; "Threads", Number(THREADS),
        "Worker threads of each instance."),
    setting!("instance.zodb_cache_size", Text, instance.zodb_cache_size; "ZODB cache size",
        Number(ZODB_CACHE_SIZE), "Objects kept in each instance's cache."),
    setting!("instance.debug_mode", Flag, instance.debug_mode; "Debug mode", Toggle, ""),
    setting!("instance.verbose_security", Flag, instance.verbose_security; "Verbose security", Toggle, ""),
];

/// The fields of a host. Its id can be read but not set: components name their host by it.
pub const HOST: &[Field] = &[Field {
    name: "address",
    label: "Address",
    input: Text,
    help: "Where other machines reach it.",
    place: Place::Host {
        read: |h| Value::Text(&h.address),
        write: |h| Slot::Text(&mut h.address),
    },
}];

/// The fields of components: a kind's own first, in the order the inspector shows them,
/// then those of every component. A kind's own entry for a common field (the database's
/// address) comes before the common one, so it wins.
pub const COMPONENTS: &[Field] = &[
    of_kind!(Nginx, "http_port", Text, http_port; "HTTP port", Port, ""),
    of_kind!(Nginx, "https_port", Text, https_port; "HTTPS port", Port, ""),
    of_kind!(Nginx, "public_host", Text, public_host; "Public host name", Text,
        "The domain users type; also the certificate's name."),
    of_kind!(Nginx, "certificate", Text, certificate; "Certificate file", Text,
        "Relative to the bundle's folder."),
    of_kind!(Nginx, "certificate_key", Text, certificate_key; "Certificate key file", Text,
        "Relative to the bundle's folder."),
    of_kind!(Nginx, "status_path", Text, status_path; "Status URL path", Text,
        "nginx's stub_status, answered on loopback only."),
    of_kind!(Nginx, "upload_limit_mb", Text, upload_limit_mb; "Upload limit (MiB)",
        Number(UPLOAD_LIMIT_MB), "Larger uploads get 413 from nginx."),
    of_kind!(Nginx, "hsts", Flag, hsts; "HSTS", Toggle,
        "Browsers then refuse plain HTTP to the public name (never sent for localhost or an address)."),
    of_kind!(Varnish, "port", Text, port; "Port", Port, ""),
    of_kind!(Varnish, "storage", Text, storage; "Storage", Text, "malloc,SIZE or file,PATH,SIZE."),
    of_kind!(Varnish, "tuning", Text, tuning; "Tuning parameters", Text,
        "Extra -p name=value parameters, space separated."),
    of_kind!(Varnish, "purge_acl", Lines, purge_acl; "Purge ACL", Lines,
        "Who may PURGE: one IP, network or host name per line."),
    of_kind!(Varnish, "purge_port", Text, purge_port; "Purge port", Port,
        "The instances' purges arrive here; nginx never forwards PURGE."),
    of_kind!(Haproxy, "port", Text, port; "Port", Port, ""),
    of_kind!(Haproxy, "stats_port", Text, stats_port; "Stats port", Port, ""),
    of_kind!(Haproxy, "stats_user", Text, stats_user; "Stats user", Text,
        "Empty: no password on the stats page."),
    of_kind!(Haproxy, "stats_password", Text, stats_password; "Stats password", Password, ""),
    of_kind!(Haproxy, "balance", Balance, balance; "Balance", Choice(BALANCES), ""),
    of_kind!(Haproxy, "maxconn_per_server", Text, maxconn_per_server; "Max connections per server",
        Number(MAXCONN_PER_SERVER), "At most the instance's threads."),
    of_kind!(Haproxy, "check_interval_ms", Text, check_interval_ms; "Health check interval (ms)",
        Number(CHECK_INTERVAL_MS), ""),
    of_kind!(Haproxy, "fall", Text, fall; "Fall", Number(CHECKS),
        "Failed checks before an instance is taken out."),
    of_kind!(Haproxy, "rise", Text, rise; "Rise", Number(CHECKS), "Good checks before it is put back."),
    of_kind!(Zope, "port", Text, port; "Port", Port, ""),
    of_kind!(Zope, "threads", OptionalText, threads; "Threads",
        Inherit("settings.instance.threads"), "Empty follows the instance template."),
    of_kind!(Zope, "zodb_cache_size", OptionalText, zodb_cache_size; "ZODB cache size",
        Inherit("settings.instance.zodb_cache_size"), "Objects; empty follows the instance template."),
    of_kind!(Zope, "debug_mode", OptionalFlag, debug_mode; "Debug mode",
        InheritToggle("settings.instance.debug_mode"), ""),
    of_kind!(Zope, "verbose_security", OptionalFlag, verbose_security; "Verbose security",
        InheritToggle("settings.instance.verbose_security"), ""),
    of_kind!(Database, "flavor", Flavor, flavor; "Flavor", Choice(FLAVORS), ""),
    of_kind!(Database, "port", Text, port; "Port", Port, ""),
    of_kind!(Database, "db_name", Text, db_name; "Database name", Text, ""),
    of_kind!(Database, "db_user", Text, db_user; "Database user", Text, ""),
    of_kind!(Database, "password", Text, password; "Database password", Password, ""),
    of_kind!(Memcached, "port", Text, port; "Port", Port, ""),
    of_kind!(Memcached, "memory_mb", Text, memory_mb; "Memory (MB)", Number(MEMORY_MB), ""),
    of_kind!(Supervisor, "port", Text, port; "Port", Port, ""),
    of_kind!(Supervisor, "admin_user", Text, admin_user; "Admin user", Text,
        "Login of supervisor's control panel."),
    of_kind!(Supervisor, "password", Text, password; "Admin password", Password, ""),
    common!("address", Text, address; Some(Kind::Database), "Address", Text,
        "Where the instances reach the database."),
    common!("user", Text, user; Some(Kind::Database), "System user", Text,
        "Informational: the database is your own server."),
    common!("name", Text, name; None, "Name", Text, "What the diagram and the comments call it."),
    common!("host", Text, host; None, "Host", Host, "The machine it runs on."),
    common!("address", Text, address; None, "Bind address", Text, "0.0.0.0 listens on every interface."),
    common!("user", Text, user; None, "System user", Text, "supervisor runs it as this user."),
];

/// The global setting `name` (the path after `settings.`).
pub fn setting(name: &str) -> Option<&'static Field> {
    SETTINGS.iter().find(|f| f.name == name)
}

/// The host field `name`.
pub fn host(name: &str) -> Option<&'static Field> {
    HOST.iter().find(|f| f.name == name)
}

/// The field `name` of a component of `kind`.
pub fn component(kind: Kind, name: &str) -> Option<&'static Field> {
    COMPONENTS.iter().find(|f| f.name == name && f.is_of(kind))
}

/// The fields only a component of `kind` has, in the inspector's order.
pub fn own_fields(kind: Kind) -> impl Iterator<Item = &'static Field> {
    COMPONENTS
        .iter()
        .filter(move |f| matches!(f.place, Place::Component { kind: Some(k), .. } if k == kind))
        .filter(|f| !COMMON.contains(&f.name))
}

/// The fields every component has; the id can be read but not set.
pub const COMMON: &[&str] = &["name", "host", "address", "user"];

/// The path of every field of `t` a form edits: the settings, each host's, then each
/// component's own and common fields.
pub fn paths(t: &Topology) -> Vec<String> {
    let mut paths: Vec<String> = SETTINGS
        .iter()
        .map(|f| format!("settings.{}", f.name))
        .collect();
    for h in &t.hosts {
        paths.extend(HOST.iter().map(|f| format!("hosts.{}.{}", h.id, f.name)));
    }
    for c in &t.components {
        let own = own_fields(c.kind()).map(|f| f.name);
        paths.extend(
            own.chain(COMMON.iter().copied())
                .map(|f| format!("components.{}.{f}", c.id)),
        );
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Where in memory a `Value` or a `Slot` points.
    macro_rules! place_of {
        ($value:expr, $kind:ident) => {
            match $value {
                $kind::Text(x) => x as *const _ as usize,
                $kind::Flag(x) => x as *const _ as usize,
                $kind::OptionalText(x) => x as *const _ as usize,
                $kind::OptionalFlag(x) => x as *const _ as usize,
                $kind::Lines(x) => x as *const _ as usize,
                $kind::Platform(x) => x as *const _ as usize,
                $kind::Balance(x) => x as *const _ as usize,
                $kind::Flavor(x) => x as *const _ as usize,
            }
        };
    }

    fn read_at(value: Value<'_>) -> usize {
        place_of!(value, Value)
    }

    fn written_at(slot: Slot<'_>) -> usize {
        place_of!(slot, Slot)
    }

    /// Each entry's reader and writer were spelled by one macro line; this holds them to it.
    #[test]
    fn every_field_reads_and_writes_the_same_place() {
        let mut t = crate::defaults::scaled(2, 1);
        let mut places = BTreeSet::new();
        for f in SETTINGS {
            let Place::Setting { read, write } = f.place else {
                panic!("{} is a setting", f.name)
            };
            let at = read_at(read(&t.settings));
            assert_eq!(at, written_at(write(&mut t.settings)), "{}", f.name);
            assert!(places.insert(at), "{} shares its place", f.name);
        }
        for c in &mut t.components {
            let mut places = BTreeSet::new();
            for name in COMMON
                .iter()
                .copied()
                .chain(own_fields(c.kind()).map(|f| f.name))
            {
                let Place::Component { read, write, .. } = component(c.kind(), name).unwrap().place
                else {
                    panic!("{name} is a component field")
                };
                let at = read_at(read(c).unwrap());
                assert_eq!(at, written_at(write(c).unwrap()), "{} {name}", c.id);
                assert!(places.insert(at), "{} {name} shares its place", c.id);
            }
        }
    }

    #[test]
    fn choices_name_every_value_the_model_knows() {
        let ids = |choices: &[(&str, &str)]| -> Vec<String> {
            choices.iter().map(|(id, _)| id.to_string()).collect()
        };
        let known = |all: Vec<&str>| -> Vec<String> { all.into_iter().map(String::from).collect() };
        assert_eq!(
            ids(BALANCES),
            known(Balance::ALL.iter().map(|b| b.id()).collect())
        );
        assert_eq!(
            ids(FLAVORS),
            known(DatabaseFlavor::ALL.iter().map(|f| f.id()).collect())
        );
        assert_eq!(
            ids(PLATFORMS),
            known(Platform::ALL.iter().map(|p| p.id()).collect())
        );
    }

    #[test]
    fn names_are_unique_where_a_form_looks_them_up() {
        let settings: BTreeSet<_> = SETTINGS.iter().map(|f| f.name).collect();
        assert_eq!(settings.len(), SETTINGS.len());
        for kind in Kind::ALL {
            let own: Vec<_> = own_fields(kind).map(|f| f.name).collect();
            let unique: BTreeSet<_> = own.iter().collect();
            assert_eq!(own.len(), unique.len(), "{kind}");
            for name in COMMON {
                assert!(component(kind, name).is_some(), "{kind} {name}");
            }
        }
        assert_eq!(
            component(Kind::Database, "address").unwrap().label,
            "Address"
        );
        assert_eq!(
            component(Kind::Nginx, "address").unwrap().label,
            "Bind address"
        );
        assert!(component(Kind::Nginx, "db_name").is_none());
    }
}
