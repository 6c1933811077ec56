//! The saved format: versioned JSON, separate from the internal model.
//!
//! These types are a compatibility boundary. The model may change freely; the format
//! changes only with a new `version`, and old versions keep loading through a migration.
//! `docs/topology.md` describes it and `docs/topology.schema.json` is its JSON Schema.

use crate::json::{self, Map, Value};
use crate::model::*;

/// The format version this build writes.
pub const VERSION: u64 = 1;

/// The most hosts, components or connections a design may list: far beyond any design
/// (one needs at most 64 instances), and a bound on the work of checking one.
pub const MAX_ITEMS: usize = 1024;

/// Why a saved design could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FormatError {
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the design has no \"version\" field")]
    MissingVersion,
    #[error(
        "the design is format version {found}, newer than this Stackwright reads (up to {VERSION}); update Stackwright"
    )]
    TooNew { found: u64 },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// Writes a design as pretty JSON in the current format version.
pub fn to_json(topology: &Topology) -> String {
    let mut text = json::to_pretty(&to_value(topology));
    text.push('\n');
    text
}

/// Reads a design in any supported format version.
pub fn from_json(text: &str) -> Result<Topology, FormatError> {
    let value = json::parse(text).map_err(|e| FormatError::Syntax {
        line: e.line,
        column: e.column,
        message: e.message.into(),
    })?;
    from_value(value)
}

/// Reads a design from a parsed JSON value.
pub fn from_value(value: Value) -> Result<Topology, FormatError> {
    let version = match value.get("version") {
        None => return Err(FormatError::MissingVersion),
        Some(v) => v.as_u64().ok_or_else(|| FormatError::Invalid {
            path: "version".into(),
            message: format!("expected a whole number, found {}", v.describe()),
        })?,
    };
    match version {
        0 => Err(FormatError::Invalid {
            path: "version".into(),
            message: "version 0 does not exist".into(),
        }),
        1 => design_v1(value),
        found => Err(FormatError::TooNew { found }),
    }
}

/// The design as a JSON value in the current format, for tools that edit the JSON.
pub fn to_value(t: &Topology) -> Value {
    let s = &t.settings;
    let instance = object([
        ("threads", typed(&s.instance.threads)),
        ("zodb_cache_size", typed(&s.instance.zodb_cache_size)),
        ("debug_mode", s.instance.debug_mode.into()),
        ("verbose_security", s.instance.verbose_security.into()),
    ]);
    let settings = object([
        ("name", text(&s.name)),
        ("site_id", text(&s.site_id)),
        ("zope_admin_user", text(&s.zope_admin_user)),
        ("zope_admin_password", text(&s.zope_admin_password)),
        ("fallback_url", text(&s.fallback_url)),
        ("open_files", typed(&s.open_files)),
        ("session_timeout", typed(&s.session_timeout)),
        ("shared_blobs", s.shared_blobs.into()),
        ("install_dir", text(&s.install_dir)),
        ("platform", s.platform.id().into()),
        ("instance", instance),
    ]);
    let hosts = t
        .hosts
        .iter()
        .map(|h| object([("id", text(&h.id)), ("address", text(&h.address))]))
        .collect();
    let connections = t
        .connections
        .iter()
        .map(|c| object([("from", text(&c.from)), ("to", text(&c.to))]))
        .collect();
    object([
        ("version", Value::Number(VERSION.to_string())),
        ("settings", settings),
        ("hosts", Value::Array(hosts)),
        (
            "components",
            Value::Array(t.components.iter().map(component).collect()),
        ),
        ("connections", Value::Array(connections)),
    ])
}

fn component(c: &Component) -> Value {
    let position = object([
        ("x", Value::from(i64::from(c.position.x))),
        ("y", Value::from(i64::from(c.position.y))),
    ]);
    object([
        ("id", text(&c.id)),
        ("kind", c.kind().id().into()),
        ("name", text(&c.name)),
        ("host", text(&c.host)),
        ("address", text(&c.address)),
        ("user", text(&c.user)),
        ("position", position),
        ("settings", Value::Object(kind_settings(&c.kind))),
    ])
}

