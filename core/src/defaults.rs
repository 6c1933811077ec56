//! The exercise's design (`deployment.cfg` of exercise 9), value for value, and the
//! defaults new components start from.

use crate::model::*;

/// The grid the canvas snaps to, in pixels.
pub const GRID: i32 = 20;

const PUBLIC: &str = "localhost";
const LOOPBACK: &str = "127.0.0.1";
const EXERCISE_PASSWORD: &str = "secret";

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

/// Vertical distance between stacked instances on the canvas.
const ROW: i32 = 100;
/// Horizontal distance between tiers on the canvas.
const COLUMN: i32 = 240;

pub(crate) fn exercise() -> Topology {
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
                name: "zodb".into(),
                user: "zope".into(),
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
                user: "admin".into(),
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
            platform: Platform::Debian12,
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
    }
}
