//! The saved format: versioned JSON, separate from the internal model.
//!
//! These types are a compatibility boundary. The model may change freely; the format
//! changes only with a new `version`, and old versions keep loading through a migration.
//! `docs/topology.md` describes it and `docs/topology.schema.json` is its JSON Schema.
//!
//! serde reads and writes the `…V1` types below; `serde_path_to_error` names the field an
//! error is about. A design may come from anywhere (a dropped file, a pasted link), so
//! reading is bounded: serde_json nests at most 128 deep, and every list is counted as it
//! is read and never built past [`MAX_ITEMS`].

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_path_to_error::{Path, Segment};

use crate::defaults;
use crate::model::*;

/// The newest format version: version 2 adds the user's templates (`templates`), version 3
/// the platform `debian-13`, version 4 the production settings (`settings.admin_networks`,
/// nginx's `upload_limit_mb` and `hsts`, Varnish's `purge_port`), each written only when
/// it differs from its default. A design is written in the oldest version that holds it, so
/// a design without any of these is version 1, which every Stackwright reads.
pub const VERSION: u64 = 4;

/// The built-in templates that came with version 3: a design replacing one of them needs
/// version 3 (an older Stackwright would not know the name).
const TEMPLATES_OF_V3: [&str; 3] = [
    "supervisor.service.j2",
    "mariadb.cnf.j2",
    "restart-instance.yml.j2",
];

/// The built-in templates that came with version 4.
const TEMPLATES_OF_V4: [&str; 13] = [
    "firewall.nft.j2",
    "firewall.service.j2",
    "logrotate.j2",
    "pack.service.j2",
    "pack.timer.j2",
    "rolling-restart.sh.j2",
    "rolling-restart.yml.j2",
    "backup.sh.j2",
    "restore.sh.j2",
    "backup.cnf.j2",
    "backup.service.j2",
    "backup.timer.j2",
    "httpok.py.j2",
];

/// The longest template a design may carry, in bytes: the largest built-in one is under
/// 10 kB.
pub const MAX_TEMPLATE: usize = 256 * 1024;

/// The most templates of its own a design may carry: twice the built-in ones.
pub const MAX_TEMPLATES: usize = 64;

/// The longest template name, in bytes.
pub const MAX_TEMPLATE_NAME: usize = 64;

/// The most hosts, components or connections a design may list: far beyond any design
/// (one needs at most 64 instances), and a bound on the work of checking one. Every other
/// array, and every object in a component's settings, has the same bound.
pub const MAX_ITEMS: usize = 1024;

/// Why a saved design could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FormatError {
    #[error("line {}, column {}: {}", .0.0.line(), .0.0.column(), .0)]
    Syntax(#[source] JsonError),
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
    let mut text = serde_json::to_string_pretty(&DesignV1::from(topology))
        .expect("the saved format always serializes");
    text.push('\n');
    text
}

/// The design as a JSON value in the current format, for tools that edit the JSON.
pub fn to_value(topology: &Topology) -> Value {
    serde_json::to_value(DesignV1::from(topology)).expect("the saved format always serializes")
}

/// Reads a design in any supported format version.
pub fn from_json(text: &str) -> Result<Topology, FormatError> {
    // Two passes: the version says how to read the rest, and the first pass builds
    // nothing else (it does find any syntax error).
    read_text::<Envelope>(text)?.check()?;
    read_text::<DesignV1>(text)?.into_model()
}

/// Reads a design from a parsed JSON value.
pub fn from_value(value: Value) -> Result<Topology, FormatError> {
    read::<Envelope>(&value)?.check()?;
    read::<DesignV1>(value)?.into_model()
}

/// Reads `T` from JSON text that holds it and nothing else.
fn read_text<T: DeserializeOwned>(text: &str) -> Result<T, FormatError> {
    let mut json = serde_json::Deserializer::from_str(text);
    let value = read(&mut json)?;
    json.end().map_err(syntax)?;
    Ok(value)
}

/// Reads `T`, naming the field at fault when it cannot.
fn read<'de, T: Deserialize<'de>>(
    json: impl Deserializer<'de, Error = serde_json::Error>,
) -> Result<T, FormatError> {
    serde_path_to_error::deserialize(json).map_err(|e| error("", e))
}

/// A serde error as the format reports it: a syntax error by line and column, any other
/// by the path of what failed, which starts at `prefix`.
fn error(prefix: &str, error: serde_path_to_error::Error<serde_json::Error>) -> FormatError {
    let inner = error.inner();
    if inner.is_syntax() || inner.is_eof() {
        return syntax(error.into_inner());
    }
    let message = message(inner);
    FormatError::Invalid {
        path: shown_path(prefix, error.path(), &message),
        message,
    }
}

