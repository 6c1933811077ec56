//! One data-driven case per validation rule: an edit of the default design that
//! triggers the rule (at the expected field), and a design that does not trigger it.
//! Also keeps `docs/rules.md` and the engine's list of codes in step.

use std::collections::BTreeSet;

use stackwright_core::model::*;
use stackwright_core::validate::{Rule, diagnose};

fn component<'a>(t: &'a mut Topology, id: &str) -> &'a mut Component {
    t.component_mut(id)
        .unwrap_or_else(|| panic!("no component {id}"))
}

fn connect(t: &mut Topology, from: &str, to: &str) {
    t.connections.push(Connection {
        from: from.into(),
        to: to.into(),
    });
}

fn disconnect(t: &mut Topology, from: &str, to: &str) {
    t.connections.retain(|c| !(c.from == from && c.to == to));
}

fn remove(t: &mut Topology, id: &str) {
    t.components.retain(|c| c.id != id);
    t.connections.retain(|c| c.from != id && c.to != id);
}

macro_rules! settings {
    ($t:expr, $kind:ident, $id:expr) => {
        match &mut component($t, $id).kind {
            ComponentKind::$kind(x) => x,
            _ => unreachable!(),
        }
    };
}

/// A design with strong passwords and no memcached: the default minus the two notes the
/// exercise's own design earns.
fn clean() -> Topology {
    let mut t = Topology::exercise();
    t.settings.zope_admin_password = "Zope-admin-9f3k".into();
    settings!(&mut t, Database, "database").password = "Db-pass-2c8q".into();
    settings!(&mut t, Supervisor, "supervisor").password = "Sup-pass-7x1m".into();
    remove(&mut t, "memcached");
    for c in &mut t.components {
        c.user = stackwright_core::defaults::dedicated_user(c.kind()).into();
    }
    t
}

fn add_app_host(t: &mut Topology) {
    t.hosts.push(Host {
        id: "app".into(),
        address: "10.0.0.2".into(),
    });
}

/// The single check helper: `edit` applied to the clean design must raise `code` on
/// `path`; the clean design itself must not raise `code` at all.
fn check(code: &str, path: &str, edit: fn(&mut Topology)) {
    let baseline = clean();
    assert!(
        !diagnose(&baseline).iter().any(|d| d.code.code() == code),
        "{code}: the clean design already raises it"
    );
    let mut t = baseline;
    edit(&mut t);
    let diagnostics = diagnose(&t);
    assert!(
        diagnostics
            .iter()
            .any(|d| d.code.code() == code && d.target.path() == path),
        "{code}: expected on {path}, got {:#?}",
        diagnostics
            .iter()
            .map(|d| (d.code, d.target.path()))
            .collect::<Vec<_>>()
    );
    for d in diagnostics.iter().filter(|d| d.code.code() == code) {
        assert!(
            !d.message.is_empty() && !d.hint.is_empty(),
            "{code}: message and hint"
        );
    }
}

type Case = (&'static str, &'static str, fn(&mut Topology));

