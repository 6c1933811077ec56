//! Take a buildout out: a design written as the exercise's `deployment.cfg`.
//!
//! The file keeps the exercise's layout, comments and `${...}` references, so it drops
//! into the exercise's buildout folder in place of the original; only the values are
//! the design's. Values the layout has no place for go into a `[stackwright]` section
//! (which buildout ignores), written only when they differ from the exercise's.

use std::fmt::Write;

use super::tables::{database, haproxy, memcached, nginx, supervisor, varnish};
use crate::model::*;
use crate::network::connect_address;

/// Writes `t` as a `deployment.cfg` in the exercise's layout. Importing the result
/// with [`super::import`] gives `t` back for designs on one host (the component order
/// aside: the file lists instances in design order but not where they sit among the
/// other components).
pub fn export_buildout(t: &Topology) -> String {
    let exercise = Topology::exercise();
    // A design may lack a component; the file then carries the exercise's values for
    // it, so the buildout stays complete.
    let pick = |kind: Kind| {
        t.first(kind)
            .or_else(|| exercise.first(kind))
            .cloned()
            .expect("the exercise has one component of every kind but Zope")
    };
    let mut design = t.clone();
    let mut from_exercise = exercise.clone();
    let n = pick(Kind::Nginx);
    let v = pick(Kind::Varnish);
    let h = pick(Kind::Haproxy);
    let m = pick(Kind::Memcached);
    let d = pick(Kind::Database);
    let s = pick(Kind::Supervisor);
    let ngx = settings_of(&mut design, &mut from_exercise, nginx);
    let vsh = settings_of(&mut design, &mut from_exercise, varnish);
    let hap = settings_of(&mut design, &mut from_exercise, haproxy);
    let mem = settings_of(&mut design, &mut from_exercise, memcached);
    let db = settings_of(&mut design, &mut from_exercise, database);
    let sup = settings_of(&mut design, &mut from_exercise, supervisor);
    let instances: Vec<(&Component, &ZopeInstance)> = t
        .components
        .iter()
        .filter_map(|c| match &c.kind {
            ComponentKind::Zope(z) => Some((c, z)),
            _ => None,
        })
        .collect();
    let zope_process = instances
        .first()
        .map_or_else(|| "nobody".to_string(), |(c, _)| c.user.clone());
    let settings = &t.settings;

    let mut out = String::new();
    let o = &mut out;
    line(o, "# Deployment buildout");
    line(o, "# ===================");
    line(o, "#");
    line(
        o,
        &format!(
            "# Written by Stackwright from the design {:?}.",
            one_line(&settings.name)
        ),
    );
    let missing: Vec<&str> = [
        Kind::Nginx,
        Kind::Varnish,
        Kind::Haproxy,
        Kind::Memcached,
        Kind::Database,
        Kind::Supervisor,
    ]
    .into_iter()
    .filter(|k| t.first(*k).is_none())
    .map(|k| k.label())
    .collect();
    if !missing.is_empty() {
        line(
            o,
            &format!(
                "# The design has no {}; this file keeps the exercise's values for it.",
                missing.join(", ")
            ),
        );
    }
    if t.is_multi_host() {
        line(
            o,
            "# The design spans several machines; a buildout runs on one, so this file puts",
        );
        line(
            o,
            "# every component on this machine with the design's addresses and ports.",
        );
    }
    line(o, "");
    line(o, "[buildout]");
    line(o, "parts =");
    for (c, _) in &instances {
        line(o, &format!("    {}", c.id));
    }
    for part in ["zodbpack", "zodbpack-config", "supervisor"] {
        line(o, &format!("    {part}"));
    }
    line(o, "");
    for parts in ["memcached", "haproxy", "varnish", "nginx"] {
        line(o, &format!("    ${{buildout:{parts}-parts}}"));
    }
    line(o, "");
    line(o, "extends =");
    line(o, "    packages.cfg");
    for file in ["memcached", "haproxy", "varnish", "nginx"] {
        line(o, &format!("    buildout.d/{file}.cfg"));
    }
    line(o, "");
    line(o, "# Packages to check out/update when buildout is run");
    line(o, "auto-checkout =");
    line(o, "    acme.policy");
    line(o, "    acme.custom");
    line(o, "");
    line(
        o,
        "# Make sure buildout never attempts to update packages automatically for",
    );
    line(o, "# production use.");
    line(o, "always-checkout = false");
    line(o, "");

    line(
        o,
        "# Host names/IP addresses. See below for corresponding ports.",
    );
    line(o, "[hosts]");
    line(
        o,
        "# The public hostname used in virtual hosting, i.e. the public facing domain",
    );
    kv(o, 15, "public", &ngx.public_host);
    line(o, "# The host that nginx proxies to");
    reference(o, 15, "nginx-backend", "${:varnish}");
    line(o, "# The hostname/address that Varnish binds to");
    kv(o, 15, "varnish", &v.address);
    line(
        o,
        "# The hosts that are allowed to issue PURGE requests to Varnish",
    );
    list(o, 15, "allow-purge", &vsh.purge_acl);
    line(
        o,
        "# The IP address that Varnish proxies to (do not use a hostname)",
    );
    kv(o, 15, "varnish-backend", &connect_address(t, &v, &h));
    line(o, "# The hostname that HAProxy binds to");
    kv(o, 15, "haproxy", &h.address);
    line(o, "# The IP addresses of each Zope instance");
    for (c, _) in &instances {
        kv(o, 15, &c.id, &c.address);
    }
    line(o, "# Where to find the syslog daemon to log to");
    kv(o, 15, "syslog", "localhost");
    line(o, "# The hostname that memcached binds to");
    kv(o, 15, "memcached", &m.address);
    line(o, "# The hostname where the database server is found");
    kv(o, 15, "database", &d.address);
    line(o, "# The hostname that supervisord binds to");
    kv(o, 15, "supervisor", &s.address);
    line(o, "");

    line(
        o,
        "# Port corresponding to the hostnames above. Note that to bind to ports",
    );
    line(
        o,
        "# < 1024, you will need to run ./bin/supervisord as root!",
    );
    line(o, "[ports]");
    kv(o, 15, "http", &ngx.http_port);
    kv(o, 15, "https", &ngx.https_port);
    reference(o, 15, "nginx-backend", "${:varnish}");
    kv(o, 15, "varnish", &vsh.port);
    reference(o, 15, "varnish-backend", "${:haproxy}");
    kv(o, 15, "haproxy", &hap.port);
    kv(o, 15, "haproxy-stats", &hap.stats_port);
    for (c, z) in &instances {
        kv(o, 15, &c.id, &z.port);
    }
    kv(o, 15, "syslog", "514");
    kv(o, 15, "memcached", &mem.port);
    kv(o, 15, "database", &db.port);
    kv(o, 15, "supervisor", &sup.port);
    line(o, "");

    line(o, "[users]");
    line(
        o,
        "# Process owners for nginx, varnish, haproxy, memcached and Zope",
    );
    kv(o, 16, "nginx", &n.user);
    kv(o, 16, "varnish", &v.user);
    kv(o, 16, "haproxy", &h.user);
    kv(o, 16, "zope-process", &zope_process);
    kv(o, 16, "memcached", &m.user);
    line(o, "");
    line(
        o,
        "# System user accounts for Zope root admin, database access and Supervisor",
    );
    kv(o, 16, "zope-admin", &settings.zope_admin_user);
    kv(o, 16, "database", &db.db_user);
    kv(o, 16, "supervisor-admin", &sup.admin_user);
    if !hap.stats_user.is_empty() {
        line(o, "# HAProxy's statistics page");
        kv(o, 16, "haproxy-stats", &hap.stats_user);
    }
    line(o, "");
    line(o, "# Passwords for the accounts above");
    line(o, "[passwords]");
    kv(o, 16, "zope-admin", &settings.zope_admin_password);
    kv(o, 16, "database", &db.password);
    kv(o, 16, "supervisor-admin", &sup.password);
    if !hap.stats_password.is_empty() {
        kv(o, 16, "haproxy-stats", &hap.stats_password);
    }
    line(o, "");

    line(o, "# Database instances for SQLAlchemy and RelStorage");
    line(o, "[databases]");
    kv(o, 7, "zodb", &db.db_name);
    line(o, "");
    line(
        o,
        "# How should varnish store its cache? Increase the size, in megabytes, as required",
    );
    line(o, "[varnish-options]");
    kv(o, 0, "storage", &vsh.storage);
    if !vsh.tuning.is_empty() {
        kv(o, 0, "tuning", &vsh.tuning);
    }
    line(o, "");
    line(o, "[limits]");
    line(
        o,
        "# How many open files are allowed? This affects the number of concurrent",
    );
    line(o, "# connections.");
    kv(o, 0, "open-files", &settings.open_files);
    line(o, "# Timeout of inactivity for Beaker sessions");
    kv(o, 0, "session-timeout", &settings.session_timeout);
    line(o, "");
    line(o, "[urls]");
    line(
        o,
        "# This URL is used in the nginx configuration to serve an error page when",
    );
    line(o, "# HAProxy detects no viable backend");
    kv(o, 0, "fallback", &settings.fallback_url);
    line(o, "");
    line(o, "[sites]");
    line(o, "# Plone site ids - used in virtual hosting");
    kv(o, 0, "main", &settings.site_id);
    line(o, "");

    let template = &settings.instance;
    line(o, "# Zope instance template");
    line(o, "[instance]");
    line(o, "recipe = plone.recipe.zope2instance");
    line(o, "user = ${users:zope-admin}:${passwords:zope-admin}");
    kv(o, 0, "debug-mode", switch(template.debug_mode));
    kv(o, 0, "verbose-security", switch(template.verbose_security));
    line(o, "effective-user = ${users:zope-process}");
    line(o, "http-fast-listen = off");
    kv(o, 0, "zserver-threads", &template.threads);
    kv(o, 0, "zodb-cache-size", &template.zodb_cache_size);
    line(o, "eggs =");
    line(o, "    ${eggs:main}");
    line(o, "    RelStorage");
    line(o, "    MySQL-python");
    line(o, "# Configure RelStorage");
    line(o, "rel-storage =");
    line(o, "    type mysql");
    line(o, "    blob-dir ${buildout:directory}/var/blobstorage");
    line(o, "    cache-servers ${hosts:memcached}:${ports:memcached}");
    line(o, "    db ${databases:zodb}");
    line(o, "    user ${users:database}");
    line(o, "    passwd ${passwords:database}");
    // RelStorage connects to localhost:3306 unless told otherwise.
    if !matches!(d.address.as_str(), "localhost" | "127.0.0.1") {
        line(o, "    host ${hosts:database}");
    }
    if db.port != "3306" {
        line(o, "    port ${ports:database}");
    }
    line(o, "# Configure BLOB storage");
    kv(o, 0, "shared-blob", switch(settings.shared_blobs));

    for (c, z) in &instances {
        line(o, "");
        line(o, &format!("[{}]", c.id));
        line(o, "<= instance");
        line(
            o,
            &format!("http-address = ${{hosts:{0}}}:${{ports:{0}}}", c.id),
        );
        if c.user != zope_process {
            kv(o, 0, "effective-user", &c.user);
        }
        if let Some(threads) = &z.threads {
            kv(o, 0, "zserver-threads", threads);
        }
        if let Some(size) = &z.zodb_cache_size {
            kv(o, 0, "zodb-cache-size", size);
        }
        if let Some(on) = z.debug_mode {
            kv(o, 0, "debug-mode", switch(on));
        }
        if let Some(on) = z.verbose_security {
            kv(o, 0, "verbose-security", switch(on));
        }
    }
    line(o, "");

    line(o, "# Install the bin/zodbpack script");
    line(o, "# Run: ``bin/zodbpack etc/zodbpack.conf``");
    line(o, "[zodbpack]");
    line(o, "recipe = zc.recipe.egg");
    line(o, "eggs =");
    line(o, "    RelStorage");
    line(o, "    MySQL-python");
    line(o, "scripts = zodbpack");
    line(o, "");
    line(o, "# Generate ``etc/zodbpack.conf``");
    line(o, "[zodbpack-config]");
    line(o, "recipe = collective.recipe.template");
    line(
        o,
        "input = ${buildout:directory}/buildout.d/templates/zodbpack.conf",
    );
    line(o, "output = ${buildout:directory}/etc/zodbpack.conf");
    line(o, "");

    line(
        o,
        &format!(
            "# Install supervisor, which runs on port {}",
            one_line(&sup.port)
        ),
    );
    line(o, "# Run: ``bin/supervisord``");
    line(o, "# Run: ``bin/supervisorctl --help``");
    line(o, "[supervisor]");
    line(o, "recipe = collective.recipe.supervisor");
    line(o, "port = ${ports:supervisor}");
    line(o, "user = ${users:supervisor-admin}");
    line(o, "password = ${passwords:supervisor-admin}");
    line(
        o,
        "serverurl = http://${hosts:supervisor}:${ports:supervisor}",
    );
    line(o, "programs =");
    if t.first(Kind::Memcached).is_some() {
        line(
            o,
            "    0  memcached  ${memcached-build:location}/bin/memcached true ${users:memcached}",
        );
        line(o, "");
    }
    for (c, _) in &instances {
        let user = if c.user == zope_process {
            "${users:zope-process}".to_string()
        } else {
            value(&c.user)
        };
        line(
            o,
            &format!(
                "    {} {:<10} ${{buildout:directory}}/bin/{} [console] true {user}",
                priority(Kind::Zope),
                c.id,
                c.id
            ),
        );
    }
    if !instances.is_empty() {
        line(o, "");
    }
    if t.first(Kind::Haproxy).is_some() {
        line(
            o,
            &format!(
                "    {} haproxy    ${{buildout:directory}}/bin/haproxy       [-f ${{buildout:directory}}/etc/haproxy.conf] true ${{users:haproxy}}",
                priority(Kind::Haproxy)
            ),
        );
    }
    if t.first(Kind::Varnish).is_some() {
        line(
            o,
            &format!(
                "    {} varnish    ${{varnish-build:location}}/sbin/varnishd [-F -s ${{varnish-options:storage}} -f ${{buildout:directory}}/etc/varnish.vcl -a ${{hosts:varnish}}:${{ports:varnish}} ${{varnish-options:tuning}}] true ${{users:varnish}}",
                priority(Kind::Varnish)
            ),
        );
    }
    if t.first(Kind::Nginx).is_some() {
        line(
            o,
            &format!(
                "    {} nginx      ${{nginx-build:location}}/sbin/nginx true",
                priority(Kind::Nginx)
            ),
        );
    }

    let extras = extras(t, &exercise);
    if !extras.is_empty() {
        line(o, "");
        line(
            o,
            "# Values of the Stackwright design the exercise's layout has no place for.",
        );
        line(
            o,
            "# buildout ignores this section; Stackwright's import reads it.",
        );
        line(o, "[stackwright]");
        for (key, val) in extras {
            kv(o, 0, key, &val);
        }
    }
    out
}

