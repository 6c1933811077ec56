//! The mapper: walks the resolved buildout section by section and fills a design that
//! starts as the exercise's, noting every line it cannot carry over.

use std::collections::BTreeSet;

use super::ImportNote;
use super::buildout::{Config, Loc, Problem, Resolver};
use super::tables::*;
use crate::model::*;
use crate::network::local_reach;

/// `host:port`, `[v6]:port` or a bare port (all interfaces), as zope2instance reads
/// `http-address`.
fn split_address(value: &str) -> (String, String) {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix('[')
        && let Some((host, port)) = rest.split_once("]:")
    {
        return (host.to_string(), port.to_string());
    }
    match value.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => (host.to_string(), port.to_string()),
        Some((_, port)) => ("0.0.0.0".into(), port.to_string()),
        None => ("0.0.0.0".into(), value.to_string()),
    }
}

/// zope2instance's on/off switches; ZConfig reads these spellings.
fn parse_switch(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Some(true),
        "off" | "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// `instanceN` -> N.
fn instance_number(part: &str) -> Option<usize> {
    part.strip_prefix("instance")?.parse().ok()
}

/// What the instance template says, before any instance overrides it.
struct TemplateValues {
    threads: String,
    zodb_cache_size: String,
    debug_mode: bool,
    verbose_security: bool,
}

pub(super) struct Mapper<'a> {
    resolver: Resolver<'a>,
    problems: Vec<Problem>,
    main: String,
    design: Topology,
    /// Sections reported as missing, so each is reported once.
    absent_sections: BTreeSet<String>,
    /// The plone.recipe.zope2instance parts, in buildout's order.
    instances: Vec<String>,
    /// The section the instances take their options from with `<=`.
    template: Option<String>,
    /// The collective.recipe.supervisor part.
    supervisor: Option<String>,
}