const CASES: &[Case] = &[
    ("bundle-name-invalid", "settings.name", |t| {
        t.settings.name = "My Site".into()
    }),
    ("install-dir-invalid", "settings.install_dir", |t| {
        t.settings.install_dir = "srv/plone".into()
    }),
    ("site-id-invalid", "settings.site_id", |t| {
        t.settings.site_id = "../etc".into()
    }),
    ("fallback-url-invalid", "settings.fallback_url", |t| {
        t.settings.fallback_url = "system error".into()
    }),
    ("number-invalid", "settings.open_files", |t| {
        t.settings.open_files = "lots".into()
    }),
    ("host-id-invalid", "hosts.Web 1.id", |t| {
        t.hosts.push(Host {
            id: "Web 1".into(),
            address: "10.0.0.3".into(),
        })
    }),
    ("host-duplicate", "hosts.localhost.id", |t| {
        t.hosts.push(t.hosts[0].clone())
    }),
    ("host-unknown", "components.instance1.host", |t| {
        component(t, "instance1").host = "nowhere".into()
    }),
    ("address-invalid", "components.varnish.address", |t| {
        component(t, "varnish").address = "local host".into()
    }),
    ("id-invalid", "components.Instance 1.id", |t| {
        component(t, "instance1").id = "Instance 1".into()
    }),
    ("id-duplicate", "components.instance1.id", |t| {
        component(t, "instance2").id = "instance1".into()
    }),
    ("name-duplicate", "components.instance2.name", |t| {
        component(t, "instance2").name = "Instance 1".into()
    }),
    ("name-unsafe", "components.instance1.name", |t| {
        component(t, "instance1").name = "a\nb".into()
    }),
    ("component-count", "components.nginx2", |t| {
        let mut n = t.component("nginx").unwrap().clone();
        n.id = "nginx2".into();
        n.name = "nginx 2".into();
        t.components.push(n);
    }),
    ("instance-count", "settings.components", |t| {
        for n in 1..=4 {
            remove(t, &format!("instance{n}"));
        }
    }),
    ("port-invalid", "components.instance1.port", |t| {
        settings!(t, Zope, "instance1").port = "80x".into()
    }),
    ("port-conflict", "components.instance2.port", |t| {
        settings!(t, Zope, "instance2").port = "8001".into()
    }),
    ("port-privileged", "components.nginx.http_port", |t| {
        settings!(t, Nginx, "nginx").http_port = "80".into()
    }),
    ("user-invalid", "components.nginx.user", |t| {
        component(t, "nginx").user = "Root User".into()
    }),
    ("user-shared", "components.varnish.user", |t| {
        component(t, "varnish").user = "www-data".into()
    }),
    ("login-invalid", "settings.zope_admin_user", |t| {
        t.settings.zope_admin_user = "ad min".into()
    }),
    ("password-unsafe", "components.database.password", |t| {
        settings!(t, Database, "database").password = "two\nlines".into()
    }),
    ("password-exposed", "settings.zope_admin_password", |t| {
        t.settings.zope_admin_password = "short-pw".into()
    }),
    ("password-default", "components.database.password", |t| {
        settings!(t, Database, "database").password = "secret".into()
    }),
    ("path-invalid", "components.nginx.certificate", |t| {
        settings!(t, Nginx, "nginx").certificate = "/etc/ssl/site.crt".into()
    }),
    ("connection-dangling", "connections.nginx->ghost", |t| {
        connect(t, "nginx", "ghost")
    }),
    ("connection-refused", "connections.nginx->database", |t| {
        connect(t, "nginx", "database")
    }),
    ("connection-duplicate", "connections.nginx->varnish", |t| {
        connect(t, "nginx", "varnish")
    }),
    (
        "connection-loopback",
        "connections.haproxy->instance1",
        |t| {
            add_app_host(t);
            component(t, "instance1").host = "app".into();
        },
    ),
    ("chain-broken", "components.nginx", |t| {
        disconnect(t, "varnish", "haproxy")
    }),
    ("tier-skipped", "connections.nginx->haproxy", |t| {
        disconnect(t, "nginx", "varnish");
        connect(t, "nginx", "haproxy");
    }),
    ("balancer-missing", "components.varnish", |t| {
        remove(t, "haproxy");
        for n in 1..=4 {
            connect(t, "varnish", &format!("instance{n}"));
        }
    }),
    ("instance-unreachable", "components.instance4", |t| {
        disconnect(t, "haproxy", "instance4")
    }),
    ("instance-no-database", "components.instance1", |t| {
        disconnect(t, "instance1", "database")
    }),
    ("template-unknown", "settings.templates", |t| {
        t.templates
            .insert("apache.conf.j2".into(), "Listen 80\n".into());
    }),
    ("instance-no-memcached", "components.instance1", |t| {
        *t = Topology::exercise();
        disconnect(t, "instance1", "memcached");
    }),
    (
        "varnish-backend-not-ip",
        "connections.varnish->haproxy",
        |t| component(t, "haproxy").address = "haproxy.internal".into(),
    ),
    ("storage-invalid", "components.varnish.storage", |t| {
        settings!(t, Varnish, "varnish").storage = "lots".into()
    }),
    ("tuning-invalid", "components.varnish.tuning", |t| {
        settings!(t, Varnish, "varnish").tuning = "-f /etc/x".into()
    }),
    ("purge-acl-invalid", "components.varnish.purge_acl.0", |t| {
        settings!(t, Varnish, "varnish").purge_acl = vec!["10.0.0.0/99".into()]
    }),
    ("purge-acl-uncovered", "components.varnish.purge_acl", |t| {
        settings!(t, Varnish, "varnish").purge_acl = vec!["10.0.0.1".into()]
    }),
    ("admin-network-invalid", "settings.admin_networks", |t| {
        t.settings.admin_networks = vec!["office.example.org".into()]
    }),
    (
        "balance-source-behind-proxy",
        "components.haproxy.balance",
        |t| settings!(t, Haproxy, "haproxy").balance = Balance::Source,
    ),
    (
        "maxconn-above-threads",
        "components.haproxy.maxconn_per_server",
        |t| settings!(t, Haproxy, "haproxy").maxconn_per_server = "4".into(),
    ),
    ("open-files-low", "settings.open_files", |t| {
        t.settings.open_files = "20".into()
    }),
    ("stats-exposed", "components.haproxy.stats_user", |t| {
        component(t, "haproxy").address = "0.0.0.0".into()
    }),
    (
        "supervisor-exposed",
        "components.supervisor.password",
        |t| {
            component(t, "supervisor").address = "0.0.0.0".into();
            settings!(t, Supervisor, "supervisor").password = "secret".into();
        },
    ),
    ("memcached-exposed", "components.memcached.address", |t| {
        *t = Topology::exercise();
        component(t, "memcached").address = "0.0.0.0".into();
    }),
    ("bound-beyond-need", "components.instance1.address", |t| {
        component(t, "instance1").address = "0.0.0.0".into();
    }),
    ("memcached-deprecated", "components.memcached", |t| {
        *t = Topology::exercise()
    }),
    ("blobs-across-hosts", "settings.shared_blobs", |t| {
        add_app_host(t);
        for id in ["instance3", "instance4"] {
            let c = component(t, id);
            c.host = "app".into();
            c.address = "0.0.0.0".into();
        }
    }),
    ("mysql-not-on-debian", "components.database.flavor", |t| {
        if let ComponentKind::Database(d) = &mut component(t, "database").kind {
            d.flavor = DatabaseFlavor::MySql;
        }
    }),
    ("supervisor-missing", "settings.components", |t| {
        remove(t, "supervisor")
    }),
];

