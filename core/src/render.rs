//! Rendering: a validated design becomes an ordered map from path to file contents.
//!
//! The design is first turned into a plan: the typed, resolved view of one host's share
//! of the chain (who listens where, who connects to which address), built only from a
//! design that passed validation. Templates in `core/templates/` then write each file from
//! the plan, one template per file, in one minijinja environment built once.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::escape;
use crate::model::*;
use crate::syntax::{self, AddressKind};
use crate::validate::{self, Diagnostic, Severity, connect_address};

/// A generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub contents: String,
    /// Scripts are written with mode 0755, everything else 0644.
    pub executable: bool,
    /// The template it is rendered from; `None` for files written without one (the
    /// saved design, the drawing, the share link, the buildout file).
    pub template: Option<&'static str>,
}

impl File {
    /// A file written without a template.
    fn plain(contents: String) -> File {
        File {
            contents,
            executable: false,
            template: None,
        }
    }
}

/// Every generated file, by path relative to the bundle's top folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The top folder's name (the design's name), e.g. `plone-deployment`.
    pub root: String,
    pub files: BTreeMap<String, File>,
    /// Empty folders the bundle ships (log and state directories).
    pub folders: Vec<String>,
}

/// Why a design could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the design has {} error(s); fix them before rendering", .0.len())]
    Invalid(Vec<Diagnostic>),
    #[error("there is no template {name}; the templates are {}", template_names().join(", "))]
    UnknownTemplate { name: String },
    /// A template failed: its name, the line (when the engine knows it) and why.
    #[error("template {template}{}: {}", line.map(|l| format!(", line {l}")).unwrap_or_default(), reason(source))]
    Template {
        template: String,
        line: Option<usize>,
        #[source]
        source: minijinja::Error,
    },
}

/// Renders every file of the bundle, or refuses a design that has validation errors.
pub fn render(topology: &Topology) -> Result<Bundle, RenderError> {
    render_validated(topology, &validate::validate(topology))
}

/// [`render`] for a caller that already holds the design's diagnostics, such as the app,
/// which validates every edit for its problems panel: `diagnostics` must be
/// `validate(topology)`, and saves validating twice.
pub fn render_validated(
    topology: &Topology,
    diagnostics: &[Diagnostic],
) -> Result<Bundle, RenderError> {
    debug_assert_eq!(
        diagnostics,
        validate::validate(topology),
        "stale diagnostics"
    );
    let errors: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Err(RenderError::Invalid(errors));
    }
    let env = environment_with(&topology.templates)?;
    let plan = Plan::new(topology);
    // Each part of the context becomes a template value once, not once per file:
    // with 64 instances that is the difference between linear and quadratic work.
    let plan_value = Value::from(Serde(&plan));
    let instance_values: BTreeMap<&str, Value> = plan
        .instances
        .iter()
        .map(|i| (i.id.as_str(), Value::from(Serde(i))))
        .collect();
    let mut files = BTreeMap::new();
    let mut folders = Vec::new();
    for host in &plan.hosts {
        let host_value = Value::from(Serde(host));
        for spec in host.files(&plan) {
            let instance = spec
                .instance
                .as_deref()
                .and_then(|id| instance_values.get(id))
                .cloned();
            let context = Context {
                plan: &plan_value,
                host: &host_value,
                instance,
            };
            let contents = render_in(&env, spec.template, context)?;
            files.insert(
                format!("{}{}", host.folder, spec.path),
                File {
                    contents,
                    executable: spec.executable,
                    template: Some(spec.template),
                },
            );
        }
        folders.extend(
            host.folders(&plan)
                .into_iter()
                .map(|f| format!("{}{f}", host.folder)),
        );
    }
    let first_host = Value::from(Serde(&plan.hosts[0]));
    for (path, template) in plan.top_files() {
        let context = Context {
            plan: &plan_value,
            host: &first_host,
            instance: None,
        };
        let contents = render_in(&env, template, context)?;
        files.insert(
            path,
            File {
                contents,
                executable: false,
                template: Some(template),
            },
        );
    }
    if !plan.multi_host {
        // The same design as the exercise's buildout file, for people who keep one.
        files.insert(
            "deployment.cfg".into(),
            File::plain(crate::import::export_buildout(topology)),
        );
    }
    files.insert(
        "topology.svg".into(),
        File::plain(crate::svg::topology_svg(topology)),
    );
    files.insert(
        "share-link.txt".into(),
        File::plain(format!(
            "# This design in Stackwright (no passwords): open the app with this after '#'.\n{}\n",
            plan.share_link
        )),
    );
    // The user's templates, so the bundle can be rendered again from its own files.
    for (name, source) in &topology.templates {
        files.insert(format!("templates/{name}"), File::plain(source.clone()));
    }
    files.insert(
        "topology.json".into(),
        File::plain(crate::format::to_json(topology)),
    );
    Ok(Bundle {
        root: topology.settings.name.clone(),
        files,
        folders,
    })
}