fn syntax(error: serde_json::Error) -> FormatError {
    FormatError::Syntax(JsonError(error))
}

/// serde_json's error, kept as the source of the format's own. It reads as serde_json's
/// message without the position, which the format's message gives in its own words, and
/// two are equal when they say the same.
#[derive(Debug)]
pub struct JsonError(pub serde_json::Error);

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&message(&self.0))
    }
}

impl std::error::Error for JsonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl PartialEq for JsonError {
    fn eq(&self, other: &JsonError) -> bool {
        (self.0.line(), self.0.column(), self.0.to_string())
            == (other.0.line(), other.0.column(), other.0.to_string())
    }
}

/// serde_json's message without the position it appends when it reads text.
fn message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&position) {
        Some(message) => message.to_owned(),
        None => text,
    }
}

/// A path as messages show it, `components[1].settings`, or `design` for the whole.
/// serde_path_to_error puts an unknown field's error on the field itself; the format
/// names the object that has it, as it does for a missing field.
fn shown_path(prefix: &str, path: &Path, message: &str) -> String {
    let mut segments: Vec<&Segment> = path.iter().collect();
    if let Some(Segment::Map { key }) = segments.last()
        && message.starts_with(&format!("unknown field `{key}`"))
    {
        segments.pop();
    }
    let mut shown = prefix.to_owned();
    for segment in segments {
        if !shown.is_empty() && !matches!(segment, Segment::Seq { .. }) {
            shown.push('.');
        }
        shown.push_str(&segment.to_string());
    }
    if shown.is_empty() {
        "design".into()
    } else {
        shown
    }
}

/// A design's `version` and nothing else: read first, as it decides how the rest is read,
/// and a newer design's other fields would only fail to read as this version's.
struct Envelope {
    version: Option<u64>,
}

impl Envelope {
    /// Whether this build reads the design. Versions 2 and 3 only add a field and a value
    /// to version 1, so all are read by the same types.
    fn check(self) -> Result<(), FormatError> {
        match self.version {
            None => Err(FormatError::MissingVersion),
            Some(0) => Err(FormatError::Invalid {
                path: "version".into(),
                message: "version 0 does not exist".into(),
            }),
            Some(found) if found > VERSION => Err(FormatError::TooNew { found }),
            Some(_) => Ok(()),
        }
    }
}

impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(field_identifier, rename_all = "lowercase")]
        enum Key {
            Version,
            #[serde(other)]
            Other,
        }

        struct Fields;

        impl<'de> Visitor<'de> for Fields {
            type Value = Envelope;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
                let mut version = None;
                while let Some(key) = map.next_key()? {
                    match key {
                        Key::Version => version = Some(map.next_value::<Whole>()?.0),
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Envelope { version })
            }
        }

        d.deserialize_map(Fields)
    }
}

/// A whole number, called so in messages.
struct Whole(u64);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Number;

        impl Visitor<'_> for Number {
            type Value = Whole;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number")
            }

            fn visit_u64<E>(self, n: u64) -> Result<Whole, E> {
                Ok(Whole(n))
            }
        }

        d.deserialize_u64(Number)
    }
}

/// A number as the user typed it: written as a JSON number when it is a plain unsigned
/// integer in canonical form, kept as a string otherwise, so a half-typed `"80x"`
/// survives a save and reload. Read from a number or a string.
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
        struct NumberOrString;

        impl Visitor<'_> for NumberOrString {
            type Value = Typed;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a string")
            }

            fn visit_u64<E>(self, n: u64) -> Result<Typed, E> {
                Ok(Typed(n.to_string()))
            }

            fn visit_i64<E>(self, n: i64) -> Result<Typed, E> {
                Ok(Typed(n.to_string()))
            }

            /// As serde_json writes it (`8001.0`), so it stays a string when saved again.
            fn visit_f64<E>(self, n: f64) -> Result<Typed, E> {
                Ok(Typed(Value::from(n).to_string()))
            }

            fn visit_str<E>(self, s: &str) -> Result<Typed, E> {
                Ok(Typed(s.to_owned()))
            }

            fn visit_string<E>(self, s: String) -> Result<Typed, E> {
                Ok(Typed(s))
            }
        }

        d.deserialize_any(NumberOrString)
    }
}

/// For an optional field: `null` is a wrong value, not an absent field.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A list that is there, bounded as [`bounded`] bounds every list.
fn present_bounded<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    bounded(d).map(Some)
}

/// Whether the design holds something of version 4: one of the production settings away
/// from its default, or a template of its own for a built-in one that came with it.
fn needs_v4(t: &Topology) -> bool {
    t.templates
        .keys()
        .any(|n| TEMPLATES_OF_V4.contains(&n.as_str()))
        || !t.settings.admin_networks.is_empty()
        || t.components.iter().any(|c| match &c.kind {
            ComponentKind::Nginx(n) => n.upload_limit_mb != defaults::UPLOAD_LIMIT_MB || !n.hsts,
            ComponentKind::Varnish(v) => v.purge_port != defaults::PURGE_PORT,
            _ => false,
        })
}

