//! The topology model: the chain of components and every setting of the exercise's
//! `deployment.cfg`.
//!
//! This is the design as the user typed it. Numbers are kept as the text that was typed
//! (`"80x"` stays `"80x"` so the form can show it and the validator can say why it is
//! wrong); [`crate::plan::Plan`] derives the checked, typed view the renderer works from.

use std::collections::BTreeMap;
use std::fmt;

/// A whole design: global settings, the machines, the components and how they connect.
#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
    pub settings: Settings,
    pub hosts: Vec<Host>,
    pub components: Vec<Component>,
    pub connections: Vec<Connection>,
    /// The user's own templates, by the name of the built-in template each replaces
    /// (`nginx.conf.j2`); empty when the design uses the built-in ones.
    pub templates: BTreeMap<String, String>,
}

/// A machine of the deployment. Components name the host they run on by its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Host {
    /// Short name used in the bundle (`hosts/<id>/`), e.g. `localhost` or `app1`.
    pub id: String,
    /// The address other machines reach this one at.
    pub address: String,
}

/// The settings that are not tied to one component.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Name of the bundle's top folder and zip, e.g. `plone-deployment`.
    pub name: String,
    /// The Plone site id used in virtual hosting (`[sites] main`).
    pub site_id: String,
    pub zope_admin_user: String,
    pub zope_admin_password: String,
    /// The path nginx serves the panic page from (`[urls] fallback`).
    pub fallback_url: String,
    /// `[limits] open-files`: sizes nginx's worker_connections and HAProxy's maxconn.
    pub open_files: String,
    /// `[limits] session-timeout`, in seconds.
    pub session_timeout: String,
    /// Whether the instances share one blob directory (`shared-blob = on`).
    pub shared_blobs: bool,
    /// Where the bundle is meant to be unpacked; the configs themselves are relocatable.
    pub install_dir: String,
    pub platform: Platform,
    /// Networks (addresses or CIDRs) that may reach the ZMI through nginx and the
    /// HAProxy and supervisor panels; empty: loopback only (an SSH tunnel).
    pub admin_networks: Vec<String>,
    /// The Zope instance template every instance starts from.
    pub instance: InstanceTemplate,
}

/// The settings every Zope instance shares unless it overrides them.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceTemplate {
    pub threads: String,
    pub zodb_cache_size: String,
    pub debug_mode: bool,
    pub verbose_security: bool,
}

/// The operating system release the bundle targets, which fixes the daemon versions, the
/// package names and the Python the instances run on.
///
/// The default is Debian 13: in December 2026 it is Debian's stable release, with full
/// security support until August 2028 (and LTS after), while Debian 12 has been in LTS, a
/// smaller volunteer-run set of fixes, since June 2026.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Platform {
    Debian12,
    #[default]
    Debian13,
}

impl Platform {
    pub const ALL: [Platform; 2] = [Platform::Debian12, Platform::Debian13];

    pub const fn id(self) -> &'static str {
        match self {
            Platform::Debian12 => "debian-12",
            Platform::Debian13 => "debian-13",
        }
    }

    pub fn from_id(id: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.id() == id)
    }

    /// What the README calls it: `Debian 13 (trixie)`.
    pub const fn name(self) -> &'static str {
        match self {
            Platform::Debian12 => "Debian 12 (bookworm)",
            Platform::Debian13 => "Debian 13 (trixie)",
        }
    }

    /// The release's code name, as apt and debootstrap spell it.
    pub fn codename(self) -> &'static str {
        match self {
            Platform::Debian12 => "bookworm",
            Platform::Debian13 => "trixie",
        }
    }

    /// The version of the release's `python3`, which builds the instances' environment.
    pub fn python(self) -> &'static str {
        match self {
            Platform::Debian12 => "3.11",
            Platform::Debian13 => "3.13",
        }
    }

    /// The versions of the daemons this platform installs, for README and checks.
    pub fn versions(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Platform::Debian12 => &[
                ("nginx", "1.22"),
                ("Varnish", "7.1"),
                ("HAProxy", "2.6"),
                ("supervisor", "4.2"),
                ("memcached", "1.6"),
                ("MariaDB", "10.11"),
                ("Python", "3.11"),
                ("Plone", "6.2"),
            ],
            Platform::Debian13 => &[
                ("nginx", "1.26"),
                ("Varnish", "7.7"),
                ("HAProxy", "3.0"),
                ("supervisor", "4.2"),
                ("memcached", "1.6"),
                ("MariaDB", "11.8"),
                ("Python", "3.13"),
                ("Plone", "6.2"),
            ],
        }
    }
}

