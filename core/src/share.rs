//! Share links: the whole design in the URL fragment, short.
//!
//! A fragment is `v1.` (or `v1s.` when it carries passwords) followed by the base64url
//! of the raw-deflated JSON merge patch (RFC 7386) that turns the frozen baseline of its
//! version into the design. Components are keyed by id before diffing, so editing one
//! instance of sixteen stores one small object, not the whole list. The baseline is a
//! frozen copy of the version-1 defaults: old links keep decoding to the same design even
//! when the defaults change; a new baseline means a new version prefix.
//!
//! Decoding anything from outside never panics: every step returns a [`DecodeError`].

use std::io::{Read, Write};
use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::bufread::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde_json::{Map, Value};

use crate::format::{self, FormatError, JsonError};
use crate::model::Topology;

/// The designs links are patches of, oldest first: a version-N link patches
/// `BASELINES[N - 1]`, the defaults as they were when version N was the newest. Each is
/// frozen; a test keeps the newest equal to today's defaults, and when they change, a new
/// file starts the next version. Version 2: the default platform became Debian 13.
/// Version 3: a new design gives each daemon its own user (its passwords are random, so
/// the baseline keeps the exercise's, which no link of a new design matches anyway).
const BASELINES: [&str; 3] = [
    include_str!("share-baseline-v1.json"),
    include_str!("share-baseline-v2.json"),
    include_str!("share-baseline-v3.json"),
];

/// The version new links are written in.
const LATEST: usize = BASELINES.len();

/// The most a link may inflate to: 16 times a whole 64-instance design in JSON, small
/// enough that a hostile link can neither exhaust memory nor keep the page busy.
const MAX_INFLATED: usize = 1024 * 1024;

/// The longest fragment accepted, in characters.
const MAX_FRAGMENT: usize = 64 * 1024;

/// The password fields of the saved format, as paths of keys from the design's root
/// (components by kind, as they appear after keying).
const SECRETS: &[(&str, &str)] = &[
    ("database", "password"),
    ("supervisor", "password"),
    ("haproxy", "stats_password"),
];

/// Why a share link could not be opened.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DecodeError {
    #[error("the link holds no design (nothing after '#')")]
    Empty,
    #[error("the link is too long to be a Stackwright design")]
    TooLong,
    #[error("the link is version {0:?}, which this Stackwright does not know; update Stackwright")]
    UnknownVersion(String),
    #[error("the link is damaged: it is not valid base64url")]
    Base64,
    #[error("the link is damaged or cut short: its compressed data does not inflate")]
    Inflate,
    #[error("the link is damaged: the design patch is not UTF-8 text")]
    NotText(#[source] std::string::FromUtf8Error),
    #[error("the link is damaged: {0}")]
    Patch(#[source] JsonError),
    #[error("the link is damaged: the design patch is not an object")]
    NotAnObject,
    #[error("the link is damaged: the design's {0} is malformed")]
    Malformed(&'static str),
    #[error("the link's design cannot be read: {0}")]
    Design(#[from] FormatError),
}

/// Whether a link carries the passwords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secrets {
    Omit,
    Include,
}

/// A decoded link: the design, and whether its passwords were left out (then every
/// password field is empty, for the validator to flag).
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub topology: Topology,
    pub secrets: Secrets,
}

/// Encodes a design as a URL fragment (without the `#`).
pub fn encode(topology: &Topology, secrets: Secrets) -> String {
    let mut design = keyed(format::to_value(topology));
    if secrets == Secrets::Omit {
        strip_secrets(&mut design);
    }
    let mut patch =
        diff(baseline(LATEST, secrets), &design).unwrap_or_else(|| Value::Object(Map::new()));
    // Sorted keys: the same design always gives the same link. serde_json's map keeps
    // them sorted unless a crate turns on its `preserve_order`; then this sorts them.
    patch.sort_all_objects();
    let json = patch.to_string();
    let compressed = deflate(json.as_bytes());
    let marker = match secrets {
        Secrets::Omit => "",
        Secrets::Include => "s",
    };
    format!("v{LATEST}{marker}.{}", URL_SAFE_NO_PAD.encode(compressed))
}

/// Decodes a fragment, a `#fragment` or a whole URL.
pub fn decode(link: &str) -> Result<Decoded, DecodeError> {
    let fragment = link.trim();
    let fragment = fragment.rsplit_once('#').map_or(fragment, |(_, f)| f);
    if fragment.is_empty() {
        return Err(DecodeError::Empty);
    }
    if fragment.len() > MAX_FRAGMENT {
        return Err(DecodeError::TooLong);
    }
    let (version, data) = fragment
        .split_once('.')
        .ok_or_else(|| DecodeError::UnknownVersion(fragment.chars().take(8).collect()))?;
    let unknown = || DecodeError::UnknownVersion(version.chars().take(8).collect());
    let (number, secrets) = match version.strip_suffix('s') {
        Some(number) => (number, Secrets::Include),
        None => (version, Secrets::Omit),
    };
    let number = number
        .strip_prefix('v')
        .filter(|n| !n.starts_with('0'))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| (1..=LATEST).contains(n))
        .ok_or_else(unknown)?;
    // The engine is strict: no padding, and the unused bits of the last character must
    // be zero, so every link has exactly one spelling.
    let compressed = URL_SAFE_NO_PAD
        .decode(data)
        .map_err(|_| DecodeError::Base64)?;
    let json = inflate(&compressed)?;
    let json = String::from_utf8(json).map_err(DecodeError::NotText)?;
    let patch: Value = serde_json::from_str(&json).map_err(|e| DecodeError::Patch(JsonError(e)))?;
    if !patch.is_object() {
        return Err(DecodeError::NotAnObject);
    }
    let mut design = baseline(number, secrets).clone();
    merge(&mut design, patch);
    if secrets == Secrets::Omit {
        blank_secrets(&mut design);
    }
    let topology = format::from_value(unkeyed(design)?)?;
    Ok(Decoded { topology, secrets })
}

