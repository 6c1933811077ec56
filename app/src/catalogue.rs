//! Every form field of the designer: its path, its label and what kind of input it is, and
//! the settings panels that gather them the way the exercise's `deployment.cfg` does.
//!
//! A field is named by the path `stackwright_core::edit` reads and writes and diagnostics
//! point at, so a form, its messages and its undo step share one key. This module is pure
//! data over the design's shape ([`Structure`]), so it is tested without a browser.

use stackwright_core::field;
use stackwright_core::{Kind, Topology};

/// The settings panels, named as the exercise names its sections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Panel {
    Hosts,
    Ports,
    Users,
    Passwords,
    Databases,
    Varnish,
    Limits,
    Urls,
    Sites,
    InstanceTemplate,
    Tls,
}

impl Panel {
    pub const ALL: [Panel; 11] = [
        Panel::Hosts,
        Panel::Ports,
        Panel::Users,
        Panel::Passwords,
        Panel::Databases,
        Panel::Varnish,
        Panel::Limits,
        Panel::Urls,
        Panel::Sites,
        Panel::InstanceTemplate,
        Panel::Tls,
    ];

    /// The tab's text.
    pub fn label(self) -> &'static str {
        match self {
            Panel::Hosts => "Hosts",
            Panel::Ports => "Ports",
            Panel::Users => "Users",
            Panel::Passwords => "Passwords",
            Panel::Databases => "Databases",
            Panel::Varnish => "Varnish options",
            Panel::Limits => "Limits",
            Panel::Urls => "URLs",
            Panel::Sites => "Sites",
            Panel::InstanceTemplate => "Zope instance template",
            Panel::Tls => "TLS",
        }
    }

    /// A short id for element ids.
    pub fn id(self) -> &'static str {
        match self {
            Panel::Hosts => "hosts",
            Panel::Ports => "ports",
            Panel::Users => "users",
            Panel::Passwords => "passwords",
            Panel::Databases => "databases",
            Panel::Varnish => "varnish",
            Panel::Limits => "limits",
            Panel::Urls => "urls",
            Panel::Sites => "sites",
            Panel::InstanceTemplate => "instance",
            Panel::Tls => "tls",
        }
    }
}

pub use stackwright_core::field::Input;

/// One field of a form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldSpec {
    /// The path `stackwright_core::edit` takes, e.g. `components.nginx.http_port`.
    pub path: String,
    /// The visible label, which is also the input's accessible name.
    pub label: &'static str,
    pub input: Input,
    /// A short explanation under the label, or "".
    pub help: &'static str,
}

/// Fields shown together under a title (a component's name, or "Zope").
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Group {
    pub title: String,
    pub fields: Vec<FieldSpec>,
}

/// The shape of a design the forms depend on: which components and hosts exist. It changes
/// only when something is added, removed or renamed, so forms are not rebuilt per keystroke.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Structure {
    /// (id, name, kind) of every component, in design order.
    pub components: Vec<(String, String, Kind)>,
    pub hosts: Vec<String>,
}

impl Structure {
    pub fn of(t: &Topology) -> Structure {
        Structure {
            components: t
                .components
                .iter()
                .map(|c| (c.id.clone(), c.name.clone(), c.kind()))
                .collect(),
            hosts: t.hosts.iter().map(|h| h.id.clone()).collect(),
        }
    }

    /// The name of a component, or its id if the design lacks it.
    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.components
            .iter()
            .find(|(i, _, _)| i == id)
            .map_or(id, |(_, name, _)| name.as_str())
    }

    pub fn kind_of(&self, id: &str) -> Option<Kind> {
        self.components
            .iter()
            .find(|(i, _, _)| i == id)
            .map(|(_, _, k)| *k)
    }
}

/// The spec of the field at `path`, or `None` for a path no form shows.
pub fn field(path: &str, structure: &Structure) -> Option<FieldSpec> {
    let field = if let Some(name) = path.strip_prefix("settings.") {
        field::setting(name)?
    } else if let Some(rest) = path.strip_prefix("hosts.") {
        field::host(rest.rsplit_once('.')?.1)?
    } else {
        let (id, name) = path.strip_prefix("components.")?.rsplit_once('.')?;
        field::component(structure.kind_of(id)?, name)?
    };
    Some(FieldSpec {
        path: path.to_string(),
        label: field.label,
        input: field.input,
        help: field.help,
    })
}

