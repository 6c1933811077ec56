//! The plan: the typed, resolved view of a design that passed validation.
//!
//! Who listens where, who connects to which address, which host runs what: every value a
//! template reads, parsed once. [`crate::validate::validate`] resolves it for a design
//! without errors, and [`mod@crate::render`] writes the files from it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::field;
use crate::model::*;
use crate::network::{connect_address, source_address};
use crate::syntax::{self, AddressKind};

/// An address and port to connect to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub address: String,
    pub port: u16,
}

/// Where a daemon listens: `address:port`, written for each daemon's syntax.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bind {
    pub address: String,
    pub port: u16,
    /// `address:port` with IPv6 addresses in brackets.
    pub socket: String,
    /// Whether the address is a wildcard (every interface).
    pub wildcard: bool,
}

impl Bind {
    /// A listener on `address:port`. A daemon given a name binds what the name resolves to
    /// on the machine it starts on, which may not be what its clients dial: Debian's stock
    /// `/etc/hosts` maps `localhost` to `::1` as well, and HAProxy binds only the first
    /// address, so `localhost` is written as the `127.0.0.1` every connector dials
    /// ([`connect_address`] does the same on the other side).
    fn new(address: &str, port: u16) -> Bind {
        let address = if address.eq_ignore_ascii_case("localhost") {
            "127.0.0.1"
        } else {
            address
        };
        let socket = if address.contains(':') {
            format!("[{address}]:{port}")
        } else {
            format!("{address}:{port}")
        };
        Bind {
            address: address.to_string(),
            port,
            socket,
            wildcard: syntax::address_kind(address) == Some(AddressKind::Wildcard),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SitePlan {
    pub name: String,
    pub site_id: String,
    pub zope_admin_user: String,
    pub zope_admin_password: String,
    pub fallback_url: String,
    pub open_files: u64,
    pub session_timeout: u64,
    pub shared_blobs: bool,
    /// Without shared blobs, the size of each instance's blob cache, in MiB.
    pub blob_cache_mb: u64,
    pub install_dir: String,
    /// Where `bin/backup` writes its dated folders: `/var/backups/stackwright-<name>`.
    pub backup_dir: String,
    /// How many of the newest backups `bin/backup` keeps.
    pub backup_keep: u64,
    pub platform: &'static str,
    /// The platform in words: `Debian 13 (trixie)`.
    pub platform_name: &'static str,
    /// The platform's code name: `trixie`.
    pub codename: &'static str,
    /// The version of the platform's `python3`.
    pub python: &'static str,
    /// The admin networks as nginx and nftables write them: an IP, or a network with its
    /// host bits cleared.
    pub admin_networks: Vec<String>,
    pub versions: Vec<(&'static str, &'static str)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NginxPlan {
    pub id: String,
    pub user: String,
    /// nginx drops privileges itself when it must start as root for a low port.
    pub privileged: bool,
    pub http: Bind,
    pub https: Bind,
    pub public_host: String,
    /// The public host as a URL writes it with the https port: `host`, `host:8443`,
    /// `[2001:db8::1]:8443`.
    pub public_https: String,
    /// The address a client on nginx's own machine reaches it at, as curl's `--resolve`
    /// writes it: `127.0.0.1` for a wildcard or loopback bind, else the bind address (IPv6
    /// in brackets).
    pub local: String,
    /// Whether the public host is a name, which browsers send in TLS's SNI: then a
    /// catch-all server refuses every other name, and the TLS handshake of any other.
    pub public_is_name: bool,
    /// Whether the https server sends HSTS: for a public name that is not `localhost`
    /// (a browser keeps HSTS for a host, every port, so a developer's `localhost` is
    /// spared).
    pub hsts: bool,
    pub certificate: String,
    pub certificate_key: String,
    pub status_path: String,
    /// Connections per nginx worker, and the files each worker may open (two per
    /// proxied connection).
    pub worker_connections: u64,
    /// nginx's `client_max_body_size`: the largest upload, in MiB.
    pub upload_limit_mb: u64,
    /// Whether HTTP/2 is its own directive (`http2 on;`, nginx 1.25.1 and later: Debian 13)
    /// rather than a `listen` flag, which those versions still take but warn about.
    pub http2_directive: bool,
    pub upstream: Endpoint,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VarnishPlan {
    pub id: String,
    pub user: String,
    pub privileged: bool,
    pub listen: Bind,
    /// The listener purges arrive on (named `purge` in VCL): loopback when every
    /// instance runs on Varnish's host, else that host's address.
    pub purge: Bind,
    /// The URL the instances send purges to (plone.cachepurging's caching proxy).
    pub purge_url: String,
    pub storage: String,
    pub tuning: Vec<(String, String)>,
    pub backend: Endpoint,
    /// ACL entries in VCL syntax: `"10.0.0.1"`, `"10.0.0.0"/8` or `("name")`.
    pub purge_acl: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HaproxyPlan {
    pub id: String,
    pub user: String,
    pub privileged: bool,
    pub listen: Bind,
    pub stats: Bind,
    pub stats_user: String,
    pub stats_password: String,
    pub balance: &'static str,
    /// Connections HAProxy takes at once: the design's open files, at least
    /// [`WORKER_CONNECTIONS`].
    pub maxconn: u64,
    pub check_interval_ms: u64,
    pub fall: u64,
    pub rise: u64,
    pub servers: Vec<ServerPlan>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerPlan {
    pub id: String,
    pub address: String,
    pub port: u16,
    /// The smaller of HAProxy's maxconn per server and the instance's threads.
    pub maxconn: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstancePlan {
    pub id: String,
    pub name: String,
    pub host: String,
    pub user: String,
    pub listen: Bind,
    pub threads: u64,
    pub zodb_cache_size: u64,
    pub debug_mode: bool,
    pub verbose_security: bool,
    pub database: Endpoint,
    pub memcached: Option<Endpoint>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DatabasePlan {
    pub flavor: &'static str,
    pub address: String,
    pub port: u16,
    /// Where the server listens (its `bind-address` and `port`).
    pub listen: Bind,
    pub name: String,
    pub user: String,
    pub password: String,
    /// The host patterns the database user is created for (where the instances connect from).
    pub client_hosts: Vec<String>,
    /// The id of the machine the database server runs on.
    pub host: String,
    /// That machine's address (the Ansible inventory connects to it).
    pub host_address: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemcachedPlan {
    pub id: String,
    pub user: String,
    pub listen: Bind,
    pub memory_mb: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SupervisorPlan {
    /// The open files supervisord and its programs may have (systemd's `LimitNOFILE`,
    /// supervisord's `minfds`): two per connection HAProxy and an nginx worker take,
    /// and room for the rest.
    pub open_files: u64,
    pub listen: Bind,
    /// Where supervisorctl connects to.
    pub url: String,
    pub user: String,
    pub password: String,
    /// The memory above which the watchdog (superlance's memmon) restarts an instance, in MB.
    pub memory_limit_mb: u64,
    /// How long an instance may take to answer the watchdog's request (superlance's
    /// httpok) before it is restarted, in seconds.
    pub health_timeout: u64,
    /// Each program's `priority` by kind id (`memcached`, `zope`, `haproxy`, `varnish`,
    /// `nginx`): each starts after what it sends requests to.
    pub priorities: BTreeMap<&'static str, u32>,
}

/// One row of the listener table in README.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ListenerRow {
    pub service: String,
    pub host: String,
    pub address: String,
    pub port: u16,
    pub url: String,
}

/// The resolved design: what every template reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub site: SitePlan,
    pub nginx: Option<NginxPlan>,
    pub varnish: Option<VarnishPlan>,
    pub haproxy: Option<HaproxyPlan>,
    pub instances: Vec<InstancePlan>,
    pub database: DatabasePlan,
    pub memcached: Option<MemcachedPlan>,
    pub supervisor: SupervisorPlan,
    pub hosts: Vec<HostPlan>,
    pub listeners: Vec<ListenerRow>,
    pub multi_host: bool,
    /// The Plone release requirements.txt pins.
    pub plone_version: &'static str,
    /// The names of the templates the design replaces with its own, in order.
    pub templates: Vec<String>,
}

/// One machine's share of the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostPlan {
    pub id: String,
    pub address: String,
    /// The folder of this host inside the bundle (`` or `hosts/<id>/`).
    pub folder: String,
    pub nginx: bool,
    pub varnish: bool,
    pub haproxy: bool,
    pub memcached: bool,
    /// The ids of the instances that run here.
    pub instances: Vec<String>,
    /// Whether the Plone site is created from this host (the first with instances).
    pub creates_site: bool,
    /// Whether the database server runs here (the user's own, not started by supervisor):
    /// this host's folder carries `sql/` and its README the database step.
    pub database: bool,
    /// Whether supervisor runs programs here; a host with only the database runs none.
    pub supervised: bool,
    /// This host's place, from 1, in the order the hosts are set up.
    pub step: usize,
    /// What its firewall accepts besides loopback, SSH and answers: one rule per listener
    /// the design opens beyond loopback, to whom sends to it from another host.
    pub firewall: Vec<FirewallRule>,
}

/// TCP ports a host's firewall accepts, and from where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FirewallRule {
    /// What listens there, in words: `nginx (https)`, `instance1`.
    pub service: String,
    pub port: u16,
    /// From anyone (nginx's public ports).
    pub public: bool,
    /// From these addresses or networks (IPv4 and IPv6).
    pub from: Vec<String>,
}

/// The firewall rules of host `host`: for each listener of its components that is not on
/// loopback alone, who reaches it from another host (the public for nginx, the admin
/// networks for HAProxy's statistics and supervisor's panel).
fn firewall(
    t: &Topology,
    host: &Host,
    purge: Option<&Bind>,
    admin: &[String],
) -> Vec<FirewallRule> {
    let mut rules = Vec::new();
    for c in t.components.iter().filter(|c| c.host == host.id) {
        for l in c.listeners() {
            let Some(port) = port(l.port) else { continue };
            let address = match (l.role, purge) {
                ("purge", Some(bind)) => bind.address.as_str(),
                _ => l.address,
            };
            if syntax::address_kind(address) == Some(AddressKind::Loopback) {
                continue;
            }
            let public = c.kind() == Kind::Nginx;
            let mut from: Vec<String> = match (c.kind(), l.role) {
                (Kind::Nginx, _) => Vec::new(),
                (Kind::Haproxy, "stats") | (Kind::Supervisor, _) => admin.to_vec(),
                (Kind::Varnish, "purge") => t
                    .of_kind(Kind::Zope)
                    .filter(|i| i.host != host.id)
                    .map(|i| source_address(t, i, c))
                    .collect(),
                _ => t
                    .connections
                    .iter()
                    .filter(|x| x.to == c.id)
                    .filter_map(|x| t.component(&x.from))
                    .filter(|from| from.host != host.id)
                    .map(|from| source_address(t, from, c))
                    .collect(),
            };
            from.sort();
            from.dedup();
            if !public && from.is_empty() {
                continue;
            }
            rules.push(FirewallRule {
                service: match l.role {
                    "http" => c.name.clone(),
                    role => format!("{} ({role})", c.name),
                },
                port,
                public,
                from,
            });
        }
    }
    rules
}

fn port(text: &str) -> Option<u16> {
    syntax::parse_port(text).ok().map(|p| p.get())
}

/// A number field's value within its field's range: the range the validator checked
/// (`field.rs`), so the plan never holds a value the diagnostics would have refused.
fn number(text: &str, range: field::Range) -> Option<u64> {
    range.parse(text)
}

fn endpoint(t: &Topology, from: &Component, to: &Component) -> Option<Endpoint> {
    Some(Endpoint {
        address: connect_address(t, from, to),
        port: port(to.main_port())?,
    })
}

/// Connections an nginx worker and HAProxy take at least: a browser keeps about six
/// open, and each proxied one holds a second; the exercise's 100 open files would serve
/// about fifty browsers.
pub const WORKER_CONNECTIONS: u64 = 4096;

/// Each instance's blob cache without shared blobs, in MiB (RelStorage's default has
/// no limit: the cache grows until the disk is full).
pub const BLOB_CACHE_MB: u64 = 1024;

/// The memory above which an instance is restarted, in MB: a Plone instance with two
/// threads and the default ZODB cache lives in a few hundred; one that grows past this
/// leaks.
pub const INSTANCE_MEMORY_LIMIT_MB: u64 = 2048;

/// How long an instance may take to answer the watchdog's request, in seconds: longer than
/// HAProxy's check timeout (10 s), so an instance that is busy, not hung, is left alone.
/// httpok also tries a refused connection again every 10 s within it, so an instance that
/// is still loading (RUNNING after 10 s, listening once its Zope has loaded: 6 to 14 s
/// measured, four at once on two cores) is given 50 s in all.
pub const HEALTH_TIMEOUT: u64 = 45;

/// The backups `bin/backup` keeps: a week of daily ones.
pub const BACKUP_KEEP: u64 = 7;

/// `host` or `host:port` as a URL writes it (IPv6 in brackets), the port left out when
/// it is the scheme's own.
fn authority(host: &str, port: u16, default: u16) -> String {
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    if port == default {
        host
    } else {
        format!("{host}:{port}")
    }
}

/// Whether any of `ports` needs root to bind.
fn privileged(ports: &[u16]) -> bool {
    ports.iter().any(|&p| p < 1024)
}

/// The Plone release pinned in `templates/python-packages.txt`, the frozen set of
/// Python packages that was installed and run together.
fn plone_version() -> &'static str {
    include_str!("../templates/python-packages.txt")
        .lines()
        .find_map(|line| line.strip_prefix("Plone=="))
        .unwrap_or("6")
}

/// `Some(f(c))` for a component that is there, `Some(None)` for one that is not, and
/// `None` when `f` cannot resolve the component that is there.
fn optional<T>(
    c: Option<&Component>,
    f: impl FnOnce(&Component) -> Option<T>,
) -> Option<Option<T>> {
    match c {
        None => Some(None),
        Some(c) => f(c).map(Some),
    }
}

impl Plan {
    /// Resolves a design. `None` when a value does not parse or a part the chain needs is
    /// missing, which validation reports as an error first: [`crate::validate::validate`]
    /// resolves the plan of every design without errors.
    pub fn resolve(t: &Topology) -> Option<Plan> {
        let s = &t.settings;
        let site = SitePlan {
            name: s.name.clone(),
            site_id: s.site_id.clone(),
            zope_admin_user: s.zope_admin_user.clone(),
            zope_admin_password: s.zope_admin_password.clone(),
            fallback_url: s.fallback_url.clone(),
            open_files: number(&s.open_files, field::OPEN_FILES)?,
            session_timeout: number(&s.session_timeout, field::SESSION_TIMEOUT)?,
            shared_blobs: s.shared_blobs,
            blob_cache_mb: BLOB_CACHE_MB,
            install_dir: s.install_dir.trim_end_matches('/').to_string(),
            backup_dir: format!("/var/backups/stackwright-{}", s.name),
            backup_keep: BACKUP_KEEP,
            platform: s.platform.id(),
            platform_name: s.platform.name(),
            codename: s.platform.codename(),
            python: s.platform.python(),
            admin_networks: s
                .admin_networks
                .iter()
                .map(|e| match syntax::parse_acl_entry(e)? {
                    syntax::AclEntry::Ip(ip) => Some(ip.to_string()),
                    syntax::AclEntry::Cidr(ip, bits) => {
                        Some(format!("{}/{bits}", syntax::network_of(ip, bits)))
                    }
                    syntax::AclEntry::Name(_) => None,
                })
                .collect::<Option<_>>()?,
            versions: s.platform.versions().to_vec(),
        };

        let next = |c: &Component| {
            t.connections
                .iter()
                .find(|x| x.from == c.id)
                .and_then(|x| t.component(&x.to))
        };
        let nginx = optional(t.first(Kind::Nginx), |c| {
            let ComponentKind::Nginx(n) = &c.kind else {
                return None;
            };
            let (http, https) = (port(&n.http_port)?, port(&n.https_port)?);
            Some(NginxPlan {
                id: c.id.clone(),
                user: c.user.clone(),
                privileged: privileged(&[http, https]),
                http: Bind::new(&c.address, http),
                https: Bind::new(&c.address, https),
                public_host: n.public_host.clone(),
                public_https: authority(&n.public_host, https, 443),
                local: match syntax::address_kind(&c.address) {
                    Some(AddressKind::Wildcard | AddressKind::Loopback) => "127.0.0.1".into(),
                    _ => authority(&c.address, 0, 0),
                },
                public_is_name: matches!(
                    syntax::address_kind(&n.public_host),
                    Some(AddressKind::Name | AddressKind::Loopback)
                ) && !syntax::is_ip(&n.public_host),
                hsts: n.hsts && syntax::address_kind(&n.public_host) == Some(AddressKind::Name),
                certificate: n.certificate.clone(),
                certificate_key: n.certificate_key.clone(),
                status_path: n.status_path.clone(),
                worker_connections: site.open_files.max(WORKER_CONNECTIONS),
                upload_limit_mb: number(&n.upload_limit_mb, field::UPLOAD_LIMIT_MB)?,
                http2_directive: t.settings.platform != Platform::Debian12,
                upstream: endpoint(t, c, next(c)?)?,
            })
        })?;
        let varnish = optional(t.first(Kind::Varnish), |c| {
            let ComponentKind::Varnish(v) = &c.kind else {
                return None;
            };
            let listen = port(&v.port)?;
            let purge_address = if t.of_kind(Kind::Zope).all(|i| i.host == c.host) {
                "127.0.0.1".to_string()
            } else {
                t.host(&c.host)?.address.clone()
            };
            let purge = Bind::new(&purge_address, port(&v.purge_port)?);
            Some(VarnishPlan {
                purge_url: format!("http://{}", purge.socket),
                purge,
                id: c.id.clone(),
                user: c.user.clone(),
                privileged: privileged(&[listen, port(&v.purge_port)?]),
                listen: Bind::new(&c.address, listen),
                storage: v.storage.clone(),
                tuning: syntax::parse_varnish_tuning(&v.tuning)?,
                backend: endpoint(t, c, next(c)?)?,
                purge_acl: v
                    .purge_acl
                    .iter()
                    .map(|e| syntax::parse_acl_entry(e).map(vcl_acl_entry))
                    .collect::<Option<_>>()?,
            })
        })?;
        let haproxy = optional(t.first(Kind::Haproxy), |c| {
            let ComponentKind::Haproxy(h) = &c.kind else {
                return None;
            };
            let maxconn = number(&h.maxconn_per_server, field::MAXCONN_PER_SERVER)?;
            let servers = t
                .targets_of(&c.id)
                .filter_map(|i| match &i.kind {
                    ComponentKind::Zope(z) => Some((i, z)),
                    _ => None,
                })
                .map(|(i, z)| {
                    Some(ServerPlan {
                        id: i.id.clone(),
                        address: connect_address(t, c, i),
                        port: port(&z.port)?,
                        maxconn: maxconn
                            .min(number(&t.effective_instance(z).threads, field::THREADS)?),
                    })
                })
                .collect::<Option<_>>()?;
            let (listen, stats) = (port(&h.port)?, port(&h.stats_port)?);
            Some(HaproxyPlan {
                id: c.id.clone(),
                user: c.user.clone(),
                privileged: privileged(&[listen, stats]),
                listen: Bind::new(&c.address, listen),
                stats: Bind::new(&c.address, stats),
                stats_user: h.stats_user.clone(),
                stats_password: h.stats_password.clone(),
                balance: h.balance.id(),
                maxconn: number(&s.open_files, field::OPEN_FILES)?.max(WORKER_CONNECTIONS),
                check_interval_ms: number(&h.check_interval_ms, field::CHECK_INTERVAL_MS)?,
                fall: number(&h.fall, field::CHECKS)?,
                rise: number(&h.rise, field::CHECKS)?,
                servers,
            })
        })?;
        let db_component = t.first(Kind::Database)?;
        let ComponentKind::Database(db) = &db_component.kind else {
            return None;
        };
        let instances: Vec<InstancePlan> = t
            .of_kind(Kind::Zope)
            .map(|c| {
                let ComponentKind::Zope(z) = &c.kind else {
                    return None;
                };
                let eff = t.effective_instance(z);
                let database = t.targets_of(&c.id).find(|x| x.kind() == Kind::Database)?;
                let memcached = t.targets_of(&c.id).find(|x| x.kind() == Kind::Memcached);
                Some(InstancePlan {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    host: c.host.clone(),
                    user: c.user.clone(),
                    listen: Bind::new(&c.address, port(&z.port)?),
                    threads: number(&eff.threads, field::THREADS)?,
                    zodb_cache_size: number(&eff.zodb_cache_size, field::ZODB_CACHE_SIZE)?,
                    debug_mode: eff.debug_mode,
                    verbose_security: eff.verbose_security,
                    database: endpoint(t, c, database)?,
                    memcached: optional(memcached, |m| endpoint(t, c, m))?,
                })
            })
            .collect::<Option<_>>()?;
        let mut client_hosts: Vec<String> = Vec::new();
        for c in t.of_kind(Kind::Zope) {
            let from = source_address(t, c, db_component);
            let patterns: Vec<String> = if from == "127.0.0.1" {
                vec!["localhost".into(), "127.0.0.1".into()]
            } else {
                vec![from]
            };
            for p in patterns {
                if !client_hosts.contains(&p) {
                    client_hosts.push(p);
                }
            }
        }
        let database = DatabasePlan {
            flavor: db.flavor.id(),
            address: db_component.address.clone(),
            port: port(&db.port)?,
            listen: Bind::new(&db_component.address, port(&db.port)?),
            name: db.db_name.clone(),
            user: db.db_user.clone(),
            password: db.password.clone(),
            client_hosts,
            host: db_component.host.clone(),
            host_address: t.host(&db_component.host)?.address.clone(),
        };
        let memcached = optional(t.first(Kind::Memcached), |c| match &c.kind {
            ComponentKind::Memcached(m) => Some(MemcachedPlan {
                id: c.id.clone(),
                user: c.user.clone(),
                listen: Bind::new(&c.address, port(&m.port)?),
                memory_mb: number(&m.memory_mb, field::MEMORY_MB)?,
            }),
            _ => None,
        })?;
        let sup_component = t.first(Kind::Supervisor)?;
        let ComponentKind::Supervisor(sup) = &sup_component.kind else {
            return None;
        };
        let sup_listen = Bind::new(&sup_component.address, port(&sup.port)?);
        let sup_connect = if sup_listen.wildcard {
            Bind::new("127.0.0.1", sup_listen.port).socket
        } else {
            sup_listen.socket.clone()
        };
        let supervisor = SupervisorPlan {
            open_files: 2 * site.open_files.max(WORKER_CONNECTIONS) + 8192,
            url: format!("http://{sup_connect}"),
            listen: sup_listen,
            user: sup.admin_user.clone(),
            password: sup.password.clone(),
            memory_limit_mb: INSTANCE_MEMORY_LIMIT_MB,
            health_timeout: HEALTH_TIMEOUT,
            priorities: Kind::ALL
                .into_iter()
                .filter_map(|k| Some((k.id(), k.start_priority()?)))
                .collect(),
        };

        // Hosts that run something supervisor starts, and on several hosts the database's
        // host too (the database is the user's own server).
        let mut hosts: Vec<HostPlan> = Vec::new();
        for h in &t.hosts {
            let here = |kind: Kind| t.of_kind(kind).any(|c| c.host == h.id);
            let instance_ids: Vec<String> = t
                .of_kind(Kind::Zope)
                .filter(|c| c.host == h.id)
                .map(|c| c.id.clone())
                .collect();
            let plan = HostPlan {
                id: h.id.clone(),
                address: h.address.clone(),
                folder: String::new(),
                nginx: here(Kind::Nginx),
                varnish: here(Kind::Varnish),
                haproxy: here(Kind::Haproxy),
                memcached: here(Kind::Memcached),
                creates_site: false,
                database: db_component.host == h.id,
                supervised: false,
                step: 0,
                instances: instance_ids,
                firewall: firewall(
                    t,
                    h,
                    varnish.as_ref().map(|v| &v.purge),
                    &site.admin_networks,
                ),
            };
            let supervised = plan.nginx
                || plan.varnish
                || plan.haproxy
                || plan.memcached
                || !plan.instances.is_empty();
            if supervised || plan.database {
                hosts.push(HostPlan { supervised, ..plan });
            }
        }
        let multi_host = hosts.iter().filter(|h| h.supervised).count() > 1;
        if multi_host {
            // The order the hosts are set up in: the database first, then the instances
            // (the first creates the site), then the rest, each group by the first program
            // it starts in supervisor's order; the web host's README ends with the failover
            // drill, which needs every instance running. The sort is stable: ties keep the
            // design's order.
            hosts.sort_by_key(|h| {
                let first_program = [
                    (h.memcached, Kind::Memcached),
                    (!h.instances.is_empty(), Kind::Zope),
                    (h.haproxy, Kind::Haproxy),
                    (h.varnish, Kind::Varnish),
                    (h.nginx, Kind::Nginx),
                ]
                .into_iter()
                .filter_map(|(runs, kind)| runs.then(|| kind.start_priority()).flatten())
                .min()
                .unwrap_or(u32::MAX);
                (!h.database, h.instances.is_empty(), first_program)
            });
        } else {
            // On one host the bundle's root is that host's folder, database step included.
            hosts.retain(|h| h.supervised);
        }
        for (i, h) in hosts.iter_mut().enumerate() {
            h.step = i + 1;
            h.folder = if multi_host {
                format!("hosts/{}/", h.id)
            } else {
                String::new()
            };
        }
        if let Some(h) = hosts.iter_mut().find(|h| !h.instances.is_empty()) {
            h.creates_site = true;
        }

        let listeners = listener_rows(t, varnish.as_ref().map(|v| &v.purge));
        Some(Plan {
            site,
            nginx,
            varnish,
            haproxy,
            instances,
            database,
            memcached,
            supervisor,
            hosts,
            listeners,
            multi_host,
            plone_version: plone_version(),
            templates: t.templates.keys().cloned().collect(),
        })
    }
}

fn vcl_acl_entry(entry: syntax::AclEntry) -> String {
    match entry {
        syntax::AclEntry::Ip(ip) => format!("\"{ip}\""),
        syntax::AclEntry::Cidr(ip, bits) => format!("\"{ip}\"/{bits}"),
        // A bare name that does not resolve would match every address; in parentheses
        // an unresolvable name is skipped instead.
        syntax::AclEntry::Name(name) => format!("(\"{name}\")"),
    }
}

fn listener_rows(t: &Topology, purge: Option<&Bind>) -> Vec<ListenerRow> {
    let mut rows = Vec::new();
    for c in &t.components {
        for l in c.listeners() {
            let Ok(p) = syntax::parse_port(l.port) else {
                continue;
            };
            // Varnish's purge listener is where the instances reach it, not its address.
            let address = match (l.role, purge) {
                ("purge", Some(bind)) => bind.address.as_str(),
                _ => l.address,
            };
            let shown = match syntax::address_kind(address) {
                Some(AddressKind::Wildcard) => "localhost".to_string(),
                _ => address.to_string(),
            };
            let url = match (c.kind(), l.role) {
                (Kind::Nginx, "https") => format!("https://{shown}:{}/", p.get()),
                (Kind::Database, _) | (Kind::Memcached, _) => String::new(),
                _ => format!("http://{shown}:{}/", p.get()),
            };
            rows.push(ListenerRow {
                service: if l.role == "http" {
                    c.name.clone()
                } else {
                    format!("{} ({})", c.name, l.role)
                },
                host: c.host.clone(),
                address: address.to_string(),
                port: p.get(),
                url,
            });
        }
    }
    rows
}
