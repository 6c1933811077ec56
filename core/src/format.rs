//! The saved format: versioned JSON, separate from the internal model.
//!
//! These types are a compatibility boundary. The model may change freely; the format
//! changes only with a new `version`, and old versions keep loading through a migration.
//! `docs/topology.md` describes it and `docs/topology.schema.json` is its JSON Schema.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::model::*;

/// The format version this build writes.
pub const VERSION: u64 = 1;

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

/// A number as the user typed it: written as a JSON number when it is one, kept as a
/// string otherwise, so a half-typed `"80x"` survives a save and reload.
#[derive(Clone, Debug, PartialEq, Default)]
struct Typed(String);

impl Serialize for Typed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.parse::<u64>() {
            Ok(n) if n.to_string() == self.0 => s.serialize_u64(n),
            _ => s.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Typed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Typed(s)),
            Value::Number(n) => Ok(Typed(n.to_string())),
            other => {
                // Named, not printed: printing a JSON value would add another JSON writer.
                let found = match other {
                    Value::Bool(true) => "true",
                    Value::Bool(false) => "false",
                    Value::Null => "null",
                    Value::Array(_) => "an array",
                    _ => "an object",
                };
                Err(serde::de::Error::custom(format!(
                    "expected a number or a string, found {found}"
                )))
            }
        }
    }
}