/// One box of the chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    /// Stable identifier, used in file names and supervisor program names.
    pub id: String,
    /// What the user calls it.
    pub name: String,
    /// The id of the [`Host`] it runs on.
    pub host: String,
    /// The address it binds to (or, for the database, where it is reached).
    pub address: String,
    /// The system user it runs as.
    pub user: String,
    /// Where the node sits on the canvas.
    pub position: Position,
    pub kind: ComponentKind,
}

/// A point on the canvas, in grid units of pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    pub x: i32,
    pub y: i32,
}

impl Position {
    /// How far from the origin a coordinate may be, either way: a thousand screens of
    /// canvas, and far enough from `i32`'s ends that the layout's arithmetic (a box's
    /// size, a margin, a bend) never overflows. The reader refuses more; an edit clamps.
    pub const MAX: i32 = 1_000_000;

    /// The point, each coordinate clamped to `-MAX..=MAX`.
    pub fn clamped(x: i32, y: i32) -> Position {
        Position {
            x: x.clamp(-Self::MAX, Self::MAX),
            y: y.clamp(-Self::MAX, Self::MAX),
        }
    }

    /// The point moved by `(dx, dy)`, clamped.
    pub fn moved(self, (dx, dy): (i32, i32)) -> Position {
        Position::clamped(self.x.saturating_add(dx), self.y.saturating_add(dy))
    }
}

/// What a component is, with the settings only that kind has.
#[derive(Clone, Debug, PartialEq)]
pub enum ComponentKind {
    Nginx(Nginx),
    Varnish(Varnish),
    Haproxy(Haproxy),
    Zope(ZopeInstance),
    Database(Database),
    Memcached(Memcached),
    Supervisor(Supervisor),
}

/// The kind of a component without its settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Nginx,
    Varnish,
    Haproxy,
    Zope,
    Database,
    Memcached,
    Supervisor,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Nginx,
        Kind::Varnish,
        Kind::Haproxy,
        Kind::Zope,
        Kind::Database,
        Kind::Memcached,
        Kind::Supervisor,
    ];

    /// The name used in the saved format and in messages.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::Varnish => "varnish",
            Kind::Haproxy => "haproxy",
            Kind::Zope => "zope",
            Kind::Database => "database",
            Kind::Memcached => "memcached",
            Kind::Supervisor => "supervisor",
        }
    }

    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// A human label, e.g. "Zope instance".
    pub fn label(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::Varnish => "Varnish",
            Kind::Haproxy => "HAProxy",
            Kind::Zope => "Zope instance",
            Kind::Database => "database",
            Kind::Memcached => "memcached",
            Kind::Supervisor => "supervisor",
        }
    }

    /// Supervisor's `priority` for this kind's programs: each starts after what it sends
    /// requests to and stops before it. `None` for what supervisor does not run.
    pub fn start_priority(self) -> Option<u32> {
        match self {
            Kind::Memcached => Some(0),
            Kind::Zope => Some(10),
            Kind::Haproxy => Some(20),
            Kind::Varnish => Some(30),
            Kind::Nginx => Some(40),
            Kind::Database | Kind::Supervisor => None,
        }
    }

    /// The kinds a component of this kind may send requests to.
    pub fn may_connect_to(self) -> &'static [Kind] {
        match self {
            Kind::Nginx => &[Kind::Varnish, Kind::Haproxy, Kind::Zope],
            Kind::Varnish => &[Kind::Haproxy, Kind::Zope],
            Kind::Haproxy => &[Kind::Zope],
            Kind::Zope => &[Kind::Database, Kind::Memcached],
            Kind::Database | Kind::Memcached | Kind::Supervisor => &[],
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl ComponentKind {
    pub fn kind(&self) -> Kind {
        match self {
            ComponentKind::Nginx(_) => Kind::Nginx,
            ComponentKind::Varnish(_) => Kind::Varnish,
            ComponentKind::Haproxy(_) => Kind::Haproxy,
            ComponentKind::Zope(_) => Kind::Zope,
            ComponentKind::Database(_) => Kind::Database,
            ComponentKind::Memcached(_) => Kind::Memcached,
            ComponentKind::Supervisor(_) => Kind::Supervisor,
        }
    }
}

/// The public web server: terminates TLS and serves the panic page.
#[derive(Clone, Debug, PartialEq)]
pub struct Nginx {
    pub http_port: String,
    pub https_port: String,
    /// The public host name used in virtual hosting (`[hosts] public`).
    pub public_host: String,
    /// Certificate and key, relative to the bundle's folder.
    pub certificate: String,
    pub certificate_key: String,
    /// Where `stub_status` answers (loopback only).
    pub status_path: String,
    /// The largest upload, in MiB (`client_max_body_size`).
    pub upload_limit_mb: String,
    /// Whether https answers with HSTS (for a public name other than `localhost`).
    pub hsts: bool,
}

/// The cache in front of the application servers.
#[derive(Clone, Debug, PartialEq)]
pub struct Varnish {
    pub port: String,
    /// `-s` storage, e.g. `malloc,128M`.
    pub storage: String,
    /// Extra `-p name=value` tuning parameters, space separated.
    pub tuning: String,
    /// Addresses allowed to PURGE: IPs, CIDRs or host names.
    pub purge_acl: Vec<String>,
    /// The listener purges arrive on, which the public never reaches.
    pub purge_port: String,
}

/// The load balancer in front of the Zope instances.
#[derive(Clone, Debug, PartialEq)]
pub struct Haproxy {
    pub port: String,
    pub stats_port: String,
    /// Optional credentials for the stats page; empty means no authentication.
    pub stats_user: String,
    pub stats_password: String,
    pub balance: Balance,
    /// Concurrent requests sent to one instance at most.
    pub maxconn_per_server: String,
    /// Health check interval in milliseconds.
    pub check_interval_ms: String,
    pub fall: String,
    pub rise: String,
}

/// HAProxy's load-balancing algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Balance {
    LeastConn,
    RoundRobin,
    Source,
}