/// What a template sees: the plan, the host the file is for, and the instance for
/// per-instance files.
struct Context<'a> {
    plan: &'a Value,
    host: &'a Value,
    instance: Option<Value>,
}

/// The engine's reason without its own "(in template:line)" suffix, which
/// [`RenderError::Template`] already spells.
fn reason(error: &minijinja::Error) -> String {
    match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    }
}

fn render_in(
    env: &Environment<'_>,
    name: &str,
    context: Context<'_>,
) -> Result<String, RenderError> {
    let fail = |source| template_error(name, source);
    let template = env.get_template(name).map_err(fail)?;
    template
        .render(minijinja::context! {
            plan => context.plan.clone(),
            host => context.host.clone(),
            instance => context.instance.unwrap_or(Value::from(())),
        })
        .map_err(fail)
}

/// One file a host gets.
struct FileSpec {
    path: String,
    template: &'static str,
    executable: bool,
    /// The instance a per-instance template is rendered for.
    instance: Option<String>,
}

impl FileSpec {
    fn new(path: impl Into<String>, template: &'static str) -> FileSpec {
        FileSpec {
            path: path.into(),
            template,
            executable: false,
            instance: None,
        }
    }

    fn script(path: &str, template: &'static str) -> FileSpec {
        FileSpec {
            executable: true,
            ..FileSpec::new(path, template)
        }
    }

    fn for_instance(self, id: &str) -> FileSpec {
        FileSpec {
            instance: Some(id.to_string()),
            ..self
        }
    }
}

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

/// Every template, embedded in the binary.
const TEMPLATES: &[(&str, &str)] = templates![
    "nginx.conf.j2",
    "varnish.vcl.j2",
    "haproxy.cfg.j2",
    "supervisord.conf.j2",
    "zope.conf.j2",
    "relstorage.conf.j2",
    "python-packages.txt",
    "zope.ini.j2",
    "zodbpack.conf.j2",
    "system_error.html.j2",
    "create-database.sql.j2",
    "CERTIFICATES.md.j2",
    "requirements.txt.j2",
    "README.md.j2",
    "README.hosts.md.j2",
    "setup.sh.j2",
    "create-site.sh.j2",
    "create_site.py.j2",
    "mariadb_compat.py.j2",
    "mariadb_compat.pth.j2",
    "ansible.cfg.j2",
    "inventory.yml.j2",
    "site.yml.j2",
];

/// What each template writes, in words for people: a path in a host's folder, with
/// `<instance>` for each instance's. A test keeps it true to the files rendered.
const WRITES: &[(&str, &str)] = &[
    ("nginx.conf.j2", "etc/nginx.conf"),
    ("varnish.vcl.j2", "etc/varnish.vcl"),
    ("haproxy.cfg.j2", "etc/haproxy.cfg"),
    ("supervisord.conf.j2", "etc/supervisord.conf"),
    ("zope.conf.j2", "etc/<instance>/zope.conf"),
    (
        "relstorage.conf.j2",
        "the storage section of zope.conf and zodbpack.conf",
    ),
    ("python-packages.txt", "the packages of requirements.txt"),
    ("zope.ini.j2", "etc/<instance>/zope.ini"),
    ("zodbpack.conf.j2", "etc/zodbpack.conf"),
    ("system_error.html.j2", "the panic page"),
    ("create-database.sql.j2", "sql/create-database.sql"),
    ("CERTIFICATES.md.j2", "CERTIFICATES.md"),
    ("requirements.txt.j2", "requirements.txt"),
    ("README.md.j2", "README.md"),
    (
        "README.hosts.md.j2",
        "the README.md of a design on several hosts",
    ),
    ("setup.sh.j2", "bin/setup"),
    ("create-site.sh.j2", "bin/create-site"),
    ("create_site.py.j2", "lib/create_site.py"),
    ("mariadb_compat.py.j2", "lib/stackwright_mariadb_compat.py"),
    (
        "mariadb_compat.pth.j2",
        "lib/stackwright_mariadb_compat.pth",
    ),
    ("ansible.cfg.j2", "ansible/ansible.cfg"),
    ("inventory.yml.j2", "ansible/inventory.yml"),
    ("site.yml.j2", "ansible/site.yml"),
];