fn component_spec(structure: &Structure, id: &str, name: &str) -> FieldSpec {
    field(&format!("components.{id}.{name}"), structure).expect("a known field")
}

fn setting_spec(name: &str) -> FieldSpec {
    field(&format!("settings.{name}"), &Structure::default()).expect("a known setting")
}

/// Every field of a component, for the inspector: its own settings first, then where and
/// as whom it runs.
pub fn component_fields(structure: &Structure, id: &str) -> Vec<FieldSpec> {
    let Some(kind) = structure.kind_of(id) else {
        return Vec::new();
    };
    std::iter::once("name")
        .chain(field::own_fields(kind).map(|f| f.name))
        .chain(["host", "address", "user"])
        .map(|f| component_spec(structure, id, f))
        .collect()
}

/// One group per component of `kinds` holding its `fields` that exist for its kind.
fn per_component(structure: &Structure, kinds: &[Kind], fields: &[&str]) -> Vec<Group> {
    structure
        .components
        .iter()
        .filter(|(_, _, k)| kinds.contains(k))
        .filter_map(|(id, name, kind)| {
            let specs: Vec<FieldSpec> = fields
                .iter()
                .filter(|f| field::component(*kind, f).is_some())
                .map(|f| component_spec(structure, id, f))
                .collect();
            (!specs.is_empty()).then(|| Group {
                title: name.clone(),
                fields: specs,
            })
        })
        .collect()
}

fn settings_group(title: &str, fields: &[&str]) -> Group {
    Group {
        title: title.to_string(),
        fields: fields.iter().map(|f| setting_spec(f)).collect(),
    }
}

/// The groups of fields a settings panel shows.
pub fn panel_groups(panel: Panel, s: &Structure) -> Vec<Group> {
    const ALL: [Kind; 7] = Kind::ALL;
    let mut groups = Vec::new();
    match panel {
        Panel::Hosts => {
            groups.extend(s.hosts.iter().map(|h| Group {
                title: format!("Machine {h}"),
                fields: vec![field(&format!("hosts.{h}.address"), s).expect("a host field")],
            }));
            groups.extend(per_component(s, &ALL, &["host", "address"]));
        }
        Panel::Ports => groups.extend(per_component(
            s,
            &ALL,
            &["http_port", "https_port", "port", "stats_port"],
        )),
        Panel::Users => {
            groups.push(settings_group("Zope", &["zope_admin_user"]));
            groups.extend(per_component(
                s,
                &ALL,
                &["user", "stats_user", "db_user", "admin_user"],
            ));
        }
        Panel::Passwords => {
            groups.push(settings_group("Zope", &["zope_admin_password"]));
            groups.extend(per_component(
                s,
                &[Kind::Haproxy, Kind::Database, Kind::Supervisor],
                &["stats_password", "password"],
            ));
        }
        Panel::Databases => groups.extend(per_component(
            s,
            &[Kind::Database],
            &[
                "flavor", "host", "address", "port", "db_name", "db_user", "password",
            ],
        )),
        Panel::Varnish => groups.extend(per_component(
            s,
            &[Kind::Varnish],
            &["storage", "tuning", "purge_acl", "purge_port"],
        )),
        Panel::Limits => {
            groups.push(settings_group("Limits", &["open_files", "session_timeout"]));
            groups.extend(per_component(
                s,
                &[Kind::Haproxy, Kind::Memcached],
                &[
                    "balance",
                    "maxconn_per_server",
                    "check_interval_ms",
                    "fall",
                    "rise",
                    "memory_mb",
                ],
            ));
        }
        Panel::Urls => {
            groups.push(settings_group("URLs", &["fallback_url", "admin_networks"]));
            groups.extend(per_component(
                s,
                &[Kind::Nginx],
                &["public_host", "status_path", "upload_limit_mb"],
            ));
        }
        Panel::Sites => groups.push(settings_group(
            "Site",
            &["site_id", "name", "install_dir", "platform"],
        )),
        Panel::InstanceTemplate => groups.push(settings_group(
            "Every instance",
            &[
                "instance.threads",
                "instance.zodb_cache_size",
                "instance.debug_mode",
                "instance.verbose_security",
                "shared_blobs",
            ],
        )),
        Panel::Tls => groups.extend(per_component(
            s,
            &[Kind::Nginx],
            &[
                "https_port",
                "certificate",
                "certificate_key",
                "public_host",
                "hsts",
            ],
        )),
    }
    groups
}

