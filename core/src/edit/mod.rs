//! Editing a design one field at a time, by the same dotted paths diagnostics name.
//!
//! The designer's forms, its problems panel and its undo history all speak of a field by
//! its path (`settings.site_id`, `components.instance1.port`, `hosts.app1.address`), the
//! path [`crate::validate::Target::path`] gives. This module reads and writes a field by
//! that path, so a form field, the diagnostics about it and the undo step that merges its
//! keystrokes share one key; the fields themselves are listed once, in [`crate::field`].
//! It also turns random bytes into a password, and `chain` grows and shrinks the chain
//! (instances, hosts, components, connections) the way the rest of the design expects.
//!
//! Every value is text, as the user typed it: numbers stay strings, a flag is `"true"` or
//! `"false"`, a choice is its id, the purge ACL is one entry per line, and an instance
//! setting that follows the instance template is the empty string. Like the rest of the
//! core it does no I/O and draws no random numbers: the caller passes random bytes in.

mod chain;

pub use chain::*;

use crate::field::{self, Slot, Value};
use crate::format::MAX_ITEMS;
use crate::model::*;
use crate::network::ConnectionRefused;
use crate::validate::{Diagnostic, MAX_INSTANCES, Target};

/// Why an edit was refused. The design is left as it was.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("{0:?} is not a field of this design")]
    UnknownField(String),
    #[error("{path:?} cannot be set to {value:?}: {reason}")]
    BadValue {
        path: String,
        value: String,
        reason: &'static str,
    },
    #[error("the design already has {MAX_INSTANCES} Zope instances, the most it may have")]
    TooManyInstances,
    /// The reader's bound on a list ([`crate::format::MAX_ITEMS`]), held by every edit
    /// too, so a design an edit makes is one the format reads back.
    #[error("the design already has {MAX_ITEMS} {0}, the most it may have")]
    TooMany(&'static str),
    #[error("the design needs at least one Zope instance")]
    LastInstance,
    #[error("{0:?} is not a Zope instance of this design")]
    NotAnInstance(String),
    #[error("host {0:?} still runs components; move them first")]
    HostInUse(String),
    #[error("the design needs at least one host")]
    LastHost,
    #[error("{0:?} is not a host of this design")]
    UnknownHost(String),
    #[error("{0:?} is not a component of this design")]
    UnknownComponent(String),
    #[error(transparent)]
    ConnectionRefused(#[from] ConnectionRefused),
    #[error("{from:?} already sends requests to {to:?}")]
    AlreadyConnected { from: String, to: String },
}

/// Why a list setting refused its text: the number is the format's [`MAX_ITEMS`] (a
/// test holds the two together).
const MORE_LINES_THAN_A_LIST_HOLDS: &str = "more lines than the 1024 a list may have";

/// Where a path points.
enum Place<'p> {
    Setting(&'p str),
    Host { id: &'p str, field: &'p str },
    Component { id: &'p str, field: &'p str },
}

fn place(path: &str) -> Option<Place<'_>> {
    if let Some(field) = path.strip_prefix("settings.") {
        return Some(Place::Setting(field));
    }
    // Ids may (wrongly) hold dots; field names never do, so the field is after the last.
    if let Some(rest) = path.strip_prefix("hosts.") {
        let (id, field) = rest.rsplit_once('.')?;
        return Some(Place::Host { id, field });
    }
    if let Some(rest) = path.strip_prefix("components.") {
        let (id, field) = rest.rsplit_once('.')?;
        return Some(Place::Component { id, field });
    }
    None
}

fn flag(value: bool) -> String {
    if value { "true" } else { "false" }.to_string()
}

