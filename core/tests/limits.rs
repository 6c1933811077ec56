//! Every limit the reader enforces, the writer enforces too: whatever an edit makes is a
//! design the format reads back (a design it could not read would be refused by
//! `stackwright validate`, and in the app the autosave would be unreadable at the next load).

use stackwright_core::edit::{self, EditError};
use stackwright_core::format::{self, MAX_ITEMS, MAX_TEMPLATE};
use stackwright_core::model::Kind;
use stackwright_core::render::{self, RenderError};
use stackwright_core::{Connection, Topology};

fn design() -> Topology {
    stackwright_core::defaults::new_design(&[42; stackwright_core::defaults::NEW_DESIGN_RANDOM])
        .unwrap()
}

fn reads_back(t: &Topology) {
    assert_eq!(&format::from_json(&format::to_json(t)).unwrap(), t);
}

#[test]
fn a_template_is_set_only_within_the_readers_limit() {
    let mut t = design();
    let at_limit = format!("{}\n", "#".repeat(MAX_TEMPLATE - 1));
    render::set_template(&mut t, "nginx.conf.j2", at_limit).unwrap();
    reads_back(&t);
    let over = "#".repeat(300 * 1024);
    let err = render::set_template(&mut t, "haproxy.cfg.j2", over).unwrap_err();
    assert!(
        matches!(err, RenderError::TemplateTooLong { bytes, .. } if bytes == 300 * 1024),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "template `haproxy.cfg.j2` is 307200 bytes, more than the {MAX_TEMPLATE} a template may have"
        )
    );
    assert!(!t.templates.contains_key("haproxy.cfg.j2"));
    reads_back(&t);
}

/// `set_template` takes only the catalogue's names, so the catalogue must fit the reader's
/// bounds on a design's templates: every name and all of them at once.
#[test]
fn every_template_a_design_can_set_is_one_the_reader_takes() {
    let names = render::template_names();
    assert!(
        names.len() <= format::MAX_TEMPLATES,
        "{} templates",
        names.len()
    );
    for name in &names {
        assert!(name.len() <= format::MAX_TEMPLATE_NAME, "{name}");
    }
    let mut t = design();
    for name in &names {
        render::set_template(&mut t, name, format!("# mine: {name}\n")).unwrap();
    }
    assert_eq!(t.templates.len(), names.len());
    reads_back(&t);
}

#[test]
fn hosts_are_added_up_to_the_readers_limit() {
    let mut t = design();
    while t.hosts.len() < MAX_ITEMS {
        edit::add_host(&mut t).unwrap();
    }
    reads_back(&t);
    assert_eq!(edit::add_host(&mut t), Err(EditError::TooMany("hosts")));
    assert_eq!(
        EditError::TooMany("hosts").to_string(),
        "the design already has 1024 hosts, the most it may have"
    );
    assert_eq!(t.hosts.len(), MAX_ITEMS);
}

#[test]
fn components_and_connections_are_added_up_to_the_readers_limit() {
    let mut t = design();
    // Components past what the validator allows are still a design the format reads:
    // fill the list with copies of memcached, then let the edits meet the bound.
    let spare = t.first(Kind::Memcached).unwrap().clone();
    while t.components.len() < MAX_ITEMS {
        let mut c = spare.clone();
        c.id = format!("cache{}", t.components.len());
        t.components.push(c);
    }
    reads_back(&t);
    assert_eq!(
        edit::add_component(&mut t, Kind::Varnish),
        Err(EditError::TooMany("components"))
    );
    assert_eq!(
        edit::add_instance(&mut t),
        Err(EditError::TooMany("components"))
    );
    assert_eq!(t.components.len(), MAX_ITEMS);

    let mut t = design();
    let (from, to) = (t.connections[0].from.clone(), t.connections[0].to.clone());
    t.connections.retain(|c| !(c.from == from && c.to == to));
    while t.connections.len() < MAX_ITEMS {
        t.connections.push(Connection {
            from: "ghost".into(),
            to: format!("nowhere{}", t.connections.len()),
        });
    }
    reads_back(&t);
    assert_eq!(
        edit::add_connection(&mut t, &from, &to),
        Err(EditError::TooMany("connections"))
    );
}

#[test]
fn a_list_setting_takes_at_most_the_readers_count_of_lines() {
    let mut t = design();
    let most = vec!["10.0.0.1"; MAX_ITEMS].join("\n");
    edit::set(&mut t, "settings.admin_networks", &most).unwrap();
    reads_back(&t);
    let more = vec!["10.0.0.1"; MAX_ITEMS + 1].join("\n");
    let err = edit::set(&mut t, "settings.admin_networks", &more).unwrap_err();
    assert!(
        err.to_string()
            .ends_with(&format!("more lines than the {MAX_ITEMS} a list may have")),
        "{err}"
    );
    assert_eq!(t.settings.admin_networks.len(), MAX_ITEMS);
}