/// A kind's own settings. Their keys are written in alphabetical order, as version 1
/// has always written them.
fn kind_settings(kind: &ComponentKind) -> Map {
    let fields: Vec<(&str, Value)> = match kind {
        ComponentKind::Nginx(n) => vec![
            ("certificate", text(&n.certificate)),
            ("certificate_key", text(&n.certificate_key)),
            ("http_port", typed(&n.http_port)),
            ("https_port", typed(&n.https_port)),
            ("public_host", text(&n.public_host)),
            ("status_path", text(&n.status_path)),
        ],
        ComponentKind::Varnish(v) => vec![
            ("port", typed(&v.port)),
            (
                "purge_acl",
                Value::Array(v.purge_acl.iter().map(|a| text(a)).collect()),
            ),
            ("storage", text(&v.storage)),
            ("tuning", text(&v.tuning)),
        ],
        ComponentKind::Haproxy(h) => vec![
            ("balance", h.balance.id().into()),
            ("check_interval_ms", typed(&h.check_interval_ms)),
            ("fall", typed(&h.fall)),
            ("maxconn_per_server", typed(&h.maxconn_per_server)),
            ("port", typed(&h.port)),
            ("rise", typed(&h.rise)),
            ("stats_password", text(&h.stats_password)),
            ("stats_port", typed(&h.stats_port)),
            ("stats_user", text(&h.stats_user)),
        ],
        ComponentKind::Zope(z) => {
            // Left out when the instance follows the template.
            let mut fields = Vec::new();
            if let Some(on) = z.debug_mode {
                fields.push(("debug_mode", on.into()));
            }
            fields.push(("port", typed(&z.port)));
            if let Some(threads) = &z.threads {
                fields.push(("threads", typed(threads)));
            }
            if let Some(on) = z.verbose_security {
                fields.push(("verbose_security", on.into()));
            }
            if let Some(size) = &z.zodb_cache_size {
                fields.push(("zodb_cache_size", typed(size)));
            }
            fields
        }
        ComponentKind::Database(d) => vec![
            ("flavor", d.flavor.id().into()),
            ("name", text(&d.name)),
            ("password", text(&d.password)),
            ("port", typed(&d.port)),
            ("user", text(&d.user)),
        ],
        ComponentKind::Memcached(m) => {
            vec![("memory_mb", typed(&m.memory_mb)), ("port", typed(&m.port))]
        }
        ComponentKind::Supervisor(s) => vec![
            ("password", text(&s.password)),
            ("port", typed(&s.port)),
            ("user", text(&s.user)),
        ],
    };
    fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn text(s: &str) -> Value {
    Value::String(s.into())
}

/// A number as the user typed it: written as a JSON number when it is a plain unsigned
/// integer in canonical form, kept as a string otherwise, so a half-typed `"80x"`
/// survives a save and reload.
fn typed(s: &str) -> Value {
    match s.parse::<u64>() {
        Ok(n) if n.to_string() == s => Value::Number(s.into()),
        _ => text(s),
    }
}

/// An object being read: its fields are taken by name, and any it does not have is
/// refused up front, as is any field it does not know.
struct Fields {
    path: String,
    map: Map,
}

impl Fields {
    fn new(path: String, value: Value, known: &[&str]) -> Result<Self, FormatError> {
        let Value::Object(map) = value else {
            return Err(invalid(&path, &value, "an object"));
        };
        if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
            let expected: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            return Err(FormatError::Invalid {
                message: format!(
                    "unknown field `{unknown}`, expected one of {}",
                    expected.join(", ")
                ),
                path: shown(&path),
            });
        }
        Ok(Fields { path, map })
    }

    fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.into()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The field `key`, or `None` when absent.
    fn optional(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key)
    }

    fn take(&mut self, key: &str) -> Result<Value, FormatError> {
        self.optional(key).ok_or_else(|| FormatError::Invalid {
            path: shown(&self.path),
            message: format!("missing field `{key}`"),
        })
    }

    fn string(&mut self, key: &str) -> Result<String, FormatError> {
        match self.take(key)? {
            Value::String(s) => Ok(s),
            other => Err(invalid(&self.path_of(key), &other, "a string")),
        }
    }

    fn bool(&mut self, key: &str) -> Result<bool, FormatError> {
        let value = self.take(key)?;
        self.as_bool(key, value)
    }

    fn optional_bool(&mut self, key: &str) -> Result<Option<bool>, FormatError> {
        let value = self.optional(key);
        value.map(|v| self.as_bool(key, v)).transpose()
    }

    fn as_bool(&self, key: &str, value: Value) -> Result<bool, FormatError> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(invalid(&self.path_of(key), &other, "a boolean")),
        }
    }

    /// A number field: a JSON number (kept as its text) or a string.
    fn typed(&mut self, key: &str) -> Result<String, FormatError> {
        let value = self.take(key)?;
        self.as_typed(key, value)
    }

    fn optional_typed(&mut self, key: &str) -> Result<Option<String>, FormatError> {
        let value = self.optional(key);
        value.map(|v| self.as_typed(key, v)).transpose()
    }

    fn as_typed(&self, key: &str, value: Value) -> Result<String, FormatError> {
        match value {
            Value::String(s) | Value::Number(s) => Ok(s),
            other => Err(FormatError::Invalid {
                path: self.path_of(key),
                message: format!("expected a number or a string, found {}", other.describe()),
            }),
        }
    }

    fn whole(&mut self, key: &str) -> Result<i32, FormatError> {
        let value = self.take(key)?;
        match &value {
            Value::Number(n) => n.parse().ok(),
            _ => None,
        }
        .ok_or_else(|| invalid(&self.path_of(key), &value, "a whole number"))
    }

    /// Each item of the array `key`, read by `read` with its path.
    fn list<T>(
        &mut self,
        key: &str,
        mut read: impl FnMut(String, Value) -> Result<T, FormatError>,
    ) -> Result<Vec<T>, FormatError> {
        let path = self.path_of(key);
        match self.take(key)? {
            Value::Array(items) if items.len() > MAX_ITEMS => Err(FormatError::Invalid {
                path,
                message: format!(
                    "{} items, more than the {MAX_ITEMS} a design may have",
                    items.len()
                ),
            }),
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| read(format!("{path}[{i}]"), item))
                .collect(),
            other => Err(invalid(&path, &other, "an array")),
        }
    }

    fn one_of<T: Copy>(
        &mut self,
        key: &str,
        all: &[T],
        id: fn(T) -> &'static str,
    ) -> Result<T, FormatError> {
        let value = self.string(key)?;
        all.iter()
            .copied()
            .find(|x| id(*x) == value)
            .ok_or_else(|| FormatError::Invalid {
                path: self.path_of(key),
                message: format!(
                    "unknown value {value:?}; expected one of {}",
                    all.iter().map(|x| id(*x)).collect::<Vec<_>>().join(", ")
                ),
            })
    }
}

