//! The exercise's design (`deployment.cfg` of exercise 9), value for value, and the
//! defaults new components start from.
//!
//! The model knows nothing of these values: this module builds on it, never the other
//! way round, so [`Topology::exercise`] is defined here.

use crate::layout::{ROW_HEIGHT as ROW, TIER_WIDTH as COLUMN};
use crate::model::*;

const PUBLIC: &str = "localhost";
const LOOPBACK: &str = "127.0.0.1";
const EXERCISE_PASSWORD: &str = "secret";
/// Not in the exercise, which has none of these: the largest upload nginx passes on (its
/// own default, 1 MiB, refuses most photos and PDFs) and Varnish's purge listener.
pub const UPLOAD_LIMIT_MB: &str = "128";
pub const PURGE_PORT: &str = "8101";

/// The password the exercise uses everywhere; the validator warns when it is kept.
pub fn exercise_password() -> &'static str {
    EXERCISE_PASSWORD
}

fn component(
    id: &str,
    name: &str,
    address: &str,
    user: &str,
    x: i32,
    y: i32,
    kind: ComponentKind,
) -> Component {
    Component {
        id: id.into(),
        name: name.into(),
        host: "localhost".into(),
        address: address.into(),
        user: user.into(),
        position: Position { x, y },
        kind,
    }
}

/// A Zope instance with the template's settings, listening on `port`.
pub fn zope_instance(
    n: usize,
    host: &str,
    address: &str,
    port: u32,
    position: Position,
) -> Component {
    Component {
        id: format!("instance{n}"),
        name: format!("Instance {n}"),
        host: host.into(),
        address: address.into(),
        user: "nobody".into(),
        position,
        kind: ComponentKind::Zope(ZopeInstance {
            port: port.to_string(),
            ..ZopeInstance::default()
        }),
    }
}

impl Topology {
    /// The exercise's design, value for value.
    pub fn exercise() -> Topology {
        exercise()
    }
}

fn exercise() -> Topology {
    let mut components = vec![
        component(
            "nginx",
            "nginx",
            "0.0.0.0",
            "nobody",
            0,
            ROW,
            ComponentKind::Nginx(Nginx {
                http_port: "8000".into(),
                https_port: "8443".into(),
                public_host: PUBLIC.into(),
                certificate: "etc/server.crt".into(),
                certificate_key: "etc/server.key".into(),
                status_path: "/_nginx_status_".into(),
                upload_limit_mb: UPLOAD_LIMIT_MB.into(),
                hsts: true,
            }),
        ),
        component(
            "varnish",
            "Varnish",
            "localhost",
            "nobody",
            COLUMN,
            ROW,
            ComponentKind::Varnish(Varnish {
                port: "8100".into(),
                storage: "malloc,128M".into(),
                tuning: String::new(),
                purge_acl: vec!["localhost".into()],
                purge_port: PURGE_PORT.into(),
            }),
        ),
        component(
            "haproxy",
            "HAProxy",
            "localhost",
            "nobody",
            2 * COLUMN,
            ROW,
            ComponentKind::Haproxy(Haproxy {
                port: "8200".into(),
                stats_port: "8222".into(),
                stats_user: String::new(),
                stats_password: String::new(),
                balance: Balance::LeastConn,
                maxconn_per_server: "2".into(),
                check_interval_ms: "1000".into(),
                fall: "2".into(),
                rise: "2".into(),
            }),
        ),
    ];
    for n in 1..=4 {
        let position = Position {
            x: 3 * COLUMN,
            y: (n as i32 - 1) * ROW - ROW / 2,
        };
        components.push(zope_instance(
            n,
            "localhost",
            LOOPBACK,
            8000 + n as u32,
            position,
        ));
    }
    components.extend([
        component(
            "memcached",
            "memcached",
            "localhost",
            "nobody",
            4 * COLUMN,
            0,
            ComponentKind::Memcached(Memcached {
                port: "11211".into(),
                memory_mb: "64".into(),
            }),
        ),
        component(
            "database",
            "MariaDB",
            "localhost",
            "mysql",
            4 * COLUMN,
            2 * ROW,
            ComponentKind::Database(Database {
                flavor: DatabaseFlavor::MariaDb,
                port: "3306".into(),
                db_name: "zodb".into(),
                db_user: "zope".into(),
                password: EXERCISE_PASSWORD.into(),
            }),
        ),
        component(
            "supervisor",
            "supervisor",
            "localhost",
            "root",
            0,
            3 * ROW,
            ComponentKind::Supervisor(Supervisor {
                port: "9001".into(),
                admin_user: "admin".into(),
                password: EXERCISE_PASSWORD.into(),
            }),
        ),
    ]);

    let mut connections = vec![
        Connection {
            from: "nginx".into(),
            to: "varnish".into(),
        },
        Connection {
            from: "varnish".into(),
            to: "haproxy".into(),
        },
    ];
    for n in 1..=4 {
        let instance = format!("instance{n}");
        connections.push(Connection {
            from: "haproxy".into(),
            to: instance.clone(),
        });
        connections.push(Connection {
            from: instance.clone(),
            to: "database".into(),
        });
        connections.push(Connection {
            from: instance,
            to: "memcached".into(),
        });
    }

    Topology {
        settings: Settings {
            name: "plone-deployment".into(),
            site_id: "Plone".into(),
            zope_admin_user: "admin".into(),
            zope_admin_password: EXERCISE_PASSWORD.into(),
            fallback_url: "/system_error".into(),
            open_files: "100".into(),
            session_timeout: "600".into(),
            shared_blobs: true,
            install_dir: "/srv/plone-deployment".into(),
            platform: Platform::default(),
            admin_networks: Vec::new(),
            instance: InstanceTemplate {
                threads: "2".into(),
                zodb_cache_size: "10000".into(),
                debug_mode: false,
                verbose_security: false,
            },
        },
        hosts: vec![Host {
            id: "localhost".into(),
            address: LOOPBACK.into(),
        }],
        components,
        connections,
        templates: Default::default(),
    }
}