impl Balance {
    pub const ALL: [Balance; 3] = [Balance::LeastConn, Balance::RoundRobin, Balance::Source];

    pub fn id(self) -> &'static str {
        match self {
            Balance::LeastConn => "leastconn",
            Balance::RoundRobin => "roundrobin",
            Balance::Source => "source",
        }
    }

    pub fn from_id(id: &str) -> Option<Balance> {
        Balance::ALL.into_iter().find(|b| b.id() == id)
    }
}

/// One Zope/Plone application server. `None` means "as the instance template says".
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ZopeInstance {
    pub port: String,
    pub threads: Option<String>,
    pub zodb_cache_size: Option<String>,
    pub debug_mode: Option<bool>,
    pub verbose_security: Option<bool>,
}

/// The relational database RelStorage keeps the ZODB in. It is the user's server:
/// the bundle creates the database and user but does not run the server.
#[derive(Clone, Debug, PartialEq)]
pub struct Database {
    pub flavor: DatabaseFlavor,
    pub port: String,
    /// The database's own name, not the component's.
    pub db_name: String,
    /// The database login the instances use, not the system user.
    pub db_user: String,
    pub password: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseFlavor {
    MariaDb,
    MySql,
}

impl DatabaseFlavor {
    pub const ALL: [DatabaseFlavor; 2] = [DatabaseFlavor::MariaDb, DatabaseFlavor::MySql];

    pub fn id(self) -> &'static str {
        match self {
            DatabaseFlavor::MariaDb => "mariadb",
            DatabaseFlavor::MySql => "mysql",
        }
    }

    pub fn from_id(id: &str) -> Option<DatabaseFlavor> {
        DatabaseFlavor::ALL.into_iter().find(|f| f.id() == id)
    }
}

/// The shared object cache RelStorage uses.
#[derive(Clone, Debug, PartialEq)]
pub struct Memcached {
    pub port: String,
    /// Memory in megabytes.
    pub memory_mb: String,
}

/// The process manager; its HTTP server is the control panel of step 10.
#[derive(Clone, Debug, PartialEq)]
pub struct Supervisor {
    pub port: String,
    /// The login of supervisor's control panel, not the system user.
    pub admin_user: String,
    pub password: String,
}

/// A directed edge: `from` sends requests to `to`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Connection {
    pub from: String,
    pub to: String,
}