/// The root's path reads `design` in messages.
fn shown(path: &str) -> String {
    if path.is_empty() {
        "design".into()
    } else {
        path.into()
    }
}

fn invalid(path: &str, found: &Value, expected: &str) -> FormatError {
    FormatError::Invalid {
        path: shown(path),
        message: format!("invalid type: {}, expected {expected}", found.describe()),
    }
}

fn design_v1(value: Value) -> Result<Topology, FormatError> {
    let mut d = Fields::new(
        String::new(),
        value,
        &["version", "settings", "hosts", "components", "connections"],
    )?;
    let settings = settings_v1(d.take("settings")?)?;
    let hosts = d.list("hosts", |path, value| {
        let mut h = Fields::new(path, value, &["id", "address"])?;
        Ok(Host {
            id: h.string("id")?,
            address: h.string("address")?,
        })
    })?;
    let components = d.list("components", component_v1)?;
    let connections = d.list("connections", |path, value| {
        let mut c = Fields::new(path, value, &["from", "to"])?;
        Ok(Connection {
            from: c.string("from")?,
            to: c.string("to")?,
        })
    })?;
    Ok(Topology {
        settings,
        hosts,
        components,
        connections,
    })
}

fn settings_v1(value: Value) -> Result<Settings, FormatError> {
    let mut s = Fields::new(
        "settings".into(),
        value,
        &[
            "name",
            "site_id",
            "zope_admin_user",
            "zope_admin_password",
            "fallback_url",
            "open_files",
            "session_timeout",
            "shared_blobs",
            "install_dir",
            "platform",
            "instance",
        ],
    )?;
    let mut i = Fields::new(
        "settings.instance".into(),
        s.take("instance")?,
        &[
            "threads",
            "zodb_cache_size",
            "debug_mode",
            "verbose_security",
        ],
    )?;
    Ok(Settings {
        name: s.string("name")?,
        site_id: s.string("site_id")?,
        zope_admin_user: s.string("zope_admin_user")?,
        zope_admin_password: s.string("zope_admin_password")?,
        fallback_url: s.string("fallback_url")?,
        open_files: s.typed("open_files")?,
        session_timeout: s.typed("session_timeout")?,
        shared_blobs: s.bool("shared_blobs")?,
        install_dir: s.string("install_dir")?,
        platform: s.one_of("platform", &Platform::ALL, Platform::id)?,
        instance: InstanceTemplate {
            threads: i.typed("threads")?,
            zodb_cache_size: i.typed("zodb_cache_size")?,
            debug_mode: i.bool("debug_mode")?,
            verbose_security: i.bool("verbose_security")?,
        },
    })
}

