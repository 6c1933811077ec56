//! What must not be reachable from other machines, and shared state across hosts.

use std::collections::BTreeSet;

use crate::defaults::exercise_password;
use crate::model::*;
use crate::network::{is_loopback_only, source_address};
use crate::syntax::{self, AddressKind};

use super::{Checks, Rule, Target};

impl<'a> Checks<'a> {
    pub(super) fn security(&mut self) {
        let t = self.design;
        if let Some(v) = t.first(Kind::Varnish)
            && let ComponentKind::Varnish(varnish) = &v.kind
        {
            let acl: Vec<_> = varnish
                .purge_acl
                .iter()
                .filter_map(|e| syntax::parse_acl_entry(e))
                .collect();
            for i in t.of_kind(Kind::Zope) {
                let from = source_address(t, i, v);
                if !acl.iter().any(|e| e.covers(&from)) {
                    self.push(
                        Rule::PurgeAclUncovered,
                        Target::field(&v.id, "purge_acl"),
                        format!("{} sends PURGE requests from {from}, which the purge ACL does not allow", i.name),
                        format!("add {from} to the purge ACL"),
                    );
                }
            }
        }
        if let Some(h) = t.first(Kind::Haproxy)
            && let ComponentKind::Haproxy(hp) = &h.kind
            && hp.balance == Balance::Source
            && let Some(sender) = t
                .connections
                .iter()
                .find(|x| x.to == h.id)
                .and_then(|x| t.component(&x.from))
        {
            self.push(
                Rule::BalanceSourceBehindProxy,
                Target::field(&h.id, "balance"),
                format!(
                    "HAProxy balances by source address, but every request comes from {} at {}: one instance would take them all",
                    sender.name,
                    source_address(t, sender, h)
                ),
                "balance by least connections (or round robin)",
            );
        }
        if let Some(h) = t.first(Kind::Haproxy)
            && let ComponentKind::Haproxy(hp) = &h.kind
            && hp.stats_user.is_empty()
            && !is_loopback_only(&h.address)
        {
            self.push(
                Rule::StatsExposed,
                Target::field(&h.id, "stats_user"),
                format!(
                    "the HAProxy stats page listens on {} without a password",
                    h.address
                ),
                "bind HAProxy to loopback or set a stats user and password",
            );
        }
        if let Some(s) = t.first(Kind::Supervisor)
            && !is_loopback_only(&s.address)
            && let ComponentKind::Supervisor(sup) = &s.kind
            && (sup.password.is_empty() || sup.password == exercise_password())
        {
            self.push(
                Rule::SupervisorExposed,
                Target::field(&s.id, "password"),
                format!(
                    "supervisor's control panel listens on {} with a weak or no password",
                    s.address
                ),
                "bind supervisor to 127.0.0.1 or give it a strong password",
            );
        }
        // What only its own machine talks to listens on loopback: Zope's root, memcached's
        // pickles and the database are then out of reach whatever the firewall says.
        for c in &t.components {
            if !matches!(c.kind(), Kind::Zope | Kind::Memcached | Kind::Database)
                || is_loopback_only(&c.address)
            {
                continue;
            }
            let mut senders = t
                .connections
                .iter()
                .filter(|n| n.to == c.id)
                .filter_map(|n| t.component(&n.from))
                .peekable();
            if senders.peek().is_some() && senders.all(|s| s.host == c.host) {
                self.push(
                    Rule::BoundBeyondNeed,
                    Target::field(&c.id, "address"),
                    format!(
                        "{} listens on {}, though only its own machine ({}) sends to it",
                        c.name, c.address, c.host
                    ),
                    "bind it to 127.0.0.1",
                );
            }
        }
        if let Some(m) = t.first(Kind::Memcached) {
            if syntax::address_kind(&m.address) == Some(AddressKind::Wildcard) {
                self.push(
                    Rule::MemcachedExposed,
                    Target::field(&m.id, "address"),
                    "memcached listens on every interface and has no authentication",
                    "bind it to its host's address or to 127.0.0.1",
                );
            }
            self.push(
                Rule::MemcachedDeprecated,
                Target::component_itself(&m.id),
                "RelStorage's memcache support is deprecated; RelStorage's local cache does most of its work",
                "keep it for the exercise, or remove memcached in a new deployment",
            );
        }
        if t.settings.shared_blobs {
            let hosts: BTreeSet<&str> = t.of_kind(Kind::Zope).map(|c| c.host.as_str()).collect();
            if hosts.len() > 1 {
                self.push(
                    Rule::BlobsAcrossHosts,
                    Target::Setting("shared_blobs"),
                    format!(
                        "instances on {} hosts share one blob directory",
                        hosts.len()
                    ),
                    "mount the same var/blobstorage on every host (NFS), or turn off shared blobs",
                );
            }
        }
    }
}