#[test]
fn every_rule_has_a_case_that_triggers_it() {
    for (code, path, edit) in CASES {
        check(code, path, *edit);
    }
    let engine: BTreeSet<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
    let cases: BTreeSet<&str> = CASES.iter().map(|(c, _, _)| *c).collect();
    assert_eq!(engine, cases, "every rule code needs exactly one case here");
}

#[test]
fn the_clean_design_has_no_diagnostic() {
    assert_eq!(diagnose(&clean()), vec![]);
}

/// `docs/rules.md` documents exactly the codes the engine emits, each with its severity.
#[test]
fn rules_document_matches_the_engine() {
    let doc = include_str!("../../docs/rules.md");
    let documented: BTreeSet<(String, String)> = doc
        .lines()
        .filter_map(|line| line.strip_prefix("## `"))
        .filter_map(|rest| {
            let (code, rest) = rest.split_once('`')?;
            let severity = rest
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .to_string();
            Some((code.to_string(), severity))
        })
        .collect();
    let engine: BTreeSet<(String, String)> = Rule::ALL
        .iter()
        .map(|r| (r.code().to_string(), r.severity().id().to_string()))
        .collect();
    let missing: Vec<_> = engine.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&engine).collect();
    assert!(
        missing.is_empty(),
        "codes missing from docs/rules.md: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "docs/rules.md names codes the engine does not have: {unknown:?}"
    );
}

/// An install directory one byte too long for the unix sockets in its `var/` is refused;
/// one at the limit is not, and its longest socket path fits in 107 bytes.
#[test]
fn install_dir_leaves_room_for_the_sockets() {
    let limit = stackwright_core::validate::MAX_INSTALL_DIR;
    let at_limit = format!("/{}", "a".repeat(limit - 1));
    assert!(at_limit.len() + "/var/haproxy/admin.sock".len() <= 107);
    let mut t = clean();
    t.settings.install_dir = at_limit.clone();
    assert!(
        !diagnose(&t)
            .iter()
            .any(|d| d.code == Rule::InstallDirInvalid),
        "{at_limit} is allowed"
    );
    t.settings.install_dir = format!("{at_limit}a");
    check_one(&t, Rule::InstallDirInvalid, "settings.install_dir");
}

fn check_one(t: &Topology, code: Rule, path: &str) {
    assert!(
        diagnose(t)
            .iter()
            .any(|d| d.code == code && d.target.path() == path),
        "{code:?} expected on {path}"
    );
}