/// A field's value as the text a form shows.
fn text(value: Value<'_>) -> String {
    match value {
        Value::Text(s) => s.clone(),
        Value::Flag(b) => flag(*b),
        Value::OptionalText(o) => o.clone().unwrap_or_default(),
        Value::OptionalFlag(o) => o.map(flag).unwrap_or_default(),
        // One entry per line, exactly as [`set`] splits it back.
        Value::Lines(entries) => entries.join("\n"),
        Value::Platform(p) => p.id().to_string(),
        Value::Balance(b) => b.id().to_string(),
        Value::Flavor(f) => f.id().to_string(),
    }
}

/// Reads a field by its path, as the text a form shows; `None` when there is no such field.
pub fn get(t: &Topology, path: &str) -> Option<String> {
    match place(path)? {
        Place::Setting(name) => match field::setting(name)?.place {
            field::Place::Setting { read, .. } => Some(text(read(&t.settings))),
            _ => None,
        },
        Place::Host { id, field } => {
            let host = t.host(id)?;
            if field == "id" {
                return Some(host.id.clone());
            }
            match field::host(field)?.place {
                field::Place::Host { read, .. } => Some(text(read(host))),
                _ => None,
            }
        }
        Place::Component { id, field } => {
            let c = t.component(id)?;
            if field == "id" {
                return Some(c.id.clone());
            }
            match field::component(c.kind(), field)?.place {
                field::Place::Component { read, .. } => read(c).map(text),
                _ => None,
            }
        }
    }
}

/// Where [`set`] writes the field at `path`.
fn slot<'a>(t: &'a mut Topology, path: &str) -> Option<Slot<'a>> {
    match place(path)? {
        Place::Setting(name) => match field::setting(name)?.place {
            field::Place::Setting { write, .. } => Some(write(&mut t.settings)),
            _ => None,
        },
        Place::Host { id, field } => {
            let host = t.hosts.iter_mut().find(|h| h.id == id)?;
            match field::host(field)?.place {
                field::Place::Host { write, .. } => Some(write(host)),
                _ => None,
            }
        }
        Place::Component { id, field } => {
            let c = t.component_mut(id)?;
            match field::component(c.kind(), field)?.place {
                field::Place::Component { write, .. } => write(c),
                _ => None,
            }
        }
    }
}