/// A list of the model's closed choices, spelled in the format by its ids.
trait Closed: Copy + 'static {
    const ALL: &'static [Self];
    fn id(self) -> &'static str;
}

macro_rules! closed {
    ($($choice:ty),*) => {$(
        impl Closed for $choice {
            const ALL: &'static [Self] = &<$choice>::ALL;
            fn id(self) -> &'static str {
                <$choice>::id(self)
            }
        }
    )*};
}

closed!(Platform, Kind, Balance, DatabaseFlavor);

/// `#[serde(with = "closed")]`: a closed choice as its id.
mod closed {
    use super::*;

    pub fn serialize<S: Serializer, T: Closed>(choice: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(choice.id())
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Closed>(d: D) -> Result<T, D::Error> {
        let id = String::deserialize(d)?;
        T::ALL
            .iter()
            .copied()
            .find(|c| c.id() == id)
            .ok_or_else(|| {
                let ids: Vec<&str> = T::ALL.iter().map(|c| c.id()).collect();
                de::Error::custom(format!(
                    "unknown value {id:?}; expected one of {}",
                    ids.join(", ")
                ))
            })
    }
}

/// For a list of the design: at most [`MAX_ITEMS`] items.
fn bounded<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    struct Items<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for Items<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vec<T>, A::Error> {
            items(seq)
        }
    }

    d.deserialize_seq(Items(PhantomData))
}

/// An array's items, up to [`MAX_ITEMS`]. Past that, the rest is only counted (and
/// checked as JSON), for the message.
fn items<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<T>, A::Error> {
    let mut items = Vec::new();
    while let Some(item) = seq.next_element()? {
        items.push(item);
        if items.len() == MAX_ITEMS {
            let mut count = MAX_ITEMS;
            while seq.next_element::<IgnoredAny>()?.is_some() {
                count += 1;
            }
            if count > MAX_ITEMS {
                return Err(de::Error::custom(format!(
                    "{count} items, more than the {MAX_ITEMS} a design may have"
                )));
            }
        }
    }
    Ok(items)
}

/// For a component's settings: kept as JSON until the component's kind says which type
/// reads them (the kind may come after them), with every array and object bounded like
/// the design's lists.
fn bounded_value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    BoundedValue::deserialize(d).map(|v| v.0)
}

struct BoundedValue(Value);

