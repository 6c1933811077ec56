//! The bundle's `ansible/` folder: the inventory names every machine of the design with its
//! address and its roles, and a value from the design reaches Ansible only as a quoted
//! string Ansible never evaluates. (That Ansible itself reads it, and runs the playbook,
//! is proven by `tests/daemons/check.sh` and `tests/stack/ansible.sh`.)

use std::collections::{BTreeMap, BTreeSet};

use stackwright_core::model::{Kind, Topology};
use stackwright_core::{format, render};

/// Every fixture design, by name.
fn fixtures() -> Vec<(String, Topology)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut designs: Vec<(String, Topology)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, format::from_json(&text).unwrap())
        })
        .collect();
    designs.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(designs.len() >= 7, "the fixtures were found");
    designs
}

fn inventory(t: &Topology) -> String {
    render::render(t).unwrap().files["ansible/inventory.yml"]
        .contents
        .clone()
}

/// The inventory's machines, each with its `ansible_host` line's value.
fn machines(inventory: &str) -> BTreeMap<String, String> {
    let hosts = inventory
        .split_once("\n  hosts:\n")
        .and_then(|(_, rest)| rest.split_once("\n  children:\n"))
        .unwrap()
        .0;
    let mut found = BTreeMap::new();
    let mut current = None;
    for line in hosts.lines() {
        if let Some(name) = line
            .strip_prefix("    \"")
            .and_then(|l| l.strip_suffix("\":"))
        {
            current = Some(name.to_string());
        } else if let Some(address) = line.strip_prefix("      ansible_host: ") {
            found.insert(current.clone().unwrap(), address.to_string());
        }
    }
    found
}

/// The inventory's groups and their members.
fn groups(inventory: &str) -> BTreeMap<String, BTreeSet<String>> {
    let children = inventory.split_once("\n  children:\n").unwrap().1;
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current = String::new();
    for line in children.lines() {
        if let Some(group) = line.strip_prefix("    ").and_then(|l| l.strip_suffix(':'))
            && !group.starts_with(' ')
            && !group.starts_with('#')
        {
            current = group.to_string();
            found.entry(current.clone()).or_default();
        }
        if let Some(host) = line
            .strip_prefix("        \"")
            .and_then(|l| l.strip_suffix("\":"))
        {
            found.get_mut(&current).unwrap().insert(host.to_string());
        }
    }
    found
}

/// The machines of `t` that run components of `kind`.
fn running(t: &Topology, kind: Kind) -> BTreeSet<String> {
    t.of_kind(kind).map(|c| c.host.clone()).collect()
}

#[test]
fn every_machine_is_in_the_inventory_with_its_address_and_roles() {
    for (name, t) in fixtures() {
        let inventory = inventory(&t);
        let machines = machines(&inventory);
        let groups = groups(&inventory);
        // Every machine that runs something, and only those.
        let mut used: BTreeSet<String> = BTreeSet::new();
        for kind in [
            Kind::Nginx,
            Kind::Varnish,
            Kind::Haproxy,
            Kind::Zope,
            Kind::Memcached,
            Kind::Database,
        ] {
            used.extend(running(&t, kind));
        }
        assert_eq!(
            machines.keys().cloned().collect::<BTreeSet<_>>(),
            used,
            "{name}"
        );
        for host in &t.hosts {
            if let Some(address) = machines.get(&host.id) {
                assert_eq!(
                    address,
                    &format!("!unsafe \"{}\"", host.address),
                    "{name}: {}",
                    host.id
                );
            }
        }
        // Each role is a group of exactly the machines that have it.
        for (group, kind) in [
            ("nginx", Kind::Nginx),
            ("varnish", Kind::Varnish),
            ("haproxy", Kind::Haproxy),
            ("memcached", Kind::Memcached),
            ("zope", Kind::Zope),
            ("database", Kind::Database),
        ] {
            let members = groups.get(group).cloned().unwrap_or_default();
            assert_eq!(members, running(&t, kind), "{name}: group {group}");
        }
        let supervised: BTreeSet<String> = used
            .iter()
            .filter(|h| {
                t.components.iter().any(|c| {
                    &c.host == *h && !matches!(c.kind(), Kind::Database | Kind::Supervisor)
                })
            })
            .cloned()
            .collect();
        assert_eq!(groups["supervised"], supervised, "{name}: group supervised");
        assert_eq!(
            groups["site"].len(),
            1,
            "{name}: one machine creates the site"
        );
        assert!(groups["site"].is_subset(&groups["zope"]), "{name}");
    }
}

/// Every value in the inventory is a number, a list of Debian package names, or a string
/// tagged `!unsafe`: nothing from the design is evaluated by Ansible's templating.
#[test]
fn design_values_reach_ansible_only_as_unsafe_strings() {
    for (name, t) in fixtures() {
        let bundle = render::render(&t).unwrap();
        let inventory = &bundle.files["ansible/inventory.yml"].contents;
        for line in inventory.lines() {
            let line = line.trim_start().trim_start_matches("- ");
            if line.starts_with('#') || line.ends_with(':') || !line.contains(": ") {
                continue;
            }
            // A list item is a mapping of its own: `- { address: ..., port: ... }`.
            let (key, value) = if line.starts_with('{') {
                ("", line)
            } else {
                line.split_once(": ").unwrap()
            };
            let fine = match key {
                "ansible_user" => value == "root",
                "ansible_connection" => value == "local",
                "stackwright_pip_find_links" => value == "\"\"",
                "stackwright_packages" => value.trim_matches(['[', ']']).split(", ").all(|p| {
                    p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                }),
                _ if value.starts_with('{') => {
                    value.trim_matches(['{', '}', ' ']).split(", ").all(|pair| {
                        let (_, v) = pair.split_once(": ").unwrap();
                        v.starts_with("!unsafe \"") || v.parse::<u16>().is_ok()
                    })
                }
                _ => value.starts_with("!unsafe \"") && value.ends_with('"'),
            };
            assert!(fine, "{name}: {line}");
        }
        // The playbook holds nothing from the design but its name, in a comment.
        let playbook = &bundle.files["ansible/site.yml"].contents;
        let plain = render::render(
            &stackwright_core::defaults::new_design(
                &[42; stackwright_core::defaults::NEW_DESIGN_RANDOM],
            )
            .unwrap(),
        )
        .unwrap()
        .files["ansible/site.yml"]
            .contents
            .replace("plone-deployment", &t.settings.name);
        assert_eq!(playbook, &plain, "{name}");
    }
}

/// A value that looks like a template, or holds quotes and backslashes, is written as one
/// escaped string, even when a design's own template puts a password in the inventory.
#[test]
fn a_hostile_value_stays_one_quoted_string() {
    let mut t = Topology::exercise();
    t.settings.zope_admin_password = "{{ lookup('pipe', 'id') }}\" evil: yes\\".into();
    let source = render::default_template("inventory.yml.j2")
        .unwrap()
        .replace(
            "    ansible_user: root\n",
            "    ansible_user: root\n    probe: {{ plan.site.zope_admin_password | ansible }}\n",
        );
    render::set_template(&mut t, "inventory.yml.j2", source).unwrap();
    let inventory = inventory(&t);
    let probe: Vec<&str> = inventory
        .lines()
        .filter(|l| l.contains("probe") || l.contains("evil"))
        .collect();
    assert_eq!(
        probe,
        ["    probe: !unsafe \"{{ lookup('pipe', 'id') }}\\\" evil: yes\\\\\""]
    );
}