/// The exercise's design grown to `instances` Zope instances spread over `hosts`
/// machines: the proxies, memcached and the database stay on the first host, the
/// instances go round-robin over the others (or all on the first when `hosts` is 1).
/// Used by benchmarks, tests and the designer's presets.
pub fn scaled(instances: usize, hosts: usize) -> Topology {
    let mut t = Topology::exercise();
    let template_position = Position {
        x: 3 * COLUMN,
        y: 0,
    };
    t.components.retain(|c| c.kind() != Kind::Zope);
    t.connections
        .retain(|c| !c.from.starts_with("instance") && !c.to.starts_with("instance"));
    let app_hosts = hosts.saturating_sub(1);
    if app_hosts > 0 {
        // Machines talk over the network: the first host needs a routable address too.
        t.hosts[0].address = "10.0.1.1".into();
        for n in 1..=app_hosts {
            t.hosts.push(Host {
                id: format!("app{n}"),
                address: format!("10.0.1.{}", n + 1),
            });
        }
        for c in &mut t.components {
            if matches!(c.kind(), Kind::Memcached | Kind::Database) {
                c.address = "10.0.1.1".into();
            }
        }
        if let Some(ComponentKind::Varnish(v)) = t.component_mut("varnish").map(|c| &mut c.kind) {
            v.purge_acl.push("10.0.1.0/24".into());
        }
        t.settings.shared_blobs = false;
    }
    for n in 1..=instances {
        let (host, address) = if app_hosts == 0 {
            ("localhost".to_string(), LOOPBACK)
        } else {
            (format!("app{}", (n - 1) % app_hosts + 1), "0.0.0.0")
        };
        let position = Position {
            x: template_position.x,
            y: (n as i32 - 1) * ROW - ROW / 2,
        };
        let port = if n < 100 && 8000 + n < 8100 {
            8000 + n as u32
        } else {
            8300 + n as u32
        };
        t.components
            .push(zope_instance(n, &host, address, port, position));
        let id = format!("instance{n}");
        t.connections.push(Connection {
            from: "haproxy".into(),
            to: id.clone(),
        });
        t.connections.push(Connection {
            from: id.clone(),
            to: "database".into(),
        });
        t.connections.push(Connection {
            from: id,
            to: "memcached".into(),
        });
    }
    // Enough open files for every thread's request through two proxies.
    let threads = 2 * instances;
    t.settings.open_files = (2 * threads + 16).max(100).to_string();
    t
}

/// The system user each kind runs as in a new design: Debian's own for the daemons its
/// packages install (the packages create them), `plone` for the Zope instances (the
/// bundle's `bin/setup` creates it), `mysql` for Debian's MariaDB and `root` for
/// supervisor, which starts each program as its user. No two daemons share one.
pub fn dedicated_user(kind: Kind) -> &'static str {
    match kind {
        Kind::Nginx => "www-data",
        Kind::Varnish => "varnish",
        Kind::Haproxy => "haproxy",
        Kind::Zope => "plone",
        Kind::Database => "mysql",
        Kind::Memcached => "memcache",
        Kind::Supervisor => "root",
    }
}