/// The design link a text carries, if it carries one: the fragment of a whole URL, of a
/// `#fragment` or a bare fragment, by its shape (`v`, a version number, a dot, then the
/// data) and not decoded, so a damaged link is still recognised and [`decode`] can say
/// what is wrong with it. The command line takes such a text in place of a file, and the
/// designer opens the design of an address whose fragment is one.
pub fn link_fragment(text: &str) -> Option<&str> {
    let text = text.trim();
    let fragment = text.rsplit_once('#').map_or(text, |(_, f)| f);
    let (version, _) = fragment.split_once('.')?;
    let number = version.strip_prefix('v')?;
    number
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some(fragment)
}

/// Raw deflate (RFC 1951) at the best compression, as every link has been written: the
/// same design always gives the same bytes.
fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(bytes)
        .expect("deflating into memory cannot fail");
    encoder.finish().expect("deflating into memory cannot fail")
}

/// Inflates a link's data, refusing it as soon as it grows past [`MAX_INFLATED`].
fn inflate(compressed: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut json = Vec::new();
    DeflateDecoder::new(compressed)
        .take(MAX_INFLATED as u64 + 1)
        .read_to_end(&mut json)
        .map_err(|_| DecodeError::Inflate)?;
    if json.len() > MAX_INFLATED {
        return Err(DecodeError::TooLong);
    }
    Ok(json)
}

/// The keyed baseline of version `version` (1..=[`LATEST`]), without its passwords for
/// links without them. Parsed once: the app encodes a link on every edit.
fn baseline(version: usize, secrets: Secrets) -> &'static Value {
    static WITH: [OnceLock<Value>; LATEST] = [const { OnceLock::new() }; LATEST];
    static WITHOUT: [OnceLock<Value>; LATEST] = [const { OnceLock::new() }; LATEST];
    let parse =
        || keyed(serde_json::from_str(BASELINES[version - 1]).expect("a frozen baseline parses"));
    match secrets {
        Secrets::Include => WITH[version - 1].get_or_init(parse),
        Secrets::Omit => WITHOUT[version - 1].get_or_init(|| {
            let mut base = parse();
            strip_secrets(&mut base);
            base
        }),
    }
}

