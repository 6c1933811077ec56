//! Supervisor and its programs, and the connections the programs' addresses imply.

use std::collections::BTreeSet;

use super::instances::split_address;
use super::{Mapper, set};
use crate::import::buildout::Loc;
use crate::import::tables::*;
use crate::model::*;
use crate::network::local_reach;

impl Mapper<'_> {
    pub(super) fn map_supervisor(&mut self) {
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
    pub(super) fn check_backends(&mut self) {
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
    pub(super) fn connect(&mut self) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn program_lines_keep_bracketed_args_together() {
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