/// A socket a component listens on.
#[derive(Clone, Debug, PartialEq)]
pub struct Listener<'a> {
    /// What the listener is for, e.g. `http`, `stats`.
    pub role: &'static str,
    /// The path of the port field, e.g. `http_port`.
    pub field: &'static str,
    pub address: &'a str,
    pub port: &'a str,
}

impl Component {
    pub fn kind(&self) -> Kind {
        self.kind.kind()
    }

    /// Every socket this component listens on, with the field that holds its port.
    pub fn listeners(&self) -> Vec<Listener<'_>> {
        let at = |role: &'static str, field: &'static str, port| Listener {
            role,
            field,
            address: &self.address,
            port,
        };
        match &self.kind {
            ComponentKind::Nginx(n) => vec![
                at("http", "http_port", n.http_port.as_str()),
                at("https", "https_port", n.https_port.as_str()),
            ],
            ComponentKind::Varnish(v) => vec![
                at("http", "port", v.port.as_str()),
                at("purge", "purge_port", v.purge_port.as_str()),
            ],
            ComponentKind::Haproxy(h) => vec![
                at("http", "port", h.port.as_str()),
                at("stats", "stats_port", h.stats_port.as_str()),
            ],
            ComponentKind::Zope(z) => vec![at("http", "port", z.port.as_str())],
            ComponentKind::Database(d) => vec![at("mysql", "port", d.port.as_str())],
            ComponentKind::Memcached(m) => vec![at("memcache", "port", m.port.as_str())],
            ComponentKind::Supervisor(s) => vec![at("http", "port", s.port.as_str())],
        }
    }

    /// The main port: the one other components connect to.
    pub fn main_port(&self) -> &str {
        match &self.kind {
            ComponentKind::Nginx(n) => &n.http_port,
            ComponentKind::Varnish(v) => &v.port,
            ComponentKind::Haproxy(h) => &h.port,
            ComponentKind::Zope(z) => &z.port,
            ComponentKind::Database(d) => &d.port,
            ComponentKind::Memcached(m) => &m.port,
            ComponentKind::Supervisor(s) => &s.port,
        }
    }
}

impl Topology {
    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    pub fn component_mut(&mut self, id: &str) -> Option<&mut Component> {
        self.components.iter_mut().find(|c| c.id == id)
    }

    pub fn host(&self, id: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.id == id)
    }

    /// Components of one kind, in design order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Component> {
        self.components.iter().filter(move |c| c.kind() == kind)
    }

    /// The first component of a kind, for the kinds a design has at most one of.
    pub fn first(&self, kind: Kind) -> Option<&Component> {
        self.of_kind(kind).next()
    }

    /// The components `id` sends requests to.
    pub fn targets_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Component> {
        self.connections
            .iter()
            .filter(move |c| c.from == id)
            .filter_map(|c| self.component(&c.to))
    }

    /// Components grouped by the host they run on, hosts in the order their first
    /// component appears.
    pub fn by_host(&self) -> Vec<(&str, Vec<&Component>)> {
        let mut groups: Vec<(&str, Vec<&Component>)> = Vec::new();
        for c in &self.components {
            match groups.iter_mut().find(|(host, _)| *host == c.host) {
                Some((_, components)) => components.push(c),
                None => groups.push((&c.host, vec![c])),
            }
        }
        groups
    }

    /// Whether the design runs on more than one machine.
    pub fn is_multi_host(&self) -> bool {
        let mut hosts = self
            .components
            .iter()
            .filter(|c| c.kind() != Kind::Database)
            .map(|c| c.host.as_str());
        match hosts.next() {
            Some(first) => hosts.any(|h| h != first),
            None => false,
        }
    }

    /// The Zope settings of an instance after its overrides are applied.
    pub fn effective_instance(&self, zope: &ZopeInstance) -> InstanceTemplate {
        let t = &self.settings.instance;
        InstanceTemplate {
            threads: zope.threads.clone().unwrap_or_else(|| t.threads.clone()),
            zodb_cache_size: zope
                .zodb_cache_size
                .clone()
                .unwrap_or_else(|| t.zodb_cache_size.clone()),
            debug_mode: zope.debug_mode.unwrap_or(t.debug_mode),
            verbose_security: zope.verbose_security.unwrap_or(t.verbose_security),
        }
    }
}