/// Turns `components: [..]` into `components: {id: ..}` plus `order: [ids]`, so a patch
/// names the components it changes. The format accepts a design whose ids repeat (the
/// validator flags it): a repeated id is keyed `id~2`, `id~3`, .. (the first such key
/// free) and keeps its `id` inside, which [`unkeyed`] prefers to the key.
fn keyed(mut design: Value) -> Value {
    let Some(list) = design.get_mut("components").map(Value::take) else {
        return design;
    };
    let mut by_id = Map::new();
    let mut order = Vec::new();
    let list = match list {
        Value::Array(list) => list,
        _ => Vec::new(),
    };
    for mut component in list {
        let id = component
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let key = if by_id.contains_key(&id) {
            (2..)
                .map(|n| format!("{id}~{n}"))
                .find(|key| !by_id.contains_key(key))
                .expect("an unbounded range has a free key")
        } else {
            if let Some(object) = component.as_object_mut() {
                object.remove("id");
            }
            id
        };
        order.push(Value::String(key.clone()));
        by_id.insert(key, component);
    }
    design["components"] = Value::Object(by_id);
    design["order"] = Value::Array(order);
    design
}

/// The inverse of [`keyed`], checking what a hostile patch could have broken.
fn unkeyed(mut design: Value) -> Result<Value, DecodeError> {
    let bad = DecodeError::Malformed;
    let order = design
        .as_object_mut()
        .and_then(|o| o.remove("order"))
        .ok_or_else(|| bad("component order"))?;
    let components = design
        .get_mut("components")
        .map(Value::take)
        .ok_or_else(|| bad("components"))?;
    let (Value::Array(order), Value::Object(mut by_id)) = (order, components) else {
        return Err(bad("components"));
    };
    // Each id names one component: a longer order is not a design's, only work.
    if order.len() > by_id.len() {
        return Err(bad("component order"));
    }
    let mut list = Vec::new();
    for id in order {
        let Value::String(id) = id else {
            return Err(bad("component order"));
        };
        let Some(Value::Object(mut component)) = by_id.remove(&id) else {
            continue;
        };
        if !component.get("id").is_some_and(Value::is_string) {
            component.insert("id".into(), Value::String(id));
        }
        list.push(Value::Object(component));
    }
    design["components"] = Value::Array(list);
    Ok(design)
}

fn secret_slots(design: &mut Value, mut visit: impl FnMut(&mut Map<String, Value>, &str)) {
    if let Some(settings) = design.get_mut("settings").and_then(Value::as_object_mut) {
        visit(settings, "zope_admin_password");
    }
    if let Some(components) = design.get_mut("components").and_then(Value::as_object_mut) {
        for component in components.values_mut() {
            let kind = component
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if let Some(settings) = component.get_mut("settings").and_then(Value::as_object_mut) {
                for (k, field) in SECRETS {
                    if *k == kind {
                        visit(settings, field);
                    }
                }
            }
        }
    }
}

fn strip_secrets(design: &mut Value) {
    secret_slots(design, |object, field| {
        object.remove(field);
    });
}

fn blank_secrets(design: &mut Value) {
    secret_slots(design, |object, field| {
        object.insert(field.to_string(), Value::String(String::new()));
    });
}

/// The merge patch from `base` to `target`, or `None` when they are equal.
fn diff(base: &Value, target: &Value) -> Option<Value> {
    if base == target {
        return None;
    }
    match (base, target) {
        (Value::Object(b), Value::Object(t)) => {
            let mut patch = Map::new();
            for (key, value) in t {
                match b.get(key) {
                    Some(old) => {
                        if let Some(p) = diff(old, value) {
                            patch.insert(key.clone(), p);
                        }
                    }
                    None => {
                        patch.insert(key.clone(), value.clone());
                    }
                }
            }
            for key in b.keys() {
                if !t.contains_key(key) {
                    patch.insert(key.clone(), Value::Null);
                }
            }
            Some(Value::Object(patch))
        }
        // A null cannot be written as a patch value (it means "remove"); no field of the
        // format is null, so this only guards against misuse.
        _ => Some(target.clone()),
    }
}