fn component_v1(path: String, value: Value) -> Result<Component, FormatError> {
    let mut c = Fields::new(
        path,
        value,
        &[
            "id", "kind", "name", "host", "address", "user", "position", "settings",
        ],
    )?;
    let kind = c.one_of("kind", &Kind::ALL, Kind::id)?;
    let mut at = Fields::new(c.path_of("position"), c.take("position")?, &["x", "y"])?;
    let position = Position {
        x: at.whole("x")?,
        y: at.whole("y")?,
    };
    let settings = c.take("settings")?;
    let path = c.path_of("settings");
    let kind = match kind {
        Kind::Nginx => {
            let mut n = Fields::new(
                path,
                settings,
                &[
                    "http_port",
                    "https_port",
                    "public_host",
                    "certificate",
                    "certificate_key",
                    "status_path",
                ],
            )?;
            ComponentKind::Nginx(Nginx {
                http_port: n.typed("http_port")?,
                https_port: n.typed("https_port")?,
                public_host: n.string("public_host")?,
                certificate: n.string("certificate")?,
                certificate_key: n.string("certificate_key")?,
                status_path: n.string("status_path")?,
            })
        }
        Kind::Varnish => {
            let mut v = Fields::new(path, settings, &["port", "storage", "tuning", "purge_acl"])?;
            ComponentKind::Varnish(Varnish {
                port: v.typed("port")?,
                storage: v.string("storage")?,
                tuning: v.string("tuning")?,
                purge_acl: v.list("purge_acl", |path, item| match item {
                    Value::String(s) => Ok(s),
                    other => Err(invalid(&path, &other, "a string")),
                })?,
            })
        }
        Kind::Haproxy => {
            let mut h = Fields::new(
                path,
                settings,
                &[
                    "port",
                    "stats_port",
                    "stats_user",
                    "stats_password",
                    "balance",
                    "maxconn_per_server",
                    "check_interval_ms",
                    "fall",
                    "rise",
                ],
            )?;
            ComponentKind::Haproxy(Haproxy {
                port: h.typed("port")?,
                stats_port: h.typed("stats_port")?,
                stats_user: h.string("stats_user")?,
                stats_password: h.string("stats_password")?,
                balance: h.one_of("balance", &Balance::ALL, Balance::id)?,
                maxconn_per_server: h.typed("maxconn_per_server")?,
                check_interval_ms: h.typed("check_interval_ms")?,
                fall: h.typed("fall")?,
                rise: h.typed("rise")?,
            })
        }
        Kind::Zope => {
            let mut z = Fields::new(
                path,
                settings,
                &[
                    "port",
                    "threads",
                    "zodb_cache_size",
                    "debug_mode",
                    "verbose_security",
                ],
            )?;
            // Absent settings follow the instance template.
            ComponentKind::Zope(ZopeInstance {
                port: z.typed("port")?,
                threads: z.optional_typed("threads")?,
                zodb_cache_size: z.optional_typed("zodb_cache_size")?,
                debug_mode: z.optional_bool("debug_mode")?,
                verbose_security: z.optional_bool("verbose_security")?,
            })
        }
        Kind::Database => {
            let mut d = Fields::new(
                path,
                settings,
                &["flavor", "port", "name", "user", "password"],
            )?;
            ComponentKind::Database(Database {
                flavor: d.one_of("flavor", &DatabaseFlavor::ALL, DatabaseFlavor::id)?,
                port: d.typed("port")?,
                name: d.string("name")?,
                user: d.string("user")?,
                password: d.string("password")?,
            })
        }
        Kind::Memcached => {
            let mut m = Fields::new(path, settings, &["port", "memory_mb"])?;
            ComponentKind::Memcached(Memcached {
                port: m.typed("port")?,
                memory_mb: m.typed("memory_mb")?,
            })
        }
        Kind::Supervisor => {
            let mut s = Fields::new(path, settings, &["port", "user", "password"])?;
            ComponentKind::Supervisor(Supervisor {
                port: s.typed("port")?,
                user: s.string("user")?,
                password: s.string("password")?,
            })
        }
    };
    Ok(Component {
        id: c.string("id")?,
        name: c.string("name")?,
        host: c.string("host")?,
        address: c.string("address")?,
        user: c.string("user")?,
        position,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips() {
        let t = Topology::exercise();
        let text = to_json(&t);
        assert_eq!(from_json(&text), Ok(t));
        assert!(
            text.contains("\"http_port\": 8000"),
            "ports are written as numbers"
        );
    }

    #[test]
    fn half_typed_numbers_survive() {
        let mut t = Topology::exercise();
        if let ComponentKind::Nginx(n) = &mut t.component_mut("nginx").unwrap().kind {
            n.http_port = "80x".into();
            n.https_port = "0443".into();
        }
        let text = to_json(&t);
        assert!(text.contains("\"http_port\": \"80x\""));
        assert_eq!(from_json(&text), Ok(t));
    }

    #[test]
    fn errors_are_clear() {
        let check = |text: &str, expected: &str| {
            let err = from_json(text).unwrap_err().to_string();
            assert!(
                err.contains(expected),
                "{err:?} should contain {expected:?}"
            );
        };
        check("{\n  \"version\": 1,\n  oops", "line 3, column 3");
        check("{}", "no \"version\"");
        check("{\"version\": 7}", "newer than this Stackwright reads");
        check(
            "{\"version\": \"1\"}",
            "version: expected a whole number, found string \"1\"",
        );
        let mut v = to_value(&Topology::exercise());
        v["settings"]["colour"] = Value::from("red");
        let err = from_value(v).unwrap_err().to_string();
        assert!(
            err.starts_with("settings: unknown field `colour`, expected one of `name`, `site_id`"),
            "{err}"
        );
        let broken = |edit: fn(&mut Value)| {
            let mut v = to_value(&Topology::exercise());
            edit(&mut v);
            from_value(v).unwrap_err().to_string()
        };
        assert_eq!(
            broken(|v| v["settings"]["shared_blobs"] = Value::from("yes")),
            "settings.shared_blobs: invalid type: string \"yes\", expected a boolean"
        );
        assert_eq!(
            broken(|v| {
                v["components"][1]["settings"]
                    .as_object_mut()
                    .unwrap()
                    .remove("tuning");
            }),
            "components[1].settings: missing field `tuning`"
        );
        assert_eq!(
            broken(|v| v["hosts"][0]["address"] = Value::from(1)),
            "hosts[0].address: invalid type: number 1, expected a string"
        );
        assert_eq!(
            broken(|v| v["components"][2]["position"]["x"] = Value::Number("1.5".into())),
            "components[2].position.x: invalid type: number 1.5, expected a whole number"
        );
        // Component 3 is a Zope instance; its optional settings are checked when present.
        assert_eq!(
            broken(|v| v["components"][3]["settings"]["threads"] = Value::Bool(true)),
            "components[3].settings.threads: expected a number or a string, found true"
        );
        assert_eq!(
            broken(|v| v["components"][3]["settings"]["debug_mode"] = Value::from("on")),
            "components[3].settings.debug_mode: invalid type: string \"on\", expected a boolean"
        );
        assert_eq!(
            broken(|v| v["connections"] = Value::from(true)),
            "connections: invalid type: true, expected an array"
        );
        assert_eq!(
            broken(|v| v["hosts"] = Value::Array(vec![Value::Null; MAX_ITEMS + 1])),
            "hosts: 1025 items, more than the 1024 a design may have"
        );
        let mut v = to_value(&Topology::exercise());
        v["components"][0]["settings"]["listen"] = Value::from(1);
        let err = from_value(v).unwrap_err().to_string();
        assert!(
            err.starts_with("components[0].settings: unknown field `listen`"),
            "{err}"
        );
        for (value, found) in [
            (Value::Bool(true), "true"),
            (Value::Null, "null"),
            (json::parse("[80]").unwrap(), "an array"),
            (json::parse(r#"{"port": 80}"#).unwrap(), "an object"),
        ] {
            let mut v = to_value(&Topology::exercise());
            v["components"][0]["settings"]["http_port"] = value;
            let err = from_value(v).unwrap_err().to_string();
            assert_eq!(
                err,
                format!(
                    "components[0].settings.http_port: expected a number or a string, found {found}"
                )
            );
        }
        let mut v = to_value(&Topology::exercise());
        v["components"][1]["kind"] = Value::from("apache");
        let err = from_value(v).unwrap_err().to_string();
        assert!(
            err.contains("components[1].kind: unknown value \"apache\""),
            "{err}"
        );
    }
}