/// Every field path a panel shows, for its tab's problem count.
pub fn panel_paths(panel: Panel, s: &Structure) -> Vec<String> {
    panel_groups(panel, s)
        .into_iter()
        .flat_map(|g| g.fields)
        .map(|f| f.path)
        .collect()
}

/// The first panel that shows `path`, for a problem about a global setting or a host.
pub fn panel_of(path: &str, s: &Structure) -> Option<Panel> {
    Panel::ALL
        .into_iter()
        .find(|p| panel_paths(*p, s).iter().any(|f| f == path))
}

/// Where a problem is, in words: "nginx › HTTP port", "Settings › Site id".
pub fn describe(path: &str, s: &Structure) -> String {
    let label = field(path, s).map(|f| f.label);
    if let Some(field) = path.strip_prefix("settings.") {
        return format!("Settings › {}", label.unwrap_or(field));
    }
    if let Some(rest) = path.strip_prefix("hosts.") {
        let id = rest.rsplit_once('.').map_or(rest, |(id, _)| id);
        return format!(
            "Host {id}{}",
            label.map(|l| format!(" › {l}")).unwrap_or_default()
        );
    }
    if let Some(rest) = path.strip_prefix("connections.") {
        let (from, to) = rest.split_once("->").unwrap_or((rest, ""));
        return format!("Connection {} → {}", s.name_of(from), s.name_of(to));
    }
    if let Some(rest) = path.strip_prefix("components.") {
        return match rest.rsplit_once('.') {
            Some((id, field)) if s.kind_of(id).is_some() => {
                format!("{} › {}", s.name_of(id), label.unwrap_or(field))
            }
            _ => s.name_of(rest).to_string(),
        };
    }
    path.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackwright_core::defaults::scaled;
    use stackwright_core::edit;

    #[test]
    fn every_field_reads_from_the_design() {
        for t in [Topology::exercise(), scaled(3, 2)] {
            let s = Structure::of(&t);
            let mut specs: Vec<FieldSpec> = Panel::ALL
                .into_iter()
                .flat_map(|p| panel_groups(p, &s))
                .flat_map(|g| g.fields)
                .collect();
            for (id, _, _) in &s.components {
                specs.extend(component_fields(&s, id));
            }
            for spec in specs {
                assert!(edit::get(&t, &spec.path).is_some(), "{}", spec.path);
                if let Input::Inherit(template) | Input::InheritToggle(template) = spec.input {
                    assert!(edit::get(&t, template).is_some(), "{template}");
                }
            }
        }
    }

    #[test]
    fn every_setting_and_component_field_has_a_home() {
        let t = Topology::exercise();
        let s = Structure::of(&t);
        let shown: Vec<String> = s
            .components
            .iter()
            .flat_map(|(id, _, _)| component_fields(&s, id))
            .map(|f| f.path)
            .collect();
        for path in stackwright_core::field::paths(&t) {
            if path.starts_with("components.") {
                assert!(shown.contains(&path), "{path} is in the inspector");
            } else {
                assert!(panel_of(&path, &s).is_some(), "{path} is on a panel");
            }
        }
    }

    #[test]
    fn labels_are_unique_within_a_form() {
        let t = Topology::exercise();
        let s = Structure::of(&t);
        let mut forms: Vec<Vec<FieldSpec>> = s
            .components
            .iter()
            .map(|(id, _, _)| component_fields(&s, id))
            .collect();
        forms.extend(
            Panel::ALL
                .into_iter()
                .flat_map(|p| panel_groups(p, &s))
                .map(|g| g.fields),
        );
        for form in forms {
            let mut labels: Vec<&str> = form.iter().map(|f| f.label).collect();
            labels.sort_unstable();
            let before = labels.len();
            labels.dedup();
            assert_eq!(before, labels.len(), "{form:?}");
        }
    }

    #[test]
    fn problems_are_described_in_words() {
        let s = Structure::of(&Topology::exercise());
        for (path, expected) in [
            ("components.nginx.http_port", "nginx › HTTP port"),
            ("components.instance2", "Instance 2"),
            ("settings.site_id", "Settings › Site id"),
            ("hosts.localhost.address", "Host localhost › Address"),
            ("connections.nginx->varnish", "Connection nginx → Varnish"),
        ] {
            assert_eq!(describe(path, &s), expected);
        }
    }
}