/// Applies a merge patch (RFC 7386).
fn merge(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(patch) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let object = target.as_object_mut().expect("made an object above");
            for (key, value) in patch {
                if value.is_null() {
                    object.remove(&key);
                } else {
                    merge(object.entry(key).or_insert(Value::Null), value);
                }
            }
        }
        other => *target = other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::scaled;
    use crate::model::ComponentKind;

    /// Today's new design with the exercise's passwords in place of its random ones.
    fn todays_default() -> Topology {
        let mut t = crate::defaults::test_design();
        let exercise = Topology::exercise();
        t.settings.zope_admin_password = exercise.settings.zope_admin_password.clone();
        for (c, e) in t.components.iter_mut().zip(&exercise.components) {
            match (&mut c.kind, &e.kind) {
                (ComponentKind::Database(d), ComponentKind::Database(e)) => {
                    d.password = e.password.clone()
                }
                (ComponentKind::Supervisor(s), ComponentKind::Supervisor(e)) => {
                    s.password = e.password.clone()
                }
                _ => {}
            }
        }
        t
    }

    #[test]
    fn the_baseline_is_todays_default() {
        let frozen: Value = serde_json::from_str(BASELINES[LATEST - 1]).unwrap();
        assert_eq!(
            frozen,
            format::to_value(&todays_default()),
            "the defaults changed: freeze the newest share-baseline as it is and add a version"
        );
    }

    /// A link of an older version opens the design it was made of, although the
    /// defaults have moved on since (version 1's platform was Debian 12).
    #[test]
    fn old_links_keep_their_design() {
        let empty_patch = URL_SAFE_NO_PAD.encode(deflate(b"{}"));
        let v1 = decode(&format!("v1s.{empty_patch}")).unwrap().topology;
        assert_eq!(v1.settings.platform, crate::model::Platform::Debian12);
        let mut exercise = Topology::exercise();
        assert_ne!(v1, exercise);
        exercise.settings.platform = crate::model::Platform::Debian12;
        assert_eq!(v1, exercise);
        let v2 = decode(&format!("v2s.{empty_patch}")).unwrap().topology;
        assert_eq!(v2, Topology::exercise(), "version 2: the exercise's users");
        assert!(encode(&v1, Secrets::Include).starts_with(&format!("v{LATEST}s.")));
        assert_eq!(decode(&encode(&v1, Secrets::Include)).unwrap().topology, v1);
        for version in ["v0", "v01", "v4", "v1ss", "vs", "v"] {
            assert_eq!(
                decode(&format!("{version}.{empty_patch}")),
                Err(DecodeError::UnknownVersion(version.into())),
                "{version}"
            );
        }
    }

    #[test]
    fn default_link_is_short_and_round_trips() {
        let t = crate::defaults::test_design();
        let link = encode(&t, Secrets::Omit);
        assert!(link.len() < 16, "{link}");
        let link = encode(&t, Secrets::Include);
        assert!(link.len() < 120, "three random passwords: {link}");
        assert_eq!(decode(&link).unwrap().topology, t);
        assert_eq!(
            decode(&format!("https://example.org/#{link}"))
                .unwrap()
                .topology,
            t
        );
    }

    #[test]
    fn passwords_stay_out_unless_asked() {
        let mut t = todays_default();
        if let Some(ComponentKind::Database(d)) = t.component_mut("database").map(|c| &mut c.kind) {
            d.password = "correct horse battery".into();
        }
        let without = encode(&t, Secrets::Omit);
        assert!(
            without.len() < 16,
            "a password change alone adds nothing: {without}"
        );
        let decoded = decode(&without).unwrap();
        assert_eq!(decoded.secrets, Secrets::Omit);
        let ComponentKind::Database(d) = &decoded.topology.component("database").unwrap().kind
        else {
            panic!()
        };
        assert_eq!(d.password, "", "never the exercise's default");
        assert_eq!(decoded.topology.settings.zope_admin_password, "");

        let with = encode(&t, Secrets::Include);
        assert_eq!(decode(&with).unwrap().topology, t);
    }

    #[test]
    fn sixteen_instances_stay_short() {
        let t = scaled(16, 3);
        let link = encode(&t, Secrets::Include);
        assert!(link.len() < 2000, "{} characters", link.len());
        assert_eq!(decode(&link).unwrap().topology, t);
    }

    #[test]
    fn links_are_told_by_their_shape() {
        for (text, fragment) in [
            ("v1.AAAA", Some("v1.AAAA")),
            ("#v1s.AAAA", Some("v1s.AAAA")),
            ("https://example.org/designer/#v1.AAAA\n", Some("v1.AAAA")),
            ("#v9.damaged!", Some("v9.damaged!")),
            ("", None),
            ("#", None),
            ("#__panic", None),
            ("#sw-problems-heading", None),
            ("#version", None),
            ("deployment.cfg", None),
            ("v.cfg", None),
            ("topology.json", None),
        ] {
            assert_eq!(link_fragment(text), fragment, "{text:?}");
        }
    }

    #[test]
    fn broken_links_say_why() {
        let link = encode(&scaled(4, 2), Secrets::Omit);
        let cases = [
            ("", DecodeError::Empty),
            ("#", DecodeError::Empty),
            ("v9.AAAA", DecodeError::UnknownVersion("v9".into())),
            ("v1.***", DecodeError::Base64),
            // Cut after whole base64 quanta: valid base64 of a stream that ends too soon.
            (
                &link[..3 + (link.len() - 3) / 2 / 4 * 4],
                DecodeError::Inflate,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(decode(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn oversized_links_are_refused() {
        let link = |json: &[u8]| format!("v{LATEST}.{}", URL_SAFE_NO_PAD.encode(deflate(json)));
        // An empty patch padded with spaces: deflates a thousandfold.
        let padded = |len: usize| {
            let mut json = vec![b' '; len];
            json[0] = b'{';
            json[len - 1] = b'}';
            json
        };
        let fits = link(&padded(MAX_INFLATED));
        assert!(fits.len() < MAX_FRAGMENT, "{} characters", fits.len());
        assert_eq!(
            decode(&fits),
            decode(&encode(&todays_default(), Secrets::Omit)),
            "an empty patch of exactly the limit gives the baseline"
        );
        assert_eq!(
            decode(&link(&padded(MAX_INFLATED + 1))),
            Err(DecodeError::TooLong)
        );
        let long = format!("v1.{}", "A".repeat(MAX_FRAGMENT));
        assert_eq!(decode(&long), Err(DecodeError::TooLong));
    }

    #[test]
    fn a_link_has_one_spelling() {
        // Base64url decoding is strict; what passes it fails later, at inflating.
        let cases = [
            ("v1.AA", DecodeError::Inflate),
            ("v1.AB", DecodeError::Base64), // unused low bits set
            ("v1.AA==", DecodeError::Base64),
            ("v1.-w", DecodeError::Inflate),
            ("v1.+w", DecodeError::Base64), // the standard alphabet
        ];
        for (input, expected) in cases {
            assert_eq!(decode(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn a_patch_that_is_not_text_or_not_an_object_is_refused() {
        let link = |json: &[u8]| format!("v1.{}", URL_SAFE_NO_PAD.encode(deflate(json)));
        assert!(matches!(
            decode(&link(b"{\"a\": \"\xff\"}")),
            Err(DecodeError::NotText(_))
        ));
        assert_eq!(decode(&link(b"[1, 2]")), Err(DecodeError::NotAnObject));
        let cut_short = decode(&link(b"{\"a\": ")).unwrap_err();
        assert!(matches!(cut_short, DecodeError::Patch(_)), "{cut_short:?}");
        assert!(cut_short.to_string().contains("EOF"), "{cut_short}");
        let ids = vec!["\"nginx\""; 100].join(",");
        let unordered = decode(&link(format!("{{\"order\": [{ids}]}}").as_bytes())).unwrap_err();
        assert_eq!(
            unordered.to_string(),
            "the link is damaged: the design's component order is malformed"
        );
    }
}
