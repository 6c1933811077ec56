//! The Zope instances: which parts are instances, what their template says, each
//! instance's own values, its admin user and its RelStorage.

use std::collections::BTreeSet;

use super::{Mapper, set};
use crate::import::tables::*;
use crate::model::*;
use crate::network::local_reach;

/// `host:port`, `[v6]:port` or a bare port (all interfaces), as zope2instance reads
/// `http-address`.
pub(super) fn split_address(value: &str) -> (String, String) {
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

impl Mapper<'_> {
    /// Picks the plone.recipe.zope2instance parts buildout would build and the template
    /// they take their options from.
    pub(super) fn find_instances(&mut self) {
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

    pub(super) fn map_instances(&mut self) {
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
    /// recipe creates; `[users]`/`[passwords]` zope-admin are only its usual source.
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn addresses_split_like_zope2instance() {
        assert_eq!(
            split_address("127.0.0.1:8001"),
            ("127.0.0.1".into(), "8001".into())
        );
        assert_eq!(split_address("8080"), ("0.0.0.0".into(), "8080".into()));
        assert_eq!(split_address("[::1]:8080"), ("::1".into(), "8080".into()));
        assert_eq!(split_address(":8080"), ("0.0.0.0".into(), "8080".into()));
    }
}