/// What the template `name` writes, in words: `etc/nginx.conf`,
/// `etc/<instance>/zope.conf`, or what an included template is part of.
pub fn template_writes(name: &str) -> Option<&'static str> {
    WRITES.iter().find(|(n, _)| *n == name).map(|(_, w)| *w)
}

/// The names of the templates, as overrides name them.
pub fn template_names() -> Vec<&'static str> {
    TEMPLATES.iter().map(|(name, _)| *name).collect()
}

/// The built-in source of the template `name`.
pub fn default_template(name: &str) -> Option<&'static str> {
    TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, source)| *source)
}

/// Makes `source` the design's template `name`. A source equal to the built-in template
/// is no change: the override is dropped, so the design stays as if never edited.
pub fn set_template(
    topology: &mut Topology,
    name: &str,
    source: String,
) -> Result<(), RenderError> {
    let built_in = default_template(name).ok_or_else(|| RenderError::UnknownTemplate {
        name: name.to_string(),
    })?;
    if source == built_in {
        topology.templates.remove(name);
    } else {
        topology.templates.insert(name.to_string(), source);
    }
    Ok(())
}

/// The built-in environment, or a copy of it with `overrides` in place. A copy shares the
/// built-in templates already parsed; only the overrides are parsed.
///
/// The copy for the last overrides seen is kept, so a design with its own templates
/// parses them once per change of a template, not once per edit of anything else.
fn environment_with(
    overrides: &BTreeMap<String, String>,
) -> Result<Cow<'static, Environment<'static>>, RenderError> {
    type Compiled = (BTreeMap<String, String>, Environment<'static>);
    static LAST: Mutex<Option<Compiled>> = Mutex::new(None);
    if overrides.is_empty() {
        return Ok(Cow::Borrowed(environment()));
    }
    let mut last = LAST.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((compiled_for, env)) = last.as_ref()
        && compiled_for == overrides
    {
        // A copy shares the parsed templates: it costs a few map clones.
        return Ok(Cow::Owned(env.clone()));
    }
    let mut env = environment().clone();
    for (name, source) in overrides {
        let Some(name) = TEMPLATES.iter().map(|(n, _)| *n).find(|n| n == name) else {
            return Err(RenderError::UnknownTemplate { name: name.clone() });
        };
        env.add_template_owned(name, source.clone())
            .map_err(|source| template_error(name, source))?;
    }
    *last = Some((overrides.clone(), env.clone()));
    Ok(Cow::Owned(env))
}

fn template_error(name: &str, source: minijinja::Error) -> RenderError {
    RenderError::Template {
        // An error inside an included template names that one.
        template: source.name().unwrap_or(name).to_string(),
        line: source.line(),
        source,
    }
}

/// The instructions one file's render may run (see [`environment`]).
pub const FUEL: u64 = 1_000_000;

/// The template environment, built once and shared by every render.
pub fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Each render of one file may run this many instructions: the largest built-in
        // file (README.md of 64 instances) takes about 2,400, so a user's template has
        // room for 400 times that, and one that loops without end stops within milliseconds.
        env.set_fuel(Some(FUEL));
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid");
        env.set_syntax(syntax);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .expect("embedded templates parse");
        }
        for (name, escape) in escape::FILTERS {
            env.add_filter(*name, move |value: String| {
                escape(&value).map_err(|refused| {
                    minijinja::Error::new(
                        minijinja::ErrorKind::InvalidOperation,
                        refused.to_string(),
                    )
                })
            });
        }
        env
    })
}

/// An address and port to connect to.
#[derive(Clone, Debug, Serialize)]
pub struct Endpoint {
    pub address: String,
    pub port: u16,
}