/// A new design from fixed bytes, for tests: strong passwords that are the same on every
/// run.
#[cfg(test)]
pub(crate) fn test_design() -> Topology {
    new_design(&[42; NEW_DESIGN_RANDOM]).expect("enough bytes")
}

/// The length of the passwords [`new_design`] draws.
pub const NEW_PASSWORD_LENGTH: usize = 24;

/// The random bytes [`new_design`] needs: twice the characters of its three passwords
/// (a byte that would favour a character is skipped).
pub const NEW_DESIGN_RANDOM: usize = 3 * 2 * NEW_PASSWORD_LENGTH;

/// A new design: the exercise's chain, with what the exercise leaves to the reader and a
/// server on the internet needs: each daemon its own user ([`dedicated_user`]) and random
/// passwords for the Zope admin, the database and supervisor, drawn from `random`, bytes
/// from a secure source (the browser's `crypto`, the operating system's). `None` when
/// `random` holds too few bytes for them.
pub fn new_design(random: &[u8]) -> Option<Topology> {
    production(exercise(), random)
}

/// `t` made ready for production as [`new_design`] makes the exercise's design: each
/// daemon its own user and random passwords drawn from `random` (for the designer's
/// presets, grown from the exercise's design by [`scaled`]).
pub fn production(mut t: Topology, random: &[u8]) -> Option<Topology> {
    let mut chunks = random.chunks(2 * NEW_PASSWORD_LENGTH);
    let mut password = || crate::edit::password_from_random(chunks.next()?, NEW_PASSWORD_LENGTH);
    t.settings.zope_admin_password = password()?;
    for c in &mut t.components {
        c.user = dedicated_user(c.kind()).into();
        match &mut c.kind {
            ComponentKind::Database(d) => d.password = password()?,
            ComponentKind::Supervisor(s) => s.password = password()?,
            _ => {}
        }
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{Severity, diagnose, validate};
    use std::collections::BTreeSet;

    #[test]
    fn scaled_designs_have_no_error() {
        for (instances, hosts) in [(1, 1), (4, 1), (16, 1), (64, 1), (16, 3), (64, 8)] {
            let t = production(scaled(instances, hosts), &[42; NEW_DESIGN_RANDOM]).unwrap();
            assert_eq!(t.of_kind(Kind::Zope).count(), instances);
            let errors: Vec<_> = diagnose(&t)
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect();
            assert!(
                errors.is_empty(),
                "{instances} instances on {hosts} hosts: {errors:#?}"
            );
        }
    }

    #[test]
    fn a_new_design_has_its_own_users_and_passwords() {
        let random: Vec<u8> = (0..NEW_DESIGN_RANDOM)
            .map(|i| (i * 37 % 251) as u8)
            .collect();
        let t = new_design(&random).unwrap();
        let exercise = Topology::exercise();
        assert_ne!(
            t.settings.zope_admin_password,
            exercise.settings.zope_admin_password
        );
        let daemons: Vec<&Component> = t
            .components
            .iter()
            .filter(|c| !matches!(c.kind(), Kind::Zope | Kind::Supervisor))
            .collect();
        let users: BTreeSet<&str> = daemons.iter().map(|c| c.user.as_str()).collect();
        assert_eq!(
            users.len(),
            daemons.len(),
            "no two daemons share a user: {users:?}"
        );
        assert!(t.of_kind(Kind::Zope).all(|c| c.user == "plone"));
        let passwords = [
            t.settings.zope_admin_password.clone(),
            crate::render::secrets(&t).join(" "),
        ];
        assert!(!passwords[1].contains(exercise_password()), "{passwords:?}");
        let validation = validate(&t);
        let errors: Vec<_> = validation.errors().collect();
        assert!(errors.is_empty(), "{errors:#?}");
        // Too few bytes: no design rather than a weak password.
        assert_eq!(new_design(&random[..NEW_DESIGN_RANDOM / 2]), None);
        // Other bytes, other passwords.
        let other: Vec<u8> = random.iter().map(|b| b.wrapping_add(1)).collect();
        assert_ne!(new_design(&other).unwrap(), t);
    }
}