fn parse_flag(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Writes a field by its path from the text a form holds.
///
/// Text is stored exactly as given, so typing never loses a character; whether it is a
/// good value is the validator's business. Only flags and choices, which a form offers
/// as a closed list, refuse a value they do not know. The design is unchanged on error.
pub fn set(t: &mut Topology, path: &str, value: &str) -> Result<(), EditError> {
    let bad = |reason| EditError::BadValue {
        path: path.to_string(),
        value: value.to_string(),
        reason,
    };
    match slot(t, path).ok_or_else(|| EditError::UnknownField(path.to_string()))? {
        Slot::Text(s) => value.clone_into(s),
        Slot::Flag(b) => *b = parse_flag(value).ok_or_else(|| bad("expected true or false"))?,
        Slot::OptionalText(o) => {
            *o = (!value.is_empty()).then(|| value.to_string());
        }
        Slot::OptionalFlag(o) => {
            *o = if value.is_empty() {
                None
            } else {
                Some(parse_flag(value).ok_or_else(|| bad("expected true, false or nothing"))?)
            };
        }
        Slot::Lines(entries) => {
            // Split exactly on line breaks and keep every piece, blank ones too, so the
            // text reads back as typed; the validator points at an empty entry.
            if value.split('\n').count() > MAX_ITEMS {
                return Err(bad(MORE_LINES_THAN_A_LIST_HOLDS));
            }
            *entries = if value.is_empty() {
                Vec::new()
            } else {
                value.split('\n').map(str::to_string).collect()
            };
        }
        Slot::Platform(p) => {
            *p = Platform::from_id(value).ok_or_else(|| bad("unknown platform"))?
        }
        Slot::Balance(b) => *b = Balance::from_id(value).ok_or_else(|| bad("unknown algorithm"))?,
        Slot::Flavor(f) => {
            *f = DatabaseFlavor::from_id(value).ok_or_else(|| bad("unknown database flavor"))?
        }
    }
    Ok(())
}

/// The path of the form field a diagnostic is about, as [`get`] and [`set`] take it, or
/// the diagnostic's own path when it is about no single field (a component, a connection).
///
/// Each purge ACL entry (`purge_acl.2`) belongs to the one purge ACL field.
pub fn field_path(diagnostic: &Diagnostic) -> String {
    match &diagnostic.target {
        Target::Component {
            id,
            field: Some(field),
        } if field.starts_with("purge_acl.") => {
            format!("components.{id}.purge_acl")
        }
        target => target.path(),
    }
}

/// Removes the design's own templates whose names this Stackwright does not have (rule
/// `template-unknown`: a design from a later version that renamed one), returning their
/// names. The designer offers it on the problem, as one step Undo takes back.
pub fn drop_unknown_templates(t: &mut Topology) -> Vec<String> {
    let unknown: Vec<String> = t
        .templates
        .keys()
        .filter(|name| crate::catalogue::default_template(name).is_none())
        .cloned()
        .collect();
    for name in &unknown {
        t.templates.remove(name);
    }
    unknown
}

/// The characters of generated passwords: letters and digits only, which need no
/// escaping in any file and cannot start an inline comment.
const PASSWORD_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A password of `length` characters drawn uniformly from letters and digits, using the
/// random `bytes` the caller got from a secure source (the browser's `crypto`).
///
/// Bytes at or above the largest multiple of the alphabet's size are skipped so that no
/// character is likelier than another; `None` when the bytes run out first (pass about
/// twice `length`).
pub fn password_from_random(bytes: &[u8], length: usize) -> Option<String> {
    let n = PASSWORD_ALPHABET.len();
    let limit = 256 - 256 % n;
    let password: String = bytes
        .iter()
        .map(|&b| usize::from(b))
        .filter(|&b| b < limit)
        .take(length)
        .map(|b| char::from(PASSWORD_ALPHABET[b % n]))
        .collect();
    (password.len() == length).then_some(password)
}

/// Adds a component of `kind` with the exercise's settings, unconnected, on the first
#[cfg(test)]
mod tests {
    use super::*;

    /// The designer's way out of `template-unknown`: only the unknown names go, and the
    /// design validates again.
    #[test]
    fn unknown_templates_are_dropped_and_known_ones_kept() {
        let mut t = crate::defaults::test_design();
        t.templates
            .insert("apache.conf.j2".into(), "Listen 80\n".into());
        t.templates
            .insert("nginx.conf.j2".into(), "# mine\n".into());
        assert!(
            crate::validate::validate(&t)
                .errors()
                .any(|d| d.code == crate::Rule::TemplateUnknown)
        );
        assert_eq!(
            drop_unknown_templates(&mut t),
            vec!["apache.conf.j2".to_string()]
        );
        assert_eq!(t.templates.keys().collect::<Vec<_>>(), ["nginx.conf.j2"]);
        assert!(
            !crate::validate::validate(&t)
                .errors()
                .any(|d| d.code == crate::Rule::TemplateUnknown)
        );
    }

    use crate::field::paths;
    use crate::validate::diagnose;
    use crate::{defaults, syntax};

    /// A value of the right shape for `path` that differs from `current`.
    fn other_value(path: &str, current: &str) -> String {
        let closed: &[&str] = match path.rsplit('.').next().unwrap() {
            "shared_blobs" | "hsts" => &["true", "false"],
            "debug_mode" | "verbose_security" if path.starts_with("settings.") => {
                &["true", "false"]
            }
            "debug_mode" | "verbose_security" => &["", "true", "false"],
            "platform" => &["debian-12"],
            "balance" => &["leastconn", "roundrobin", "source"],
            "flavor" => &["mariadb", "mysql"],
            _ => return format!("{current}x"),
        };
        closed
            .iter()
            .find(|v| **v != current)
            .unwrap_or(&closed[0])
            .to_string()
    }

    #[test]
    fn every_path_reads_back_what_was_set() {
        let mut t = defaults::scaled(2, 2);
        for path in paths(&t.clone()) {
            let before = get(&t, &path).unwrap_or_else(|| panic!("{path} reads"));
            let value = other_value(&path, &before);
            set(&mut t, &path, &value).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(get(&t, &path).as_deref(), Some(value.as_str()), "{path}");
        }
    }

    #[test]
    fn each_path_changes_only_its_field() {
        let base = Topology::exercise();
        for path in paths(&base) {
            let mut t = base.clone();
            let value = other_value(&path, &get(&t, &path).unwrap());
            set(&mut t, &path, &value).unwrap();
            for other in paths(&base).iter().filter(|p| **p != path) {
                assert_eq!(get(&t, other), get(&base, other), "{path} changed {other}");
            }
        }
    }

    #[test]
    fn refusals_leave_the_design_alone() {
        let base = Topology::exercise();
        for (path, value) in [
            ("settings.nope", "x"),
            ("components.nginx.port", "80"),
            ("components.nowhere.name", "x"),
            ("components.nginx.id", "web"),
            ("hosts.localhost.id", "web"),
            ("settings.shared_blobs", "yes"),
            ("components.haproxy.balance", "random"),
            ("components.instance1.debug_mode", "maybe"),
            ("settings.platform", "windows"),
            ("nonsense", "x"),
        ] {
            let mut t = base.clone();
            assert!(set(&mut t, path, value).is_err(), "{path} = {value}");
            assert_eq!(t, base, "{path}");
        }
    }

    #[test]
    fn typed_text_is_kept_exactly() {
        let mut t = Topology::exercise();
        for (path, typed) in [
            ("components.nginx.http_port", " 80x "),
            ("components.varnish.purge_acl", "localhost\n10.0.0.0/8\n"),
            ("components.varnish.purge_acl", "a\n\nb"),
            ("components.varnish.purge_acl", ""),
            ("components.instance2.threads", "4"),
            ("components.instance2.threads", ""),
        ] {
            set(&mut t, path, typed).unwrap();
            assert_eq!(get(&t, path).unwrap(), typed, "{path}");
        }
        let ComponentKind::Zope(z) = &t.component("instance2").unwrap().kind else {
            unreachable!()
        };
        assert_eq!(z.threads, None, "empty follows the template");
    }

    #[test]
    fn diagnostics_point_at_form_fields() {
        let mut t = Topology::exercise();
        set(
            &mut t,
            "components.varnish.purge_acl",
            "localhost\nnot valid!",
        )
        .unwrap();
        set(&mut t, "components.database.db_name", "Bad Name").unwrap();
        set(&mut t, "components.instance1.port", "8100").unwrap();
        let found: Vec<String> = diagnose(&t).iter().map(field_path).collect();
        for path in [
            "components.varnish.purge_acl",
            "components.database.db_name",
            "components.instance1.port",
        ] {
            assert!(found.iter().any(|p| p == path), "{path} in {found:?}");
            assert!(get(&t, path).is_some(), "{path} is a form field");
        }
    }

    #[test]
    fn passwords_use_every_byte_fairly_and_only_safe_characters() {
        let bytes: Vec<u8> = (0..=255).collect();
        let password = password_from_random(&bytes, 62).unwrap();
        assert_eq!(
            password.as_bytes(),
            PASSWORD_ALPHABET,
            "one of each, in order"
        );
        // 248 and above are skipped: they would favour the first characters.
        assert_eq!(
            password_from_random(&[248, 255, 0, 61], 2).as_deref(),
            Some("A9")
        );
        assert_eq!(password_from_random(&[250, 251], 2), None);
        let strong = password_from_random(&[7; 24], 24).unwrap();
        assert!(syntax::password_problem(&strong).is_none());
    }
}