/// Where a daemon listens: `address:port`, written for each daemon's syntax.
#[derive(Clone, Debug, Serialize)]
pub struct Bind {
    pub address: String,
    pub port: u16,
    /// `address:port` with IPv6 addresses in brackets.
    pub socket: String,
    /// Whether the address is a wildcard (every interface).
    pub wildcard: bool,
}

impl Bind {
    fn new(address: &str, port: u16) -> Bind {
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

#[derive(Clone, Debug, Serialize)]
pub struct SitePlan {
    pub name: String,
    pub site_id: String,
    pub zope_admin_user: String,
    pub zope_admin_password: String,
    pub fallback_url: String,
    pub open_files: u64,
    pub session_timeout: u64,
    pub shared_blobs: bool,
    pub install_dir: String,
    pub platform: &'static str,
    pub versions: Vec<(&'static str, &'static str)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NginxPlan {
    pub id: String,
    pub user: String,
    /// nginx drops privileges itself when it must start as root for a low port.
    pub privileged: bool,
    pub http: Bind,
    pub https: Bind,
    pub public_host: String,
    pub certificate: String,
    pub certificate_key: String,
    pub status_path: String,
    pub upstream: Endpoint,
}

#[derive(Clone, Debug, Serialize)]
pub struct VarnishPlan {
    pub id: String,
    pub user: String,
    pub privileged: bool,
    pub listen: Bind,
    pub storage: String,
    pub tuning: Vec<(String, String)>,
    pub backend: Endpoint,
    /// ACL entries in VCL syntax: `"10.0.0.1"`, `"10.0.0.0"/8` or `("name")`.
    pub purge_acl: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct HaproxyPlan {
    pub id: String,
    pub user: String,
    pub privileged: bool,
    pub listen: Bind,
    pub stats: Bind,
    pub stats_user: String,
    pub stats_password: String,
    pub balance: &'static str,
    pub check_interval_ms: u64,
    pub fall: u64,
    pub rise: u64,
    pub servers: Vec<ServerPlan>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServerPlan {
    pub id: String,
    pub address: String,
    pub port: u16,
    /// The smaller of HAProxy's maxconn per server and the instance's threads.
    pub maxconn: u64,
}

#[derive(Clone, Debug, Serialize)]
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

#[derive(Clone, Debug, Serialize)]
pub struct DatabasePlan {
    pub flavor: &'static str,
    pub address: String,
    pub port: u16,
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

#[derive(Clone, Debug, Serialize)]
pub struct MemcachedPlan {
    pub id: String,
    pub user: String,
    pub listen: Bind,
    pub memory_mb: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SupervisorPlan {
    pub listen: Bind,
    /// Where supervisorctl connects to.
    pub url: String,
    pub user: String,
    pub password: String,
}

/// One row of the listener table in README.
#[derive(Clone, Debug, Serialize)]
pub struct ListenerRow {
    pub service: String,
    pub host: String,
    pub address: String,
    pub port: u16,
    pub url: String,
}

/// The resolved design: what every template reads.
#[derive(Clone, Debug, Serialize)]
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
    /// The design's share link fragment, without passwords.
    pub share_link: String,
    /// The Plone release requirements.txt pins.
    pub plone_version: &'static str,
    /// The names of the templates the design replaces with its own, in order.
    pub templates: Vec<String>,
}

/// One machine's share of the plan.
#[derive(Clone, Debug, Serialize)]
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
}

fn port(text: &str) -> u16 {
    syntax::parse_port(text)
        .map(|p| p.get())
        .expect("validated port")
}

fn number(text: &str) -> u64 {
    syntax::parse_number(text, 0, u64::MAX).expect("validated number")
}

fn endpoint(t: &Topology, from: &Component, to: &Component) -> Endpoint {
    Endpoint {
        address: connect_address(t, from, to),
        port: port(to.main_port()),
    }
}

fn privileged(ports: &[&str]) -> bool {
    ports.iter().any(|p| port(p) < 1024)
}

/// The Plone release pinned in `templates/python-packages.txt`, the frozen set of
/// Python packages that was installed and run together.
fn plone_version() -> &'static str {
    include_str!("../templates/python-packages.txt")
        .lines()
        .find_map(|line| line.strip_prefix("Plone=="))
        .unwrap_or("6")
}

impl Plan {
    /// Resolves a design that passed validation. Panics only on a design with errors,
    /// which [`render`] never passes.
    pub fn new(t: &Topology) -> Plan {
        let s = &t.settings;
        let site = SitePlan {
            name: s.name.clone(),
            site_id: s.site_id.clone(),
            zope_admin_user: s.zope_admin_user.clone(),
            zope_admin_password: s.zope_admin_password.clone(),
            fallback_url: s.fallback_url.clone(),
            open_files: number(&s.open_files),
            session_timeout: number(&s.session_timeout),
            shared_blobs: s.shared_blobs,
            install_dir: s.install_dir.trim_end_matches('/').to_string(),
            platform: s.platform.id(),
            versions: s.platform.versions().to_vec(),
        };

        let next = |c: &Component| {
            t.connections
                .iter()
                .find(|x| x.from == c.id)
                .and_then(|x| t.component(&x.to))
        };
        let nginx = t.first(Kind::Nginx).and_then(|c| {
            let ComponentKind::Nginx(n) = &c.kind else {
                return None;
            };
            Some(NginxPlan {
                id: c.id.clone(),
                user: c.user.clone(),
                privileged: privileged(&[&n.http_port, &n.https_port]),
                http: Bind::new(&c.address, port(&n.http_port)),
                https: Bind::new(&c.address, port(&n.https_port)),
                public_host: n.public_host.clone(),
                certificate: n.certificate.clone(),
                certificate_key: n.certificate_key.clone(),
                status_path: n.status_path.clone(),
                upstream: endpoint(t, c, next(c)?),
            })
        });
        let varnish = t.first(Kind::Varnish).and_then(|c| {
            let ComponentKind::Varnish(v) = &c.kind else {
                return None;
            };
            Some(VarnishPlan {
                id: c.id.clone(),
                user: c.user.clone(),
                privileged: privileged(&[&v.port]),
                listen: Bind::new(&c.address, port(&v.port)),
                storage: v.storage.clone(),
                tuning: syntax::parse_varnish_tuning(&v.tuning).unwrap_or_default(),
                backend: endpoint(t, c, next(c)?),
                purge_acl: v
                    .purge_acl
                    .iter()
                    .filter_map(|e| syntax::parse_acl_entry(e))
                    .map(vcl_acl_entry)
                    .collect(),
            })
        });
        let haproxy = t.first(Kind::Haproxy).and_then(|c| {
            let ComponentKind::Haproxy(h) = &c.kind else {
                return None;
            };
            let maxconn = number(&h.maxconn_per_server);
            let servers = t
                .targets_of(&c.id)
                .filter_map(|i| match &i.kind {
                    ComponentKind::Zope(z) => Some(ServerPlan {
                        id: i.id.clone(),
                        address: connect_address(t, c, i),
                        port: port(&z.port),
                        maxconn: maxconn.min(number(&t.effective_instance(z).threads)),
                    }),
                    _ => None,
                })
                .collect();
            Some(HaproxyPlan {
                id: c.id.clone(),
                user: c.user.clone(),
                privileged: privileged(&[&h.port, &h.stats_port]),
                listen: Bind::new(&c.address, port(&h.port)),
                stats: Bind::new(&c.address, port(&h.stats_port)),
                stats_user: h.stats_user.clone(),
                stats_password: h.stats_password.clone(),
                balance: h.balance.id(),
                check_interval_ms: number(&h.check_interval_ms),
                fall: number(&h.fall),
                rise: number(&h.rise),
                servers,
            })
        });
        let db_component = t
            .first(Kind::Database)
            .expect("validated: instances have a database");
        let ComponentKind::Database(db) = &db_component.kind else {
            unreachable!("first(Database) is a database")
        };
        let instances: Vec<InstancePlan> = t
            .of_kind(Kind::Zope)
            .filter_map(|c| {
                let ComponentKind::Zope(z) = &c.kind else {
                    return None;
                };
                let eff = t.effective_instance(z);
                let database = t.targets_of(&c.id).find(|x| x.kind() == Kind::Database)?;
                Some(InstancePlan {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    host: c.host.clone(),
                    user: c.user.clone(),
                    listen: Bind::new(&c.address, port(&z.port)),
                    threads: number(&eff.threads),
                    zodb_cache_size: number(&eff.zodb_cache_size),
                    debug_mode: eff.debug_mode,
                    verbose_security: eff.verbose_security,
                    database: endpoint(t, c, database),
                    memcached: t
                        .targets_of(&c.id)
                        .find(|x| x.kind() == Kind::Memcached)
                        .map(|m| endpoint(t, c, m)),
                })
            })
            .collect();
        let mut client_hosts: Vec<String> = Vec::new();
        for c in t.of_kind(Kind::Zope) {
            let from = validate::source_address(t, c, db_component);
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
            port: port(&db.port),
            name: db.name.clone(),
            user: db.user.clone(),
            password: db.password.clone(),
            client_hosts,
            host: db_component.host.clone(),
            host_address: t
                .hosts
                .iter()
                .find(|h| h.id == db_component.host)
                .map(|h| h.address.clone())
                .unwrap_or_default(),
        };
        let memcached = t.first(Kind::Memcached).and_then(|c| match &c.kind {
            ComponentKind::Memcached(m) => Some(MemcachedPlan {
                id: c.id.clone(),
                user: c.user.clone(),
                listen: Bind::new(&c.address, port(&m.port)),
                memory_mb: number(&m.memory_mb),
            }),
            _ => None,
        });
        let sup_component = t
            .first(Kind::Supervisor)
            .expect("validated: a supervisor exists");
        let ComponentKind::Supervisor(sup) = &sup_component.kind else {
            unreachable!("a supervisor")
        };
        let sup_listen = Bind::new(&sup_component.address, port(&sup.port));
        let sup_connect = if sup_listen.wildcard {
            Bind::new("127.0.0.1", sup_listen.port).socket
        } else {
            sup_listen.socket.clone()
        };
        let supervisor = SupervisorPlan {
            url: format!("http://{sup_connect}"),
            listen: sup_listen,
            user: sup.user.clone(),
            password: sup.password.clone(),
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
            // it starts (supervisor's own order: memcached, the instances, HAProxy,
            // Varnish, nginx); the web host's README ends with the failover drill, which
            // needs every instance running. The sort is stable: ties keep the design's order.
            hosts.sort_by_key(|h| {
                let first_program = [
                    (h.memcached, 0),
                    (!h.instances.is_empty(), 10),
                    (h.haproxy, 20),
                    (h.varnish, 30),
                    (h.nginx, 40),
                ]
                .into_iter()
                .find_map(|(runs, priority)| runs.then_some(priority))
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

        let listeners = listener_rows(t);
        Plan {
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
            share_link: crate::share::encode(t, crate::share::Secrets::Omit),
            templates: t.templates.keys().cloned().collect(),
        }
    }

    /// Files written once at the top of the bundle.
    fn top_files(&self) -> Vec<(String, &'static str)> {
        let mut files = Vec::new();
        // On several hosts, the database host's folder carries it (see HostPlan::files).
        if !self.multi_host || !self.hosts.iter().any(|h| h.database) {
            files.push((
                "sql/create-database.sql".to_string(),
                "create-database.sql.j2",
            ));
        }
        if self.multi_host {
            files.push(("README.md".into(), "README.hosts.md.j2"));
        }
        // Deployment with Ansible: every machine of the design from one controller.
        files.push(("ansible/ansible.cfg".into(), "ansible.cfg.j2"));
        files.push(("ansible/inventory.yml".into(), "inventory.yml.j2"));
        files.push(("ansible/site.yml".into(), "site.yml.j2"));
        files
    }
}

impl HostPlan {
    /// The files this host gets.
    fn files(&self, plan: &Plan) -> Vec<FileSpec> {
        let mut files = vec![FileSpec::new("README.md", "README.md.j2")];
        if plan.multi_host && self.database {
            files.push(FileSpec::new(
                "sql/create-database.sql",
                "create-database.sql.j2",
            ));
        }
        if !self.supervised {
            return files;
        }
        files.extend([
            FileSpec::new("etc/supervisord.conf", "supervisord.conf.j2"),
            FileSpec::script("bin/setup", "setup.sh.j2"),
        ]);
        if self.nginx {
            files.push(FileSpec::new("etc/nginx.conf", "nginx.conf.j2"));
            let panic_page = format!("htdocs{}/index.html", plan.site.fallback_url);
            files.push(FileSpec::new(panic_page, "system_error.html.j2"));
            files.push(FileSpec::new("CERTIFICATES.md", "CERTIFICATES.md.j2"));
        }
        if self.varnish {
            files.push(FileSpec::new("etc/varnish.vcl", "varnish.vcl.j2"));
        }
        if self.haproxy {
            files.push(FileSpec::new("etc/haproxy.cfg", "haproxy.cfg.j2"));
        }
        if let Some(first) = self.instances.first() {
            for id in &self.instances {
                files.push(
                    FileSpec::new(format!("etc/{id}/zope.conf"), "zope.conf.j2").for_instance(id),
                );
                files.push(
                    FileSpec::new(format!("etc/{id}/zope.ini"), "zope.ini.j2").for_instance(id),
                );
            }
            files.push(FileSpec::new("etc/zodbpack.conf", "zodbpack.conf.j2").for_instance(first));
            files.push(FileSpec::new("requirements.txt", "requirements.txt.j2"));
            files.push(FileSpec::new(
                "lib/stackwright_mariadb_compat.py",
                "mariadb_compat.py.j2",
            ));
            files.push(FileSpec::new(
                "lib/stackwright_mariadb_compat.pth",
                "mariadb_compat.pth.j2",
            ));
        }
        if self.creates_site {
            files.push(FileSpec::script("bin/create-site", "create-site.sh.j2"));
            files.push(FileSpec::new("lib/create_site.py", "create_site.py.j2"));
        }
        files
    }

    /// Folders the bundle ships empty, so logs and state have a place from the start.
    fn folders(&self, plan: &Plan) -> Vec<String> {
        if !self.supervised {
            return Vec::new();
        }
        let mut folders = vec!["var/log".to_string()];
        if self.nginx {
            folders.push("var/nginx".into());
        }
        if self.varnish {
            folders.push("var/varnish".into());
        }
        if !self.instances.is_empty() {
            folders.push("var/cache".into());
            if plan.site.shared_blobs {
                folders.push("var/blobstorage".into());
            }
            for id in &self.instances {
                folders.push(format!("var/{id}"));
                if !plan.site.shared_blobs {
                    folders.push(format!("var/blobstorage-{id}"));
                }
            }
        }
        folders
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

fn listener_rows(t: &Topology) -> Vec<ListenerRow> {
    let mut rows = Vec::new();
    for c in &t.components {
        for l in c.listeners() {
            let Ok(p) = syntax::parse_port(l.port) else {
                continue;
            };
            let shown = match syntax::address_kind(l.address) {
                Some(AddressKind::Wildcard) => "localhost".to_string(),
                _ => l.address.to_string(),
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
                address: l.address.to_string(),
                port: p.get(),
                url,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders `source` as the template `name` beside the real ones, for the default design.
    fn render_source(name: &'static str, source: &'static str) -> Result<String, RenderError> {
        let mut env = environment().clone();
        env.add_template(name, source)
            .map_err(|source| RenderError::Template {
                template: name.into(),
                line: source.line(),
                source,
            })?;
        let plan = Plan::new(&Topology::exercise());
        let plan_value = Value::from(Serde(&plan));
        let host = Value::from(Serde(&plan.hosts[0]));
        let context = Context {
            plan: &plan_value,
            host: &host,
            instance: None,
        };
        render_in(&env, name, context)
    }

    /// What a template writes, as the notice names it, is where its files are.
    #[test]
    fn every_template_says_what_it_writes() {
        assert_eq!(
            WRITES.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            template_names()
        );
        for t in [Topology::exercise(), crate::defaults::scaled(3, 3)] {
            let bundle = render(&t).unwrap();
            for (path, file) in &bundle.files {
                let Some(template) = file.template else {
                    continue;
                };
                let writes = template_writes(template).unwrap();
                let in_host = path.strip_prefix("hosts/").map_or(path.as_str(), |p| {
                    p.split_once('/').map_or(p, |(_, rest)| rest)
                });
                let pattern_holds = match writes.split_once("<instance>") {
                    Some((before, after)) => {
                        in_host.starts_with(before) && in_host.ends_with(after)
                    }
                    // Words for what has no fixed path ("the panic page").
                    None => in_host == writes || writes.starts_with("the "),
                };
                assert!(pattern_holds, "{template} writes {path}, not {writes}");
            }
        }
    }

    #[test]
    fn templates_see_the_plan_and_the_filters() {
        assert_eq!(
            render_source("t.j2", "{{ plan.site.site_id }} {{ \"it's\" | shell }}\n").unwrap(),
            "Plone 'it'\\''s'\n"
        );
    }

    /// A hostile template ends in an error, quickly: loops run out of fuel, recursion
    /// hits minijinja's depth limit.
    #[test]
    fn hostile_templates_are_stopped() {
        let endless = render_source(
            "loop.j2",
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        )
        .unwrap_err()
        .to_string();
        assert!(
            endless.starts_with("template loop.j2, line 1: ") && endless.contains("fuel"),
            "{endless}"
        );
        let deep = render_source(
            "macro.j2",
            "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}\n{{ down(0) }}",
        )
        .unwrap_err()
        .to_string();
        assert!(
            deep.starts_with("template macro.j2, line 1: ") && deep.contains("recursion"),
            "{deep}"
        );
    }

    /// The bundle of a design with its own template: the file comes from it, and the
    /// template travels in `templates/`.
    #[test]
    fn overrides_render_and_travel_in_the_bundle() {
        let mut t = Topology::exercise();
        let mine = default_template("haproxy.cfg.j2").unwrap().replace(
            "    option forwardfor\n",
            "    option forwardfor\n    option http-keep-alive\n",
        );
        t.templates.insert("haproxy.cfg.j2".into(), mine.clone());
        let bundle = render(&t).unwrap();
        assert!(
            bundle.files["etc/haproxy.cfg"]
                .contents
                .contains("    option http-keep-alive\n")
        );
        assert_eq!(bundle.files["templates/haproxy.cfg.j2"].contents, mine);
        assert!(
            bundle.files["README.md"]
                .contents
                .contains("name: haproxy.cfg.j2.")
        );
        // The other files are the built-in ones.
        let plain = render(&Topology::exercise()).unwrap();
        assert_eq!(
            bundle.files["etc/nginx.conf"],
            plain.files["etc/nginx.conf"]
        );
        // An unknown name lists the valid ones.
        t.templates.insert("apache.conf.j2".into(), String::new());
        let unknown = render(&t).unwrap_err().to_string();
        assert!(
            unknown.starts_with("there is no template apache.conf.j2; the templates are nginx.conf.j2, varnish.vcl.j2"),
            "{unknown}"
        );
    }

    #[test]
    fn a_template_error_names_the_template_and_the_line() {
        let error = |source| render_source("custom.j2", source).unwrap_err().to_string();
        assert_eq!(
            error("one\ntwo {{ plan.site.nmae }}\n"),
            "template custom.j2, line 2: undefined value"
        );
        assert_eq!(
            error("{% if plan.multi_host %}\nunclosed\n"),
            "template custom.j2, line 2: syntax error: unexpected end of input, expected end of block"
        );
        assert_eq!(
            error("\n\n{{ \"a$b\" | nginx }}"),
            "template custom.j2, line 3: invalid operation: cannot write \"a$b\" into nginx: \
             '$' would start a variable"
        );
        assert_eq!(
            error("{{ plan.site.name | upper | nginx_conf }}"),
            "template custom.j2, line 1: unknown filter: filter nginx_conf is unknown"
        );
    }

    #[test]
    fn render_validated_is_render_with_the_diagnostics_given() {
        let mut t = Topology::exercise();
        let diagnostics = validate::validate(&t);
        assert_eq!(
            render_validated(&t, &diagnostics).unwrap(),
            render(&t).unwrap()
        );
        // A design with errors is refused with the errors given.
        crate::edit::set(&mut t, "components.nginx.http_port", "8100").unwrap();
        let diagnostics = validate::validate(&t);
        match render_validated(&t, &diagnostics) {
            Err(RenderError::Invalid(errors)) => {
                assert!(errors.iter().all(|d| d.severity == Severity::Error));
                assert!(
                    errors.iter().any(|d| d.code == "port-conflict"),
                    "{errors:?}"
                );
            }
            other => panic!("rendered a design with a port clash: {other:?}"),
        }
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "stale diagnostics")]
    fn stale_diagnostics_are_a_bug_caught_in_debug_builds() {
        let mut t = Topology::exercise();
        let diagnostics = validate::validate(&t);
        crate::edit::set(&mut t, "components.nginx.http_port", "8100").unwrap();
        let _ = render_validated(&t, &diagnostics);
    }
}