impl<'a> Mapper<'a> {
    pub(super) fn new(config: &'a Config, problems: Vec<Problem>, main: String) -> Mapper<'a> {
        Mapper {
            resolver: Resolver::new(config),
            problems,
            main,
            design: Topology::exercise(),
            absent_sections: BTreeSet::new(),
            instances: Vec::new(),
            template: None,
            supervisor: None,
        }
    }

    /// The design the mapping made.
    pub(super) fn into_design(self) -> Topology {
        self.design
    }

    fn note(&mut self, loc: &Loc, reason: impl Into<String>) {
        self.problems.push(Problem {
            loc: loc.clone(),
            reason: reason.into(),
        });
    }

    /// A note on a section's first header, or on the main file when no file has it.
    fn note_section(&mut self, section: &str, reason: impl Into<String>) {
        let loc = self.header(section);
        self.note(&loc, reason);
    }

    fn header(&self, section: &str) -> Loc {
        self.resolver
            .section(section)
            .and_then(|s| s.headers.first().cloned())
            .unwrap_or_else(|| Loc {
                file: self.main.clone(),
                line: 0,
                text: String::new(),
            })
    }

    fn has_section(&self, section: &str) -> bool {
        self.resolver
            .section(section)
            .is_some_and(|s| !s.headers.is_empty())
    }

    /// The recipe of a section, as written (recipes are not substituted in practice).
    fn recipe(&self, section: &str) -> Option<String> {
        let recipe = self.resolver.option(section, "recipe")?.raw();
        Some(recipe.trim().to_string())
    }

    fn is_recipe(&self, section: &str, recipe: &str) -> bool {
        self.recipe(section).is_some_and(|r| {
            r == recipe
                || r.starts_with(&format!("{recipe}:"))
                || r.starts_with(&format!("{recipe}["))
        })
    }

    pub(super) fn is_deployment(&self) -> bool {
        let config = self.resolver.config();
        VALUE_SECTIONS
            .iter()
            .filter(|s| **s != "buildout")
            .any(|s| self.has_section(s))
            || config
                .sections
                .keys()
                .any(|s| self.is_recipe(s, ZOPE_RECIPE) || self.is_recipe(s, SUPERVISOR_RECIPE))
    }

    /// `[section] key` after substitution, trimmed. A value that cannot be fully
    /// substituted is reported and not used.
    fn get(&mut self, section: &str, key: &str) -> Option<(String, Loc)> {
        let loc = self.resolver.option(section, key)?.loc.clone();
        let resolved = self.resolver.value(section, key)?;
        if resolved.problems.is_empty() {
            return Some((resolved.text.trim().to_string(), loc));
        }
        for problem in resolved.problems {
            self.note(
                &loc,
                format!("[{section}] {key} cannot be substituted: {problem}; the design keeps its own value"),
            );
        }
        None
    }

    fn text(&mut self, section: &str, key: &str) -> Option<String> {
        self.get(section, key).map(|(v, _)| v)
    }

    /// Reports that `[section] key` is not set and what the design keeps instead.
    fn absent(&mut self, section: &str, key: &str, kept: &str) {
        if !self.has_section(section) {
            if self.absent_sections.insert(section.to_string()) {
                self.note_section(
                    section,
                    format!("no given file has a [{section}] section; the design keeps the exercise's values for it"),
                );
            }
            return;
        }
        self.note_section(
            section,
            format!("[{section}] sets no {key}; the design keeps {kept:?}"),
        );
    }

    pub(super) fn run(&mut self) {
        self.map_option_fields();
        self.map_special_fields();
        self.find_instances();
        self.map_instances();
        self.map_supervisor();
        self.check_backends();
        self.connect();
    }

    fn map_option_fields(&mut self) {
        for OptionField {
            section,
            key,
            field,
            required,
        } in option_fields()
        {
            let Some(current) = field(&mut self.design).cloned() else {
                continue;
            };
            match self.resolver.option(section, key) {
                Some(_) => {
                    if let Some(value) = self.text(section, key)
                        && let Some(target) = field(&mut self.design)
                    {
                        *target = value;
                    }
                }
                None if required => self.absent(section, key, &current),
                None => {}
            }
        }
    }

    fn map_special_fields(&mut self) {
        if self.resolver.option("hosts", "allow-purge").is_some() {
            if let Some(acl) = self.text("hosts", "allow-purge")
                && let Some(v) = varnish(&mut self.design)
            {
                v.purge_acl = acl.split_whitespace().map(str::to_string).collect();
            }
        } else {
            let kept = varnish(&mut self.design)
                .map(|v| v.purge_acl.join(" "))
                .unwrap_or_default();
            self.absent("hosts", "allow-purge", &kept);
        }
        if let Some((balance, loc)) = self.get("stackwright", "haproxy-balance") {
            match Balance::from_id(&balance) {
                Some(b) => {
                    if let Some(h) = haproxy(&mut self.design) {
                        h.balance = b;
                    }
                }
                None => self.note(
                    &loc,
                    format!("{balance:?} is not a balance Stackwright knows (leastconn, roundrobin, source); the design keeps leastconn"),
                ),
            }
        }
        if let Some((flavor, loc)) = self.get("stackwright", "database-flavor") {
            match DatabaseFlavor::from_id(&flavor) {
                Some(f) => {
                    if let Some(d) = database(&mut self.design) {
                        d.flavor = f;
                    }
                }
                None => self.note(
                    &loc,
                    format!("{flavor:?} is not a database Stackwright knows (mariadb, mysql); the design keeps MariaDB"),
                ),
            }
        }
        let host = self.text("stackwright", "host");
        let host_address = self.text("stackwright", "host-address");
        if let Some(first) = self.design.hosts.first_mut() {
            if let Some(id) = host {
                first.id = id;
            }
            if let Some(address) = host_address {
                first.address = address;
            }
        }
        // A buildout runs on one machine: everything goes on the design's first host.
        self.design.hosts.truncate(1);
        if let Some(id) = self.design.hosts.first().map(|h| h.id.clone()) {
            for c in &mut self.design.components {
                c.host = id.clone();
            }
        }
    }

    /// Picks the plone.recipe.zope2instance parts buildout would build and the template
    /// they take their options from.
    fn find_instances(&mut self) {
        let config = self.resolver.config();
        let candidates: Vec<String> = config
            .sections
            .keys()
            .filter(|s| self.is_recipe(s, ZOPE_RECIPE))
            .cloned()
            .collect();
        let macro_sources: BTreeSet<String> = candidates
            .iter()
            .flat_map(|c| config.sections[c].macros.iter().cloned())
            .collect();
        // Line by line, so that a note points at the line that names the part.
        let parts = match self.resolver.option("buildout", "parts") {
            Some(opt) => {
                let mut seen = BTreeSet::new();
                let mut parts = Vec::new();
                for line in &opt.lines {
                    let resolved = self.resolver.text(&line.text, "buildout");
                    for problem in &resolved.problems {
                        self.note(
                            &line.loc,
                            format!("[buildout] parts cannot be fully substituted: {problem}"),
                        );
                    }
                    for part in resolved.text.split_whitespace() {
                        if part.contains("${") || !seen.insert(part.to_string()) {
                            continue;
                        }
                        if !config.sections.contains_key(part) {
                            self.note(
                                &line.loc,
                                format!("part {part} has no section in the given files; buildout would stop here"),
                            );
                        }
                        parts.push(part.to_string());
                    }
                }
                Some(parts)
            }
            None => None,
        };
        let mut instances: Vec<String> = match &parts {
            Some(parts) => parts
                .iter()
                .filter(|p| candidates.contains(p))
                .cloned()
                .collect(),
            None => candidates
                .iter()
                .filter(|c| !macro_sources.contains(*c))
                .cloned()
                .collect(),
        };
        if parts.is_none() {
            // Without a parts list, number order: instance2 before instance10.
            instances.sort_by_key(|p| (instance_number(p).unwrap_or(usize::MAX), p.clone()));
        }
        let first_macro = |p: &String| config.sections[p].macros.first().cloned();
        let template = match instances.first().and_then(first_macro) {
            Some(t)
                if instances
                    .iter()
                    .all(|p| first_macro(p).as_ref() == Some(&t)) =>
            {
                Some(t)
            }
            _ => Some("instance".to_string())
                .filter(|t| config.sections.contains_key(t) && !instances.contains(t)),
        };
        for candidate in &candidates {
            if !instances.contains(candidate) && Some(candidate) != template.as_ref() {
                let loc = self.header(candidate);
                self.note(
                    &loc,
                    format!("[{candidate}] uses {ZOPE_RECIPE} but is not in buildout's parts, so buildout does not build it; not imported"),
                );
            }
        }
        if instances.is_empty() {
            let loc = self.header("buildout");
            self.note(
                &loc,
                format!("no part uses {ZOPE_RECIPE}; the design has no Zope instance"),
            );
        }
        let supervisor = parts
            .iter()
            .flatten()
            .find(|p| self.is_recipe(p, SUPERVISOR_RECIPE))
            .cloned()
            .or_else(|| Some("supervisor".to_string()).filter(|s| self.has_section(s)));
        self.instances = instances;
        self.template = template;
        self.supervisor = supervisor;
    }

    /// The template's values: from the template section, else from the first instance.
    fn template_values(&mut self) -> TemplateValues {
        let base = self.design.settings.instance.clone();
        let source = self
            .template
            .clone()
            .or_else(|| self.instances.first().cloned());
        let mut values = TemplateValues {
            threads: base.threads,
            zodb_cache_size: base.zodb_cache_size,
            debug_mode: base.debug_mode,
            verbose_security: base.verbose_security,
        };
        let Some(source) = source else {
            return values;
        };
        match self.threads(&source) {
            Some(threads) => values.threads = threads,
            None => self.note_section(
                &source,
                format!(
                    "[{source}] sets no zserver-threads; the recipe's default depends on its version, the design keeps {}",
                    values.threads
                ),
            ),
        }
        match self.text(&source, "zodb-cache-size") {
            Some(size) => values.zodb_cache_size = size,
            None if self.resolver.option(&source, "zodb-cache-size").is_none() => self.note_section(
                &source,
                format!(
                    "[{source}] sets no zodb-cache-size; the recipe's default depends on its version, the design keeps {}",
                    values.zodb_cache_size
                ),
            ),
            None => {}
        }
        if let Some(on) = self.switch(&source, "debug-mode") {
            values.debug_mode = on;
        }
        if let Some(on) = self.switch(&source, "verbose-security") {
            values.verbose_security = on;
        }
        values
    }

    fn threads(&mut self, section: &str) -> Option<String> {
        self.text(section, "zserver-threads")
            .or_else(|| self.text(section, "threads"))
    }

    /// An on/off option; a value that is neither is reported and not used.
    fn switch(&mut self, section: &str, key: &str) -> Option<bool> {
        let (value, loc) = self.get(section, key)?;
        let on = parse_switch(&value);
        if on.is_none() {
            self.note(
                &loc,
                format!("{value:?} is not on or off; the design keeps its own value"),
            );
        }
        on
    }

    fn map_instances(&mut self) {
        let template = self.template_values();
        self.design.settings.instance = InstanceTemplate {
            threads: template.threads.clone(),
            zodb_cache_size: template.zodb_cache_size.clone(),
            debug_mode: template.debug_mode,
            verbose_security: template.verbose_security,
        };
        let source = self
            .template
            .clone()
            .or_else(|| self.instances.first().cloned());
        if let Some(source) = source.clone() {
            self.map_admin(&source);
            match self.switch(&source, "shared-blob") {
                Some(on) => self.design.settings.shared_blobs = on,
                None if self.resolver.option(&source, "shared-blob").is_none() => {
                    self.design.settings.shared_blobs = false;
                    self.note_section(
                        &source,
                        format!("[{source}] sets no shared-blob; {ZOPE_RECIPE}'s default is off, and so is the design's"),
                    );
                }
                None => {}
            }
            self.map_rel_storage(&source);
        }
        let positions: Vec<Position> = self
            .design
            .of_kind(Kind::Zope)
            .map(|c| c.position)
            .collect();
        let first = positions.first().copied().unwrap_or_default();
        let step = match positions.as_slice() {
            [a, b, ..] => b.y - a.y,
            _ => 100,
        };
        let zope_process = self.text("users", "zope-process");
        let host = self
            .design
            .hosts
            .first()
            .map(|h| h.id.clone())
            .unwrap_or_default();
        let mut components = Vec::new();
        for (i, part) in self.instances.clone().iter().enumerate() {
            let (address, port) = match self.get(part, "http-address") {
                Some((value, _)) => split_address(&value),
                None => {
                    if self.resolver.option(part, "http-address").is_none() {
                        self.note_section(
                            part,
                            format!("[{part}] sets no http-address; {ZOPE_RECIPE} then listens on 0.0.0.0:8080"),
                        );
                    }
                    ("0.0.0.0".into(), "8080".into())
                }
            };
            let user = self
                .text(part, "effective-user")
                .or_else(|| zope_process.clone())
                .unwrap_or_else(|| "nobody".into());
            let uses_macro = self
                .resolver
                .section(part)
                .is_some_and(|s| !s.macros.is_empty());
            let own = |m: &Self, key: &str| {
                m.resolver.option(part, key).is_some_and(|o| !o.inherited) && uses_macro
            };
            let is_template = source.as_deref() == Some(part.as_str());
            let threads = self.threads(part).filter(|v| {
                !is_template
                    && (own(self, "zserver-threads")
                        || own(self, "threads")
                        || *v != template.threads)
            });
            let zodb_cache_size = self.text(part, "zodb-cache-size").filter(|v| {
                !is_template && (own(self, "zodb-cache-size") || *v != template.zodb_cache_size)
            });
            let debug_mode = self
                .switch(part, "debug-mode")
                .filter(|v| !is_template && (own(self, "debug-mode") || *v != template.debug_mode));
            let verbose_security = self.switch(part, "verbose-security").filter(|v| {
                !is_template && (own(self, "verbose-security") || *v != template.verbose_security)
            });
            self.check_same_as_template(part);
            let name = match instance_number(part) {
                Some(n) => format!("Instance {n}"),
                None => part.clone(),
            };
            components.push(Component {
                id: part.clone(),
                name,
                host: host.clone(),
                address,
                user,
                position: Position {
                    x: first.x,
                    y: first.y + i as i32 * step,
                },
                kind: ComponentKind::Zope(ZopeInstance {
                    port,
                    threads,
                    zodb_cache_size,
                    debug_mode,
                    verbose_security,
                }),
            });
        }
        let at = self
            .design
            .components
            .iter()
            .position(|c| c.kind() == Kind::Zope)
            .unwrap_or(self.design.components.len());
        self.design.components.retain(|c| c.kind() != Kind::Zope);
        let at = at.min(self.design.components.len());
        self.design.components.splice(at..at, components);
        // HAProxy sends each instance no more requests than it has threads (rule 5),
        // unless the file says otherwise.
        if self
            .resolver
            .option("stackwright", "haproxy-maxconn")
            .is_none()
        {
            let t = &self.design;
            let threads: Option<Vec<u64>> = t
                .of_kind(Kind::Zope)
                .map(|c| match &c.kind {
                    ComponentKind::Zope(z) => t.effective_instance(z).threads.parse().ok(),
                    _ => None,
                })
                .collect();
            if let Some(min) = threads.and_then(|t| t.into_iter().min())
                && let Some(h) = haproxy(&mut self.design)
            {
                h.maxconn_per_server = min.to_string();
            }
        }
    }

    /// The Zope admin from zope2instance's `user = name:password`, which is what the
    /// recipe creates; [users]/[passwords] zope-admin are only its usual source.
    fn map_admin(&mut self, source: &str) {
        let Some((value, loc)) = self.get(source, "user") else {
            if self.resolver.option(source, "user").is_none()
                && self.resolver.option("users", "zope-admin").is_none()
            {
                let kept = self.design.settings.zope_admin_user.clone();
                self.note_section(
                    source,
                    format!("[{source}] sets no user (name:password) and [users] no zope-admin; the design keeps the admin {kept:?}"),
                );
            }
            return;
        };
        match value.split_once(':') {
            Some((user, password)) => {
                self.design.settings.zope_admin_user = user.to_string();
                self.design.settings.zope_admin_password = password.to_string();
            }
            None => self.note(
                &loc,
                "user should be name:password; the design keeps the admin from [users] and [passwords]",
            ),
        }
    }

    /// Reports options an instance sets differently from the template although the
    /// design has one value for all instances.
    fn check_same_as_template(&mut self, part: &str) {
        let Some(source) = self
            .template
            .clone()
            .or_else(|| self.instances.first().cloned())
        else {
            return;
        };
        if source == part {
            return;
        }
        for key in ["user", "rel-storage", "shared-blob"] {
            let (Some(mine), Some(theirs)) = (
                self.resolver.option(part, key),
                self.resolver.option(&source, key),
            ) else {
                continue;
            };
            if mine.inherited || mine.raw() == theirs.raw() {
                continue;
            }
            let loc = mine.loc.clone();
            self.note(
                &loc,
                format!("[{part}] sets its own {key}, but the design has one for all instances (from [{source}]); ignored"),
            );
        }
    }

    /// RelStorage's options, one `key value` per line.
    fn map_rel_storage(&mut self, source: &str) {
        let Some(opt) = self.resolver.option(source, "rel-storage") else {
            self.note_section(
                source,
                format!("[{source}] has no rel-storage, so its instances use a FileStorage; the design always keeps the ZODB in the database"),
            );
            return;
        };
        let lines = opt.lines.clone();
        let mut cache_servers = None;
        for line in lines {
            if line.text.trim().is_empty() {
                continue;
            }
            let resolved = self.resolver.text(&line.text, source);
            if !resolved.problems.is_empty() {
                for problem in resolved.problems {
                    self.note(
                        &line.loc,
                        format!("rel-storage line cannot be substituted: {problem}; not imported"),
                    );
                }
                continue;
            }
            let text = resolved.text.trim().to_string();
            let (key, value) = match text.split_once(char::is_whitespace) {
                Some((k, v)) => (k.to_string(), v.trim().to_string()),
                None => (text.clone(), String::new()),
            };
            match key.as_str() {
                "type" => {
                    if !value.eq_ignore_ascii_case("mysql") {
                        self.note(
                            &line.loc,
                            format!("RelStorage on {value} is not something the design can hold (MySQL or MariaDB only); it keeps MariaDB"),
                        );
                    }
                }
                "db" => set(database(&mut self.design).map(|d| &mut d.db_name), value),
                "user" => set(database(&mut self.design).map(|d| &mut d.db_user), value),
                "passwd" => set(database(&mut self.design).map(|d| &mut d.password), value),
                "host" => set(of_kind(&mut self.design, Kind::Database).map(|c| &mut c.address), value),
                "port" => set(database(&mut self.design).map(|d| &mut d.port), value),
                "cache-servers" => cache_servers = Some((value, line.loc.clone())),
                // The bundle decides where blobs live.
                "blob-dir" => {}
                _ => self.note(
                    &line.loc,
                    format!("RelStorage option {key} is not part of the design; the bundle writes its own RelStorage settings"),
                ),
            }
        }
        match cache_servers {
            Some((servers, loc)) => {
                let memcached = self.design.first(Kind::Memcached).map(|m| {
                    (local_reach(&m.address), m.main_port().to_string())
                });
                let listed: Vec<(String, String)> = servers
                    .split_whitespace()
                    .map(|s| {
                        let (host, port) = split_address(s);
                        (local_reach(&host), port)
                    })
                    .collect();
                if listed.len() != 1 || memcached.as_ref() != listed.first() {
                    self.note(
                        &loc,
                        format!("cache-servers {servers} is not the memcached of [hosts] and [ports]; the design connects every instance to that one memcached"),
                    );
                }
            }
            None => self.note(
                &opt.loc,
                "rel-storage sets no cache-servers; the design connects every instance to memcached",
            ),
        }
    }

    fn map_supervisor(&mut self) {
        let Some(part) = self.supervisor.clone() else {
            let loc = self.header("buildout");
            self.note(
                &loc,
                format!("no {SUPERVISOR_RECIPE} part; the design keeps the exercise's supervisor"),
            );
            return;
        };
        if !self.is_recipe(&part, SUPERVISOR_RECIPE) {
            let recipe = self.recipe(&part).unwrap_or_default();
            self.note_section(
                &part,
                format!(
                    "[{part}] uses recipe {recipe:?}, not {SUPERVISOR_RECIPE}; read as if it were"
                ),
            );
        }
        if let Some((port, _)) = self.get(&part, "port") {
            let (host, port) = match port.rsplit_once(':') {
                Some((host, port)) => (Some(host.to_string()), port.to_string()),
                None => (None, port),
            };
            set(supervisor(&mut self.design).map(|s| &mut s.port), port);
            if let Some(host) = host.filter(|h| !h.is_empty()) {
                set(
                    of_kind(&mut self.design, Kind::Supervisor).map(|c| &mut c.address),
                    host,
                );
            }
        } else if self.resolver.option(&part, "port").is_none()
            && self.resolver.option("ports", "supervisor").is_none()
        {
            let kept = supervisor(&mut self.design)
                .map(|s| s.port.clone())
                .unwrap_or_default();
            self.note_section(
                &part,
                format!("[{part}] sets no port; the design keeps {kept}"),
            );
        }
        for (key, field) in [
            (
                "user",
                (|t| supervisor(t).map(|s| &mut s.admin_user)) as Field,
            ),
            ("password", |t| supervisor(t).map(|s| &mut s.password)),
        ] {
            if let Some(value) = self.text(&part, key) {
                set(field(&mut self.design), value);
            }
        }
        if let Some((url, loc)) = self.get(&part, "serverurl") {
            let expected = self
                .design
                .first(Kind::Supervisor)
                .map(|s| format!("http://{}:{}", local_reach(&s.address), s.main_port()));
            let given = url.strip_prefix("http://").map(|rest| {
                let (host, port) = split_address(rest.trim_end_matches('/'));
                format!("http://{}:{port}", local_reach(&host))
            });
            if given != expected {
                self.note(
                    &loc,
                    format!("serverurl {url} is not where [hosts] and [ports] put supervisor; the bundle's supervisorctl uses the design's"),
                );
            }
        }
        self.map_programs(&part);
    }

    /// collective.recipe.supervisor's `programs`: one
    /// `priority name command [args] [directory] [redirect_stderr] [user]` per line.
    fn map_programs(&mut self, part: &str) {
        let Some(opt) = self.resolver.option(part, "programs") else {
            self.note_section(
                part,
                format!("[{part}] lists no programs; the bundle's supervisord runs every component anyway"),
            );
            return;
        };
        let opt_loc = opt.loc.clone();
        let mut seen = BTreeSet::new();
        for line in opt.lines.clone() {
            let tokens = program_tokens(&line.text);
            if tokens.is_empty() {
                continue;
            }
            let [priority_text, name, _command, rest @ ..] = tokens.as_slice() else {
                self.note(
                    &line.loc,
                    "not a program line (priority name command [args] [directory] [redirect_stderr] [user]); skipped",
                );
                continue;
            };
            let name = self.resolve_token(name, part, &line.loc);
            let priority_text = self.resolve_token(priority_text, part, &line.loc);
            let (Some(name), Some(priority_text)) = (name, priority_text) else {
                continue;
            };
            let Ok(given_priority) = priority_text.parse::<u32>() else {
                self.note(
                    &line.loc,
                    format!("{priority_text:?} is not a priority; the line is skipped"),
                );
                continue;
            };
            let rest: Vec<&String> = rest.iter().filter(|t| !t.starts_with('[')).collect();
            let user_token = match rest
                .iter()
                .position(|t| matches!(t.as_str(), "true" | "false"))
            {
                Some(i) => rest.get(i + 1).copied(),
                None => rest.get(1).copied(),
            };
            let Some(component) = self.design.component(&name).cloned() else {
                self.note(
                    &line.loc,
                    format!("program {name} is not a component of the design; ignored"),
                );
                continue;
            };
            seen.insert(name.clone());
            if let Some(expected) = component.kind().start_priority()
                && expected != given_priority
            {
                self.note(
                    &line.loc,
                    format!(
                        "priority {given_priority} of {name} is not kept: the bundle starts programs in dependency order ({name} gets {expected})"
                    ),
                );
            }
            if let Some(token) = user_token
                && let Some(user) = self.resolve_token(token, part, &line.loc)
                && user != component.user
            {
                self.note(
                    &line.loc,
                    format!(
                        "program {name} runs as {user} here, but the design runs it as {} (from [users] or effective-user)",
                        component.user
                    ),
                );
            }
        }
        let missing: Vec<String> = self
            .design
            .components
            .iter()
            .filter(|c| c.kind().start_priority().is_some() && !seen.contains(&c.id))
            .map(|c| c.id.clone())
            .collect();
        if !missing.is_empty() {
            self.note(
                &opt_loc,
                format!(
                    "no program runs {}; the bundle's supervisord runs every component anyway",
                    missing.join(", ")
                ),
            );
        }
    }

    fn resolve_token(&mut self, token: &str, section: &str, loc: &Loc) -> Option<String> {
        let resolved = self.resolver.text(token, section);
        if resolved.problems.is_empty() {
            return Some(resolved.text);
        }
        for problem in resolved.problems {
            self.note(loc, format!("cannot substitute {problem}"));
        }
        None
    }

    /// nginx-backend and varnish-backend say where nginx and Varnish send requests;
    /// the design's chain is nginx -> Varnish -> HAProxy, so they must point there.
    fn check_backends(&mut self) {
        for (key, from, to) in [
            ("nginx-backend", "nginx", Kind::Varnish),
            ("varnish-backend", "Varnish", Kind::Haproxy),
        ] {
            let Some(target) = self.design.first(to).cloned() else {
                continue;
            };
            let expected = (local_reach(&target.address), target.main_port().to_string());
            let host = self.get("hosts", key);
            let port = self.get("ports", key);
            if let Some((host, loc)) = &host
                && local_reach(host) != expected.0
            {
                self.note(
                    loc,
                    format!(
                        "{from} sends requests to {host}, not to {to} ({}); the design keeps {from} -> {to}",
                        target.address
                    ),
                );
            }
            if let Some((port, loc)) = &port
                && *port != expected.1
            {
                self.note(
                    loc,
                    format!(
                        "{from} sends requests to port {port}, not to {to}'s {}; the design keeps {from} -> {to}",
                        expected.1
                    ),
                );
            }
        }
    }

    /// The exercise's chain: nginx -> Varnish -> HAProxy -> every instance -> the
    /// database and memcached.
    fn connect(&mut self) {
        let id = |t: &Topology, kind| t.first(kind).map(|c| c.id.clone());
        let t = &self.design;
        let (nginx, varnish, haproxy, database, memcached) = (
            id(t, Kind::Nginx),
            id(t, Kind::Varnish),
            id(t, Kind::Haproxy),
            id(t, Kind::Database),
            id(t, Kind::Memcached),
        );
        let mut connections = Vec::new();
        let mut link = |from: &Option<String>, to: &Option<String>| {
            if let (Some(from), Some(to)) = (from, to) {
                connections.push(Connection {
                    from: from.clone(),
                    to: to.clone(),
                });
            }
        };
        link(&nginx, &varnish);
        link(&varnish, &haproxy);
        for instance in t.of_kind(Kind::Zope).map(|c| Some(c.id.clone())) {
            link(&haproxy, &instance);
            link(&instance, &database);
            link(&instance, &memcached);
        }
        self.design.connections = connections;
    }

    /// Everything else in the files: options of the mapped sections the importer does
    /// not map, and whole sections it does not map, then every note in file order.
    pub(super) fn notes(&mut self, config: &Config) -> Vec<ImportNote> {
        let simple: Vec<(&str, &str)> = option_fields()
            .iter()
            .map(|s| (s.section, s.key))
            .chain(SPECIAL_KEYS)
            .collect();
        let instance_sections: BTreeSet<String> = self
            .instances
            .iter()
            .chain(self.template.iter())
            .cloned()
            .collect();
        for (name, section) in &config.sections {
            let value_section = VALUE_SECTIONS.contains(&name.as_str());
            if instance_sections.contains(name) || self.supervisor.as_ref() == Some(name) {
                let known: &[&str] = if instance_sections.contains(name) {
                    &INSTANCE_KEYS
                } else {
                    &SUPERVISOR_KEYS
                };
                for (key, opt) in &section.options {
                    // An option an instance inherits is reported on the template.
                    let on_template = opt.inherited
                        && self
                            .template
                            .as_ref()
                            .is_some_and(|t| t != name && self.resolver.option(t, key).is_some());
                    if !known.contains(&key.as_str()) && !on_template {
                        self.note(&opt.loc, option_reason(name, key, true));
                    }
                }
            } else if value_section {
                for (key, opt) in &section.options {
                    let is_instance =
                        matches!(name.as_str(), "hosts" | "ports") && self.instances.contains(key);
                    let builtin = name == "buildout" && BUILDOUT_BUILTINS.contains(&key.as_str());
                    if !simple.contains(&(name.as_str(), key.as_str())) && !is_instance && !builtin
                    {
                        self.note(&opt.loc, option_reason(name, key, false));
                    }
                }
            } else {
                let reason = section_reason(name, self.recipe(name).as_deref());
                for header in &section.headers {
                    // zope2instance sections left out were reported when instances
                    // were picked.
                    if !self.is_recipe(name, ZOPE_RECIPE) {
                        self.note(header, reason.clone());
                    }
                }
            }
        }
        let order = |file: &str| {
            config
                .files
                .iter()
                .position(|f| f == file)
                .unwrap_or(usize::MAX)
        };
        let mut notes: Vec<(usize, ImportNote)> = self
            .problems
            .iter()
            .map(|p| {
                (
                    order(&p.loc.file),
                    ImportNote {
                        file: p.loc.file.clone(),
                        line: p.loc.line,
                        text: if p.loc.line == 0 {
                            String::new()
                        } else {
                            p.loc.text.clone()
                        },
                        reason: p.reason.clone(),
                    },
                )
            })
            .collect();
        // Stable: notes of one line keep the order they were made in.
        notes.sort_by(|(a, x), (b, y)| (a, &x.file, x.line).cmp(&(b, &y.file, y.line)));
        // The same note from two places is kept once; sorted by file and line, a repeat
        // sits among the notes of its own line.
        let mut kept: Vec<ImportNote> = Vec::new();
        for (_, note) in notes {
            let repeated = kept
                .iter()
                .rev()
                .take_while(|k| k.file == note.file && k.line == note.line)
                .any(|k| k.reason == note.reason);
            if !repeated {
                kept.push(note);
            }
        }
        kept
    }
}

fn set(target: Option<&mut String>, value: String) {
    if let Some(target) = target {
        *target = value;
    }
}

/// Splits a program line into tokens, keeping `[args]` together.
fn program_tokens(line: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut words = line.split_whitespace();
    while let Some(word) = words.next() {
        if word.starts_with('[') && !word.ends_with(']') {
            let mut group = word.to_string();
            for next in words.by_ref() {
                group.push(' ');
                group.push_str(next);
                if next.ends_with(']') {
                    break;
                }
            }
            tokens.push(group);
        } else {
            tokens.push(word.to_string());
        }
    }
    tokens
}

/// Why an option of a section the importer reads is left out.
fn option_reason(section: &str, key: &str, part: bool) -> String {
    let why = match (section, key) {
        (_, "syslog") => "the design has no syslog target: the bundle's daemons log to files",
        ("buildout", _) => "a buildout setting, not part of the deployment's design",
        (_, "eggs") if part => {
            "the bundle installs Plone, RelStorage and PyMySQL from its own requirements; other eggs are not carried over"
        }
        (_, "http-fast-listen") => {
            "the bundle serves Zope with waitress (WSGI); ZServer's fast listen does not apply"
        }
        (_, "event-log-custom" | "access-log-custom" | "event-log-level") => {
            "the bundle writes its own logging configuration"
        }
        ("databases", _) => "the design has one database (zodb)",
        ("sites", _) => "the design serves one site (main)",
        _ => "not part of the design",
    };
    format!("[{section}] {key}: {why}; ignored")
}

/// Why a whole section is left out.
fn section_reason(section: &str, recipe: Option<&str>) -> String {
    match (section, recipe) {
        ("versions", _) => {
            "[versions] pins eggs; the bundle pins its own packages, so this section is ignored"
                .into()
        }
        (_, Some(recipe)) => format!(
            "[{section}] (recipe {recipe}) is not part of the design; ignored, the bundle sets up its own programs and files"
        ),
        _ => format!("[{section}] is not part of the design; ignored"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_like_zope2instance() {
        assert_eq!(
            split_address("127.0.0.1:8001"),
            ("127.0.0.1".into(), "8001".into())
        );
        assert_eq!(split_address("8080"), ("0.0.0.0".into(), "8080".into()));
        assert_eq!(split_address("[::1]:8080"), ("::1".into(), "8080".into()));
        assert_eq!(split_address(":8080"), ("0.0.0.0".into(), "8080".into()));
    }

    #[test]
    fn program_lines_keep_bracketed_args_together() {
        assert_eq!(
            program_tokens("20 haproxy  /bin/haproxy   [-f /etc/h.conf] true nobody"),
            [
                "20",
                "haproxy",
                "/bin/haproxy",
                "[-f /etc/h.conf]",
                "true",
                "nobody"
            ]
        );
    }
}