impl From<&String> for Typed {
    fn from(s: &String) -> Self {
        Typed(s.clone())
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DesignV1 {
    version: u64,
    settings: SettingsV1,
    hosts: Vec<HostV1>,
    components: Vec<ComponentV1>,
    connections: Vec<ConnectionV1>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsV1 {
    name: String,
    site_id: String,
    zope_admin_user: String,
    zope_admin_password: String,
    fallback_url: String,
    open_files: Typed,
    session_timeout: Typed,
    shared_blobs: bool,
    install_dir: String,
    platform: String,
    instance: InstanceV1,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceV1 {
    threads: Typed,
    zodb_cache_size: Typed,
    debug_mode: bool,
    verbose_security: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HostV1 {
    id: String,
    address: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComponentV1 {
    id: String,
    kind: String,
    name: String,
    host: String,
    address: String,
    user: String,
    position: PositionV1,
    /// The kind's own settings; read by the kind's type below.
    settings: Value,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PositionV1 {
    x: i32,
    y: i32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionV1 {
    from: String,
    to: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NginxV1 {
    http_port: Typed,
    https_port: Typed,
    public_host: String,
    certificate: String,
    certificate_key: String,
    status_path: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct VarnishV1 {
    port: Typed,
    storage: String,
    tuning: String,
    purge_acl: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HaproxyV1 {
    port: Typed,
    stats_port: Typed,
    stats_user: String,
    stats_password: String,
    balance: String,
    maxconn_per_server: Typed,
    check_interval_ms: Typed,
    fall: Typed,
    rise: Typed,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ZopeV1 {
    port: Typed,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threads: Option<Typed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    zodb_cache_size: Option<Typed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    debug_mode: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    verbose_security: Option<bool>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseV1 {
    flavor: String,
    port: Typed,
    name: String,
    user: String,
    password: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemcachedV1 {
    port: Typed,
    memory_mb: Typed,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SupervisorV1 {
    port: Typed,
    user: String,
    password: String,
}

/// Writes a design as pretty JSON in the current format version.
pub fn to_json(topology: &Topology) -> String {
    let design = DesignV1::from(topology);
    let mut text =
        serde_json::to_string_pretty(&design).expect("the saved format always serializes");
    text.push('\n');
    text
}

/// Reads a design in any supported format version.
pub fn from_json(text: &str) -> Result<Topology, FormatError> {
    let value: Value = serde_json::from_str(text).map_err(|e| FormatError::Syntax {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    from_value(value)
}

/// Reads a design from a parsed JSON value.
pub fn from_value(value: Value) -> Result<Topology, FormatError> {
    let version = match value.get("version") {
        None => return Err(FormatError::MissingVersion),
        Some(v) => v.as_u64().ok_or_else(|| FormatError::Invalid {
            path: "version".into(),
            // `to_string` shares the share link's JSON writer; `{v}` would add another.
            message: format!(
                "expected a whole number, found {}",
                serde_json::to_string(v).unwrap_or_default()
            ),
        })?,
    };
    match version {
        0 => Err(FormatError::Invalid {
            path: "version".into(),
            message: "version 0 does not exist".into(),
        }),
        1 => {
            let design: DesignV1 = parse("", value)?;
            design.into_model()
        }
        found => Err(FormatError::TooNew { found }),
    }
}

/// The design as a JSON value in the current format, for tools that edit the JSON.
pub fn to_value(topology: &Topology) -> Value {
    serde_json::to_value(DesignV1::from(topology)).expect("the saved format always serializes")
}

fn parse<T: for<'de> Deserialize<'de>>(path: &str, value: Value) -> Result<T, FormatError> {
    serde_json::from_value(value).map_err(|e| FormatError::Invalid {
        path: if path.is_empty() {
            "design".into()
        } else {
            path.into()
        },
        message: strip_position(&e.to_string()),
    })
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn settings_value<T: Serialize>(settings: T) -> Value {
    serde_json::to_value(settings).expect("component settings always serialize")
}

impl From<&Topology> for DesignV1 {
    fn from(t: &Topology) -> Self {
        let s = &t.settings;
        DesignV1 {
            version: VERSION,
            settings: SettingsV1 {
                name: s.name.clone(),
                site_id: s.site_id.clone(),
                zope_admin_user: s.zope_admin_user.clone(),
                zope_admin_password: s.zope_admin_password.clone(),
                fallback_url: s.fallback_url.clone(),
                open_files: (&s.open_files).into(),
                session_timeout: (&s.session_timeout).into(),
                shared_blobs: s.shared_blobs,
                install_dir: s.install_dir.clone(),
                platform: s.platform.id().into(),
                instance: InstanceV1 {
                    threads: (&s.instance.threads).into(),
                    zodb_cache_size: (&s.instance.zodb_cache_size).into(),
                    debug_mode: s.instance.debug_mode,
                    verbose_security: s.instance.verbose_security,
                },
            },
            hosts: t
                .hosts
                .iter()
                .map(|h| HostV1 {
                    id: h.id.clone(),
                    address: h.address.clone(),
                })
                .collect(),
            components: t.components.iter().map(ComponentV1::from).collect(),
            connections: t
                .connections
                .iter()
                .map(|c| ConnectionV1 {
                    from: c.from.clone(),
                    to: c.to.clone(),
                })
                .collect(),
        }
    }
}

impl From<&Component> for ComponentV1 {
    fn from(c: &Component) -> Self {
        let settings = match &c.kind {
            ComponentKind::Nginx(n) => settings_value(NginxV1 {
                http_port: (&n.http_port).into(),
                https_port: (&n.https_port).into(),
                public_host: n.public_host.clone(),
                certificate: n.certificate.clone(),
                certificate_key: n.certificate_key.clone(),
                status_path: n.status_path.clone(),
            }),
            ComponentKind::Varnish(v) => settings_value(VarnishV1 {
                port: (&v.port).into(),
                storage: v.storage.clone(),
                tuning: v.tuning.clone(),
                purge_acl: v.purge_acl.clone(),
            }),
            ComponentKind::Haproxy(h) => settings_value(HaproxyV1 {
                port: (&h.port).into(),
                stats_port: (&h.stats_port).into(),
                stats_user: h.stats_user.clone(),
                stats_password: h.stats_password.clone(),
                balance: h.balance.id().into(),
                maxconn_per_server: (&h.maxconn_per_server).into(),
                check_interval_ms: (&h.check_interval_ms).into(),
                fall: (&h.fall).into(),
                rise: (&h.rise).into(),
            }),
            ComponentKind::Zope(z) => settings_value(ZopeV1 {
                port: (&z.port).into(),
                threads: z.threads.as_ref().map(Typed::from),
                zodb_cache_size: z.zodb_cache_size.as_ref().map(Typed::from),
                debug_mode: z.debug_mode,
                verbose_security: z.verbose_security,
            }),
            ComponentKind::Database(d) => settings_value(DatabaseV1 {
                flavor: d.flavor.id().into(),
                port: (&d.port).into(),
                name: d.name.clone(),
                user: d.user.clone(),
                password: d.password.clone(),
            }),
            ComponentKind::Memcached(m) => settings_value(MemcachedV1 {
                port: (&m.port).into(),
                memory_mb: (&m.memory_mb).into(),
            }),
            ComponentKind::Supervisor(s) => settings_value(SupervisorV1 {
                port: (&s.port).into(),
                user: s.user.clone(),
                password: s.password.clone(),
            }),
        };
        ComponentV1 {
            id: c.id.clone(),
            kind: c.kind().id().into(),
            name: c.name.clone(),
            host: c.host.clone(),
            address: c.address.clone(),
            user: c.user.clone(),
            position: PositionV1 {
                x: c.position.x,
                y: c.position.y,
            },
            settings,
        }
    }
}

fn one_of<T: Copy>(
    path: &str,
    value: &str,
    all: &[T],
    id: fn(T) -> &'static str,
) -> Result<T, FormatError> {
    all.iter()
        .copied()
        .find(|x| id(*x) == value)
        .ok_or_else(|| FormatError::Invalid {
            path: path.into(),
            message: format!(
                "unknown value {value:?}; expected one of {}",
                all.iter().map(|x| id(*x)).collect::<Vec<_>>().join(", ")
            ),
        })
}

impl DesignV1 {
    fn into_model(self) -> Result<Topology, FormatError> {
        let s = self.settings;
        let settings = Settings {
            name: s.name,
            site_id: s.site_id,
            zope_admin_user: s.zope_admin_user,
            zope_admin_password: s.zope_admin_password,
            fallback_url: s.fallback_url,
            open_files: s.open_files.0,
            session_timeout: s.session_timeout.0,
            shared_blobs: s.shared_blobs,
            install_dir: s.install_dir,
            platform: one_of(
                "settings.platform",
                &s.platform,
                &Platform::ALL,
                Platform::id,
            )?,
            instance: InstanceTemplate {
                threads: s.instance.threads.0,
                zodb_cache_size: s.instance.zodb_cache_size.0,
                debug_mode: s.instance.debug_mode,
                verbose_security: s.instance.verbose_security,
            },
        };
        let components = self
            .components
            .into_iter()
            .enumerate()
            .map(|(i, c)| c.into_model(i))
            .collect::<Result<_, _>>()?;
        Ok(Topology {
            settings,
            hosts: self
                .hosts
                .into_iter()
                .map(|h| Host {
                    id: h.id,
                    address: h.address,
                })
                .collect(),
            components,
            connections: self
                .connections
                .into_iter()
                .map(|c| Connection {
                    from: c.from,
                    to: c.to,
                })
                .collect(),
        })
    }
}

impl ComponentV1 {
    fn into_model(self, index: usize) -> Result<Component, FormatError> {
        let path = format!("components[{index}].settings");
        let kind = one_of(
            &format!("components[{index}].kind"),
            &self.kind,
            &Kind::ALL,
            Kind::id,
        )?;
        let settings = self.settings;
        let kind = match kind {
            Kind::Nginx => {
                let n: NginxV1 = parse(&path, settings)?;
                ComponentKind::Nginx(Nginx {
                    http_port: n.http_port.0,
                    https_port: n.https_port.0,
                    public_host: n.public_host,
                    certificate: n.certificate,
                    certificate_key: n.certificate_key,
                    status_path: n.status_path,
                })
            }
            Kind::Varnish => {
                let v: VarnishV1 = parse(&path, settings)?;
                ComponentKind::Varnish(Varnish {
                    port: v.port.0,
                    storage: v.storage,
                    tuning: v.tuning,
                    purge_acl: v.purge_acl,
                })
            }
            Kind::Haproxy => {
                let h: HaproxyV1 = parse(&path, settings)?;
                ComponentKind::Haproxy(Haproxy {
                    port: h.port.0,
                    stats_port: h.stats_port.0,
                    stats_user: h.stats_user,
                    stats_password: h.stats_password,
                    balance: one_of(
                        &format!("{path}.balance"),
                        &h.balance,
                        &Balance::ALL,
                        Balance::id,
                    )?,
                    maxconn_per_server: h.maxconn_per_server.0,
                    check_interval_ms: h.check_interval_ms.0,
                    fall: h.fall.0,
                    rise: h.rise.0,
                })
            }
            Kind::Zope => {
                let z: ZopeV1 = parse(&path, settings)?;
                ComponentKind::Zope(ZopeInstance {
                    port: z.port.0,
                    threads: z.threads.map(|t| t.0),
                    zodb_cache_size: z.zodb_cache_size.map(|t| t.0),
                    debug_mode: z.debug_mode,
                    verbose_security: z.verbose_security,
                })
            }
            Kind::Database => {
                let d: DatabaseV1 = parse(&path, settings)?;
                ComponentKind::Database(Database {
                    flavor: one_of(
                        &format!("{path}.flavor"),
                        &d.flavor,
                        &DatabaseFlavor::ALL,
                        DatabaseFlavor::id,
                    )?,
                    port: d.port.0,
                    name: d.name,
                    user: d.user,
                    password: d.password,
                })
            }
            Kind::Memcached => {
                let m: MemcachedV1 = parse(&path, settings)?;
                ComponentKind::Memcached(Memcached {
                    port: m.port.0,
                    memory_mb: m.memory_mb.0,
                })
            }
            Kind::Supervisor => {
                let s: SupervisorV1 = parse(&path, settings)?;
                ComponentKind::Supervisor(Supervisor {
                    port: s.port.0,
                    user: s.user,
                    password: s.password,
                })
            }
        };
        Ok(Component {
            id: self.id,
            name: self.name,
            host: self.host,
            address: self.address,
            user: self.user,
            position: Position {
                x: self.position.x,
                y: self.position.y,
            },
            kind,
        })
    }
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
        check("{\"version\": \"1\"}", "expected a whole number");
        let mut v = to_value(&Topology::exercise());
        v["settings"]["colour"] = Value::from("red");
        let err = from_value(v).unwrap_err().to_string();
        assert!(err.contains("unknown field `colour`"), "{err}");
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
            (serde_json::json!([80]), "an array"),
            (serde_json::json!({"port": 80}), "an object"),
        ] {
            let mut v = to_value(&Topology::exercise());
            v["components"][0]["settings"]["http_port"] = value;
            let err = from_value(v).unwrap_err().to_string();
            assert_eq!(
                err,
                format!("components[0].settings: expected a number or a string, found {found}")
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