impl<'de> Deserialize<'de> for BoundedValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Json;

        impl<'de> Visitor<'de> for Json {
            type Value = BoundedValue;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }

            fn visit_unit<E>(self) -> Result<BoundedValue, E> {
                Ok(BoundedValue(Value::Null))
            }

            fn visit_bool<E>(self, b: bool) -> Result<BoundedValue, E> {
                Ok(BoundedValue(b.into()))
            }

            fn visit_u64<E>(self, n: u64) -> Result<BoundedValue, E> {
                Ok(BoundedValue(n.into()))
            }

            fn visit_i64<E>(self, n: i64) -> Result<BoundedValue, E> {
                Ok(BoundedValue(n.into()))
            }

            fn visit_f64<E>(self, n: f64) -> Result<BoundedValue, E> {
                Ok(BoundedValue(n.into()))
            }

            fn visit_str<E>(self, s: &str) -> Result<BoundedValue, E> {
                Ok(BoundedValue(s.into()))
            }

            fn visit_string<E>(self, s: String) -> Result<BoundedValue, E> {
                Ok(BoundedValue(s.into()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<BoundedValue, A::Error> {
                let items: Vec<BoundedValue> = items(seq)?;
                Ok(BoundedValue(items.into_iter().map(|v| v.0).collect()))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BoundedValue, A::Error> {
                let mut object = serde_json::Map::new();
                let mut members = 0;
                while let Some((key, value)) = map.next_entry::<String, BoundedValue>()? {
                    object.insert(key, value.0);
                    members += 1;
                    if members == MAX_ITEMS {
                        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {
                            members += 1;
                        }
                        if members > MAX_ITEMS {
                            return Err(de::Error::custom(format!(
                                "{members} members, more than the {MAX_ITEMS} an object may have"
                            )));
                        }
                    }
                }
                Ok(BoundedValue(Value::Object(object)))
            }
        }

        d.deserialize_any(Json)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct DesignV1 {
    version: u64,
    settings: SettingsV1,
    #[serde(deserialize_with = "bounded")]
    hosts: Vec<HostV1>,
    #[serde(deserialize_with = "bounded")]
    components: Vec<ComponentV1>,
    #[serde(deserialize_with = "bounded")]
    connections: Vec<ConnectionV1>,
    /// Version 2: the user's templates by the name of the built-in one each replaces.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "templates"
    )]
    templates: BTreeMap<String, String>,
}

/// A design's templates: at most [`MAX_TEMPLATES`], names of at most
/// [`MAX_TEMPLATE_NAME`] bytes, none longer than [`MAX_TEMPLATE`]. The names are not
/// checked against the built-in ones here: reading a design does not depend on which
/// templates this Stackwright has (the validator flags a name it does not know, so a
/// template renamed by a later version leaves old designs readable).
fn templates<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    struct Templates;

    impl<'de> Visitor<'de> for Templates {
        type Value = BTreeMap<String, String>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object of template names and sources")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut templates = BTreeMap::new();
            while let Some(name) = map.next_key::<String>()? {
                if templates.len() == MAX_TEMPLATES {
                    return Err(de::Error::custom(format!(
                        "more than the {MAX_TEMPLATES} templates a design may have"
                    )));
                }
                if name.len() > MAX_TEMPLATE_NAME {
                    return Err(de::Error::custom(format!(
                        "a template name of {} bytes, more than the {MAX_TEMPLATE_NAME} a name may have",
                        name.len()
                    )));
                }
                let source: String = map.next_value()?;
                if source.len() > MAX_TEMPLATE {
                    return Err(de::Error::custom(format!(
                        "template `{name}` is {} bytes, more than the {MAX_TEMPLATE} a template may have",
                        source.len()
                    )));
                }
                templates.insert(name, source);
            }
            Ok(templates)
        }
    }

    d.deserialize_map(Templates)
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
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
    #[serde(with = "closed")]
    platform: Platform,
    /// Version 4; absent: none (loopback only).
    #[serde(
        default,
        deserialize_with = "present_bounded",
        skip_serializing_if = "Option::is_none"
    )]
    admin_networks: Option<Vec<String>>,
    instance: InstanceV1,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct InstanceV1 {
    threads: Typed,
    zodb_cache_size: Typed,
    debug_mode: bool,
    verbose_security: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct HostV1 {
    id: String,
    address: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct ComponentV1 {
    id: String,
    #[serde(with = "closed")]
    kind: Kind,
    name: String,
    host: String,
    address: String,
    user: String,
    position: PositionV1,
    /// The kind's own settings, read by the kind's type in [`ComponentV1::into_model`].
    #[serde(deserialize_with = "bounded_value")]
    settings: Value,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct PositionV1 {
    #[serde(deserialize_with = "coordinate")]
    x: i32,
    #[serde(deserialize_with = "coordinate")]
    y: i32,
}

/// A canvas coordinate: an integer within [`Position::MAX`] of the origin.
fn coordinate<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    let value = i64::deserialize(d)?;
    match i32::try_from(value) {
        Ok(value) if (-Position::MAX..=Position::MAX).contains(&value) => Ok(value),
        _ => Err(de::Error::custom(format!(
            "{value} is off the canvas: a coordinate is from -{max} to {max}",
            max = Position::MAX
        ))),
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct ConnectionV1 {
    from: String,
    to: String,
}

// A kind's settings. Their fields are declared, and so written, in alphabetical order,
// as version 1 has always written them.

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct NginxV1 {
    certificate: String,
    certificate_key: String,
    http_port: Typed,
    https_port: Typed,
    public_host: String,
    status_path: String,
    /// Version 4; absent: the default, as for the fields below.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    upload_limit_mb: Option<Typed>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    hsts: Option<bool>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct VarnishV1 {
    port: Typed,
    purge_acl: Vec<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    purge_port: Option<Typed>,
    storage: String,
    tuning: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct HaproxyV1 {
    #[serde(with = "closed")]
    balance: Balance,
    check_interval_ms: Typed,
    fall: Typed,
    maxconn_per_server: Typed,
    port: Typed,
    rise: Typed,
    stats_password: String,
    stats_port: Typed,
    stats_user: String,
}

/// An instance's settings; the optional ones are left out while the instance follows
/// the template.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct ZopeV1 {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    debug_mode: Option<bool>,
    port: Typed,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    threads: Option<Typed>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    verbose_security: Option<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    zodb_cache_size: Option<Typed>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct DatabaseV1 {
    #[serde(with = "closed")]
    flavor: DatabaseFlavor,
    name: String,
    password: String,
    port: Typed,
    user: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct MemcachedV1 {
    memory_mb: Typed,
    port: Typed,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object")]
struct SupervisorV1 {
    password: String,
    port: Typed,
    user: String,
}

impl From<&Topology> for DesignV1 {
    fn from(t: &Topology) -> Self {
        let s = &t.settings;
        DesignV1 {
            // The oldest version that holds the design, so older builds read it if they can.
            version: if needs_v4(t) {
                4
            } else if s.platform == Platform::Debian13
                || t.templates
                    .keys()
                    .any(|n| TEMPLATES_OF_V3.contains(&n.as_str()))
            {
                3
            } else if !t.templates.is_empty() {
                2
            } else {
                1
            },
            settings: SettingsV1 {
                name: s.name.clone(),
                site_id: s.site_id.clone(),
                zope_admin_user: s.zope_admin_user.clone(),
                zope_admin_password: s.zope_admin_password.clone(),
                fallback_url: s.fallback_url.clone(),
                open_files: Typed(s.open_files.clone()),
                session_timeout: Typed(s.session_timeout.clone()),
                shared_blobs: s.shared_blobs,
                install_dir: s.install_dir.clone(),
                platform: s.platform,
                admin_networks: (!s.admin_networks.is_empty()).then(|| s.admin_networks.clone()),
                instance: InstanceV1 {
                    threads: Typed(s.instance.threads.clone()),
                    zodb_cache_size: Typed(s.instance.zodb_cache_size.clone()),
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
            templates: t.templates.clone(),
        }
    }
}

impl From<&Component> for ComponentV1 {
    fn from(c: &Component) -> Self {
        fn json(settings: impl Serialize) -> Value {
            serde_json::to_value(settings).expect("a kind's settings always serialize")
        }
        let settings = match &c.kind {
            ComponentKind::Nginx(n) => json(NginxV1 {
                certificate: n.certificate.clone(),
                certificate_key: n.certificate_key.clone(),
                http_port: Typed(n.http_port.clone()),
                https_port: Typed(n.https_port.clone()),
                public_host: n.public_host.clone(),
                status_path: n.status_path.clone(),
                upload_limit_mb: (n.upload_limit_mb != defaults::UPLOAD_LIMIT_MB)
                    .then(|| Typed(n.upload_limit_mb.clone())),
                hsts: (!n.hsts).then_some(false),
            }),
            ComponentKind::Varnish(v) => json(VarnishV1 {
                port: Typed(v.port.clone()),
                purge_acl: v.purge_acl.clone(),
                purge_port: (v.purge_port != defaults::PURGE_PORT)
                    .then(|| Typed(v.purge_port.clone())),
                storage: v.storage.clone(),
                tuning: v.tuning.clone(),
            }),
            ComponentKind::Haproxy(h) => json(HaproxyV1 {
                balance: h.balance,
                check_interval_ms: Typed(h.check_interval_ms.clone()),
                fall: Typed(h.fall.clone()),
                maxconn_per_server: Typed(h.maxconn_per_server.clone()),
                port: Typed(h.port.clone()),
                rise: Typed(h.rise.clone()),
                stats_password: h.stats_password.clone(),
                stats_port: Typed(h.stats_port.clone()),
                stats_user: h.stats_user.clone(),
            }),
            ComponentKind::Zope(z) => json(ZopeV1 {
                debug_mode: z.debug_mode,
                port: Typed(z.port.clone()),
                threads: z.threads.clone().map(Typed),
                verbose_security: z.verbose_security,
                zodb_cache_size: z.zodb_cache_size.clone().map(Typed),
            }),
            ComponentKind::Database(d) => json(DatabaseV1 {
                flavor: d.flavor,
                name: d.db_name.clone(),
                password: d.password.clone(),
                port: Typed(d.port.clone()),
                user: d.db_user.clone(),
            }),
            ComponentKind::Memcached(m) => json(MemcachedV1 {
                memory_mb: Typed(m.memory_mb.clone()),
                port: Typed(m.port.clone()),
            }),
            ComponentKind::Supervisor(s) => json(SupervisorV1 {
                password: s.password.clone(),
                port: Typed(s.port.clone()),
                user: s.admin_user.clone(),
            }),
        };
        ComponentV1 {
            id: c.id.clone(),
            kind: c.kind(),
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

impl DesignV1 {
    fn into_model(self) -> Result<Topology, FormatError> {
        if self.version < 2 && !self.templates.is_empty() {
            return Err(FormatError::Invalid {
                path: "templates".into(),
                message: "templates need format version 2".into(),
            });
        }
        if let Some(name) = self
            .templates
            .keys()
            .find(|n| self.version < 3 && TEMPLATES_OF_V3.contains(&n.as_str()))
        {
            return Err(FormatError::Invalid {
                path: "templates".into(),
                message: format!("the template {name} needs format version 3"),
            });
        }
        if self.version < 3 && self.settings.platform == Platform::Debian13 {
            return Err(FormatError::Invalid {
                path: "settings.platform".into(),
                message: "debian-13 needs format version 3".into(),
            });
        }
        let s = self.settings;
        let components = self
            .components
            .into_iter()
            .enumerate()
            .map(|(i, c)| c.into_model(i))
            .collect::<Result<_, _>>()?;
        let topology = Topology {
            settings: Settings {
                name: s.name,
                site_id: s.site_id,
                zope_admin_user: s.zope_admin_user,
                zope_admin_password: s.zope_admin_password,
                fallback_url: s.fallback_url,
                open_files: s.open_files.0,
                session_timeout: s.session_timeout.0,
                shared_blobs: s.shared_blobs,
                install_dir: s.install_dir,
                platform: s.platform,
                admin_networks: s.admin_networks.unwrap_or_default(),
                instance: InstanceTemplate {
                    threads: s.instance.threads.0,
                    zodb_cache_size: s.instance.zodb_cache_size.0,
                    debug_mode: s.instance.debug_mode,
                    verbose_security: s.instance.verbose_security,
                },
            },
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
            templates: self.templates,
        };
        if self.version < 4 && needs_v4(&topology) {
            return Err(FormatError::Invalid {
                path: "version".into(),
                message:
                    "admin_networks, upload_limit_mb, hsts, purge_port and the firewall templates need format version 4"
                        .into(),
            });
        }
        Ok(topology)
    }
}

/// The settings of component `index`, read as its kind's type `T`.
fn kind_settings<T: DeserializeOwned>(index: usize, settings: Value) -> Result<T, FormatError> {
    serde_path_to_error::deserialize(settings)
        .map_err(|e| error(&format!("components[{index}].settings"), e))
}

impl ComponentV1 {
    /// The component, its settings read as its kind's; `index` is its place in the list.
    fn into_model(self, index: usize) -> Result<Component, FormatError> {
        let settings = self.settings;
        let kind = match self.kind {
            Kind::Nginx => {
                let n: NginxV1 = kind_settings(index, settings)?;
                ComponentKind::Nginx(Nginx {
                    http_port: n.http_port.0,
                    https_port: n.https_port.0,
                    public_host: n.public_host,
                    certificate: n.certificate,
                    certificate_key: n.certificate_key,
                    status_path: n.status_path,
                    upload_limit_mb: n
                        .upload_limit_mb
                        .map_or_else(|| defaults::UPLOAD_LIMIT_MB.into(), |t| t.0),
                    hsts: n.hsts.unwrap_or(true),
                })
            }
            Kind::Varnish => {
                let v: VarnishV1 = kind_settings(index, settings)?;
                ComponentKind::Varnish(Varnish {
                    port: v.port.0,
                    storage: v.storage,
                    tuning: v.tuning,
                    purge_acl: v.purge_acl,
                    purge_port: v
                        .purge_port
                        .map_or_else(|| defaults::PURGE_PORT.into(), |t| t.0),
                })
            }
            Kind::Haproxy => {
                let h: HaproxyV1 = kind_settings(index, settings)?;
                ComponentKind::Haproxy(Haproxy {
                    port: h.port.0,
                    stats_port: h.stats_port.0,
                    stats_user: h.stats_user,
                    stats_password: h.stats_password,
                    balance: h.balance,
                    maxconn_per_server: h.maxconn_per_server.0,
                    check_interval_ms: h.check_interval_ms.0,
                    fall: h.fall.0,
                    rise: h.rise.0,
                })
            }
            Kind::Zope => {
                let z: ZopeV1 = kind_settings(index, settings)?;
                // Absent settings follow the instance template.
                ComponentKind::Zope(ZopeInstance {
                    port: z.port.0,
                    threads: z.threads.map(|t| t.0),
                    zodb_cache_size: z.zodb_cache_size.map(|t| t.0),
                    debug_mode: z.debug_mode,
                    verbose_security: z.verbose_security,
                })
            }
            Kind::Database => {
                let d: DatabaseV1 = kind_settings(index, settings)?;
                ComponentKind::Database(Database {
                    flavor: d.flavor,
                    port: d.port.0,
                    db_name: d.name,
                    db_user: d.user,
                    password: d.password,
                })
            }
            Kind::Memcached => {
                let m: MemcachedV1 = kind_settings(index, settings)?;
                ComponentKind::Memcached(Memcached {
                    port: m.port.0,
                    memory_mb: m.memory_mb.0,
                })
            }
            Kind::Supervisor => {
                let s: SupervisorV1 = kind_settings(index, settings)?;
                ComponentKind::Supervisor(Supervisor {
                    port: s.port.0,
                    admin_user: s.user,
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
    use serde_json::json;

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
    fn numbers_that_are_not_plain_stay_as_typed() {
        let mut v = to_value(&Topology::exercise());
        v["components"][0]["settings"]["http_port"] = json!(8001.0);
        v["components"][0]["settings"]["https_port"] = json!(-1);
        let t = from_value(v).unwrap();
        let ComponentKind::Nginx(n) = &t.components[0].kind else {
            panic!("component 0 is nginx")
        };
        assert_eq!(
            (n.http_port.as_str(), n.https_port.as_str()),
            ("8001.0", "-1")
        );
        let text = to_json(&t);
        assert!(text.contains("\"http_port\": \"8001.0\""), "{text}");
        assert!(text.contains("\"https_port\": \"-1\""), "{text}");
    }

    /// The error for a design edited by `edit`, which reading its text gives too.
    fn broken(edit: impl FnOnce(&mut Value)) -> String {
        let mut v = to_value(&Topology::exercise());
        edit(&mut v);
        let from_text = from_json(&v.to_string()).unwrap_err();
        let err = from_value(v).unwrap_err();
        assert_eq!(err, from_text, "the same error from the value and its text");
        err.to_string()
    }

    /// Templates are version 2's: named as built-in ones, bounded, refused in version 1.
    #[test]
    fn templates_are_checked() {
        let with = |version: u64, templates: Value| {
            let mut v = to_value(&Topology::exercise());
            v["settings"]["platform"] = "debian-12".into();
            v["version"] = version.into();
            v["templates"] = templates;
            from_value(v).map_err(|e| e.to_string())
        };
        let read = with(2, serde_json::json!({ "nginx.conf.j2": "daemon off;\n" })).unwrap();
        assert_eq!(read.templates["nginx.conf.j2"], "daemon off;\n");
        assert_eq!(
            with(1, serde_json::json!({ "nginx.conf.j2": "x" })).unwrap_err(),
            "templates: templates need format version 2"
        );
        // A name this Stackwright does not know is read; the validator flags it.
        assert_eq!(
            with(2, serde_json::json!({ "apache.conf.j2": "x" }))
                .unwrap()
                .templates["apache.conf.j2"],
            "x"
        );
        assert_eq!(
            with(2, serde_json::json!({ "x".repeat(65): "x" })).unwrap_err(),
            "templates: a template name of 65 bytes, more than the 64 a name may have"
        );
        let many: serde_json::Map<String, serde_json::Value> = (0..=MAX_TEMPLATES)
            .map(|i| (format!("t{i}.j2"), serde_json::json!("x")))
            .collect();
        assert_eq!(
            with(2, serde_json::Value::Object(many)).unwrap_err(),
            "templates: more than the 64 templates a design may have"
        );
        assert_eq!(
            with(
                2,
                serde_json::json!({ "nginx.conf.j2": "x".repeat(MAX_TEMPLATE + 1) })
            )
            .unwrap_err(),
            format!(
                "templates: template `nginx.conf.j2` is {} bytes, more than the {MAX_TEMPLATE} a template may have",
                MAX_TEMPLATE + 1
            )
        );
        assert_eq!(
            with(2, serde_json::json!(["nginx.conf.j2"])).unwrap_err(),
            "templates: invalid type: sequence, expected an object of template names and sources"
        );
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
            "version: invalid type: string \"1\", expected a whole number",
        );
        let err = broken(|v| v["settings"]["colour"] = json!("red"));
        assert!(
            err.starts_with("settings: unknown field `colour`, expected one of `name`, `site_id`"),
            "{err}"
        );
        assert_eq!(
            broken(|v| v["settings"]["shared_blobs"] = json!("yes")),
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
            broken(|v| v["hosts"][0]["address"] = json!(1)),
            "hosts[0].address: invalid type: integer `1`, expected a string"
        );
        assert_eq!(
            broken(|v| v["components"][2]["position"]["x"] = json!(1.5)),
            "components[2].position.x: invalid type: floating point `1.5`, expected i64"
        );
        // Component 3 is a Zope instance; its optional settings are checked when present.
        assert_eq!(
            broken(|v| v["components"][3]["settings"]["threads"] = json!(true)),
            "components[3].settings.threads: invalid type: boolean `true`, expected a number or a string"
        );
        assert_eq!(
            broken(|v| v["components"][3]["settings"]["debug_mode"] = json!("on")),
            "components[3].settings.debug_mode: invalid type: string \"on\", expected a boolean"
        );
        assert_eq!(
            broken(|v| v["components"][3]["settings"]["verbose_security"] = json!(null)),
            "components[3].settings.verbose_security: invalid type: null, expected a boolean"
        );
        assert_eq!(
            broken(|v| v["connections"] = json!(true)),
            "connections: invalid type: boolean `true`, expected an array"
        );
        assert_eq!(
            broken(|v| v["hosts"] = json!(vec![v["hosts"][0].clone(); MAX_ITEMS + 1])),
            "hosts: 1025 items, more than the 1024 a design may have"
        );
        let err = broken(|v| v["components"][0]["settings"]["listen"] = json!(1));
        assert!(
            err.starts_with("components[0].settings: unknown field `listen`"),
            "{err}"
        );
        for (value, found) in [
            (json!(true), "boolean `true`"),
            (json!(null), "null"),
            (json!([80]), "sequence"),
            (json!({"port": 80}), "map"),
        ] {
            assert_eq!(
                broken(|v| v["components"][0]["settings"]["http_port"] = value),
                format!(
                    "components[0].settings.http_port: invalid type: {found}, expected a number or a string"
                )
            );
        }
        let err = broken(|v| v["components"][1]["kind"] = json!("apache"));
        assert!(
            err.contains("components[1].kind: unknown value \"apache\""),
            "{err}"
        );
    }

    #[test]
    fn a_design_is_one_object() {
        for (text, expected) in [
            ("[1]", "design: invalid type: sequence, expected an object"),
            (
                "\"1\"",
                "design: invalid type: string \"1\", expected an object",
            ),
        ] {
            assert_eq!(from_json(text).unwrap_err().to_string(), expected);
        }
        let text = format!("{} []", to_json(&Topology::exercise()));
        let lines = text.lines().count();
        let error = from_json(&text).unwrap_err();
        assert!(matches!(error, FormatError::Syntax(_)), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!("line {lines}, column 2: trailing characters")
        );
    }

    #[test]
    fn long_lists_are_counted_not_built() {
        // Past the bound, items are only counted: these zeros are never read as hosts.
        let hosts = vec![r#"{"id": "h", "address": "a"}"#; MAX_ITEMS];
        let zeros = vec!["0"; 100_000];
        let mut v = to_value(&Topology::exercise());
        v["hosts"] = json!("HOSTS");
        let text = v.to_string().replace(
            "\"HOSTS\"",
            &format!("[{},{}]", hosts.join(","), zeros.join(",")),
        );
        assert_eq!(
            from_json(&text).unwrap_err().to_string(),
            "hosts: 101024 items, more than the 1024 a design may have"
        );
        assert_eq!(
            broken(|v| v["components"][1]["settings"]["purge_acl"] =
                json!(vec!["10.0.0.1"; MAX_ITEMS + 1])),
            "components[1].settings.purge_acl: 1025 items, more than the 1024 a design may have"
        );
        assert_eq!(
            broken(|v| {
                let settings = v["components"][0]["settings"].as_object_mut().unwrap();
                for i in settings.len()..=MAX_ITEMS {
                    settings.insert(format!("extra{i}"), json!(i));
                }
            }),
            "components[0].settings: 1025 members, more than the 1024 an object may have"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut deep = json!([]);
        for _ in 0..1000 {
            deep = json!([deep]);
        }
        let mut v = to_value(&Topology::exercise());
        v["components"][1]["settings"]["purge_acl"] = deep;
        let text = v.to_string();
        let Err(FormatError::Syntax(JsonError(source))) = from_json(&text) else {
            panic!("{:?}", from_json(&text))
        };
        let (line, column) = (source.line(), source.column());
        assert_eq!(
            (line, message(&source).as_str()),
            (1, "recursion limit exceeded")
        );
        // The 128th array or object inside another is refused; the design, its components,
        // the component and its settings are the first four.
        let key = "\"purge_acl\":";
        let before_value = text.find(key).unwrap() + key.len();
        assert_eq!(column, before_value + 128 - 4);
    }

    /// `debian-13` is version 3's: written as version 3, refused in an older version, and
    /// a design on `debian-12` keeps the oldest version that holds it.
    #[test]
    fn the_platform_decides_the_version() {
        let mut t = Topology::exercise();
        assert_eq!(t.settings.platform, Platform::Debian13);
        assert_eq!(to_value(&t)["version"], 3);
        assert_eq!(from_json(&to_json(&t)).unwrap(), t);
        for older in [1, 2] {
            let mut v = to_value(&t);
            v["version"] = older.into();
            assert_eq!(
                from_value(v).unwrap_err().to_string(),
                "settings.platform: debian-13 needs format version 3"
            );
        }
        t.settings.platform = Platform::Debian12;
        assert_eq!(to_value(&t)["version"], 1);
        assert_eq!(from_json(&to_json(&t)).unwrap(), t);
        t.templates
            .insert("supervisor.service.j2".into(), "[Unit]\n".into());
        assert_eq!(to_value(&t)["version"], 3, "a template version 3 brought");
        assert_eq!(from_json(&to_json(&t)).unwrap(), t);
        let mut v = to_value(&t);
        v["version"] = 2.into();
        assert_eq!(
            from_value(v).unwrap_err().to_string(),
            "templates: the template supervisor.service.j2 needs format version 3"
        );
    }
}