/// The kind settings of a design, or the exercise's when the design lacks the kind.
fn settings_of<T: Clone>(
    design: &mut Topology,
    exercise: &mut Topology,
    get: fn(&mut Topology) -> Option<&mut T>,
) -> T {
    get(design)
        .cloned()
        .or_else(|| get(exercise).cloned())
        .expect("the exercise has every kind")
}

/// `[stackwright]` entries: values that differ from the exercise's and that the
/// exercise's layout cannot carry.
fn extras(t: &Topology, exercise: &Topology) -> Vec<(&'static str, String)> {
    let mut design = t.clone();
    let mut base = exercise.clone();
    let mut out = Vec::new();
    let mut push = |key: &'static str, mine: Option<String>, theirs: Option<String>| {
        if let Some(mine) = mine
            && Some(&mine) != theirs.as_ref()
        {
            out.push((key, mine));
        }
    };
    push(
        "name",
        Some(t.settings.name.clone()),
        Some(exercise.settings.name.clone()),
    );
    push(
        "install-dir",
        Some(t.settings.install_dir.clone()),
        Some(exercise.settings.install_dir.clone()),
    );
    let host = |t: &Topology| t.hosts.first().map(|h| (h.id.clone(), h.address.clone()));
    push("host", host(t).map(|h| h.0), host(exercise).map(|h| h.0));
    push(
        "host-address",
        host(t).map(|h| h.1),
        host(exercise).map(|h| h.1),
    );
    let addr = |t: &Topology, k| t.first(k).map(|c| c.address.clone());
    push(
        "nginx-address",
        addr(t, Kind::Nginx),
        addr(exercise, Kind::Nginx),
    );
    let n = (nginx(&mut design).cloned(), nginx(&mut base).cloned());
    if let (Some(mine), Some(theirs)) = n {
        push(
            "certificate",
            Some(mine.certificate),
            Some(theirs.certificate),
        );
        push(
            "certificate-key",
            Some(mine.certificate_key),
            Some(theirs.certificate_key),
        );
        push(
            "status-path",
            Some(mine.status_path),
            Some(theirs.status_path),
        );
    }
    if let (Some(mine), Some(theirs)) = (haproxy(&mut design).cloned(), haproxy(&mut base).cloned())
    {
        push(
            "haproxy-balance",
            Some(mine.balance.id().to_string()),
            Some(theirs.balance.id().to_string()),
        );
        // The importer derives maxconn from the instances' threads; only a different
        // value needs writing.
        let derived = t
            .of_kind(Kind::Zope)
            .map(|c| match &c.kind {
                ComponentKind::Zope(z) => t.effective_instance(z).threads.parse::<u64>().ok(),
                _ => None,
            })
            .collect::<Option<Vec<u64>>>()
            .and_then(|v| v.into_iter().min())
            .map_or(theirs.maxconn_per_server.clone(), |m| m.to_string());
        push(
            "haproxy-maxconn",
            Some(mine.maxconn_per_server),
            Some(derived),
        );
        push(
            "haproxy-check-interval",
            Some(mine.check_interval_ms),
            Some(theirs.check_interval_ms),
        );
        push("haproxy-fall", Some(mine.fall), Some(theirs.fall));
        push("haproxy-rise", Some(mine.rise), Some(theirs.rise));
    }
    push(
        "memcached-memory",
        memcached(&mut design).map(|m| m.memory_mb.clone()),
        memcached(&mut base).map(|m| m.memory_mb.clone()),
    );
    push(
        "database-flavor",
        database(&mut design).map(|d| d.flavor.id().to_string()),
        database(&mut base).map(|d| d.flavor.id().to_string()),
    );
    out
}

fn switch(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// A value as buildout reads it back: `$` doubled so it is not a substitution, and
/// line breaks flattened so the value stays on its line.
fn value(text: &str) -> String {
    one_line(text).replace('$', "$$")
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

fn line(out: &mut String, text: &str) {
    out.push_str(text);
    out.push('\n');
}

/// `key = value`, the key padded to `width` as the exercise aligns its sections.
fn kv(out: &mut String, width: usize, key: &str, val: &str) {
    let _ = writeln!(out, "{key:<width$} = {}", value(val));
}

/// `key = ${reference}`, written as it is.
fn reference(out: &mut String, width: usize, key: &str, reference: &str) {
    let _ = writeln!(out, "{key:<width$} = {reference}");
}

/// A list value: on the key's line when it has one entry, else one entry per line.
fn list(out: &mut String, width: usize, key: &str, items: &[String]) {
    match items {
        [one] => kv(out, width, key, one),
        _ => {
            let _ = writeln!(out, "{key:<width$} =");
            for item in items {
                let _ = writeln!(out, "    {}", value(item));
            }
        }
    }
}

/// Supervisor's priority for `kind`, as the bundle gives it.
fn priority(kind: Kind) -> u32 {
    kind.start_priority().unwrap_or_default()
}
