//! Connections and the chain they make: nginx -> Varnish -> HAProxy -> Zope -> the database.

use std::collections::BTreeSet;

use crate::field;
use crate::model::*;
use crate::network::{connect_address, connection_allowed};
use crate::syntax::{self, AddressKind};

use super::{Checks, Rule, Target};

impl<'a> Checks<'a> {
    pub(super) fn connections(&mut self) {
        let t = self.design;
        let mut seen = BTreeSet::new();
        for conn in &t.connections {
            let target = Target::Connection {
                from: conn.from.clone(),
                to: conn.to.clone(),
            };
            let (Some(from), Some(to)) = (t.component(&conn.from), t.component(&conn.to)) else {
                let missing = if t.component(&conn.from).is_none() {
                    &conn.from
                } else {
                    &conn.to
                };
                self.push(
                    Rule::ConnectionDangling,
                    target,
                    format!(
                        "the connection {} -> {} names {missing:?}, which does not exist",
                        conn.from, conn.to
                    ),
                    "delete the connection",
                );
                continue;
            };
            if !seen.insert((conn.from.as_str(), conn.to.as_str())) {
                self.push(
                    Rule::ConnectionDuplicate,
                    target,
                    format!("{} is connected to {} twice", from.name, to.name),
                    "delete the extra connection",
                );
                continue;
            }
            if let Err(reason) = connection_allowed(from.kind(), to.kind()) {
                self.push(Rule::ConnectionRefused, target, reason.to_string(), "connect each tier to the next: nginx -> Varnish -> HAProxy -> Zope -> database");
                continue;
            }
            if from.host != to.host
                && syntax::address_kind(&to.address) == Some(AddressKind::Loopback)
            {
                self.push(
                    Rule::ConnectionLoopback,
                    target,
                    format!(
                        "{} on host {} cannot reach {} on host {}: it listens on loopback {}",
                        from.name, from.host, to.name, to.host, to.address
                    ),
                    format!("make {} listen on its host's address or 0.0.0.0", to.name),
                );
            }
        }
    }

    /// The chain from nginx reaches the instances through every tier that exists.
    pub(super) fn chain(&mut self) {
        let t = self.design;
        let Some(nginx) = t.first(Kind::Nginx) else {
            self.push(
                Rule::ChainBroken,
                Target::Setting("components"),
                "the design has no nginx, so nothing answers the public",
                "add nginx and connect it to the next tier",
            );
            return;
        };
        let instances: Vec<&Component> = t.of_kind(Kind::Zope).collect();
        self.front_tiers(nginx, &instances);
        self.reached_from(nginx, &instances);
        self.instance_targets(&instances);
        self.varnish_backend();
        self.maxconn();
        self.open_files(&instances);
    }

    /// Each front tier (nginx, Varnish) sends to exactly one next hop: the next tier that
    /// exists, and only HAProxy balances.
    fn front_tiers(&mut self, nginx: &'a Component, instances: &[&'a Component]) {
        let t = self.design;
        let varnish = t.first(Kind::Varnish);
        let haproxy = t.first(Kind::Haproxy);
        let expected_next = |kind: Kind| match kind {
            Kind::Nginx => varnish.or(haproxy).map(|c| c.kind()).unwrap_or(Kind::Zope),
            Kind::Varnish => haproxy.map(|c| c.kind()).unwrap_or(Kind::Zope),
            _ => Kind::Zope,
        };
        for front in [Some(nginx), varnish].into_iter().flatten() {
            let next: Vec<&Component> = t
                .connections
                .iter()
                .filter(|c| c.from == front.id && is_allowed(t, c))
                .filter_map(|c| t.component(&c.to))
                .collect();
            let want = expected_next(front.kind());
            for n in &next {
                if n.kind() != want {
                    self.push(
                        Rule::TierSkipped,
                        Target::Connection {
                            from: front.id.clone(),
                            to: n.id.clone(),
                        },
                        format!(
                            "{} sends to {} and skips the {} tier",
                            front.name, n.name, want
                        ),
                        format!("connect {} to the {} instead", front.name, want),
                    );
                }
            }
            if want == Kind::Zope && instances.len() > 1 {
                self.push(
                    Rule::BalancerMissing,
                    Target::component_itself(&front.id),
                    format!(
                        "{} would have to balance {} instances but only HAProxy can",
                        front.name,
                        instances.len()
                    ),
                    "add HAProxy between them, or keep a single instance",
                );
            }
            if next.len() > 1 && want != Kind::Zope {
                self.push(
                    Rule::TierSkipped,
                    Target::component_itself(&front.id),
                    format!(
                        "{} sends to {} components; it has one next hop",
                        front.name,
                        next.len()
                    ),
                    "keep one connection to the next tier",
                );
            }
        }
    }

    /// Every instance is reached by walking the connections from nginx.
    fn reached_from(&mut self, nginx: &'a Component, instances: &[&'a Component]) {
        let t = self.design;
        let mut reached = BTreeSet::new();
        let mut stack = vec![nginx.id.as_str()];
        while let Some(id) = stack.pop() {
            if !reached.insert(id) {
                continue;
            }
            for c in t
                .connections
                .iter()
                .filter(|c| c.from == id && is_allowed(t, c))
            {
                stack.push(&c.to);
            }
        }
        if !instances.iter().any(|i| reached.contains(&i.id.as_str())) {
            self.push(
                Rule::ChainBroken,
                Target::component_itself(&nginx.id),
                "no chain of connections leads from nginx to a Zope instance",
                "connect nginx -> Varnish -> HAProxy -> the instances",
            );
        } else {
            for i in instances {
                if !reached.contains(&i.id.as_str()) {
                    self.push(
                        Rule::InstanceUnreachable,
                        Target::component_itself(&i.id),
                        format!("no request from nginx ever reaches {}", i.name),
                        "connect HAProxy to it",
                    );
                }
            }
        }
    }

    /// Every instance uses the database, and the shared memcached when there is one.
    fn instance_targets(&mut self, instances: &[&'a Component]) {
        let t = self.design;
        for i in instances {
            let targets: Vec<Kind> = t.targets_of(&i.id).map(Component::kind).collect();
            if !targets.contains(&Kind::Database) {
                self.push(
                    Rule::InstanceNoDatabase,
                    Target::component_itself(&i.id),
                    format!("{} is not connected to a database", i.name),
                    "connect it to the database",
                );
            }
            if t.first(Kind::Memcached).is_some() && !targets.contains(&Kind::Memcached) {
                self.push(
                    Rule::InstanceNoMemcached,
                    Target::component_itself(&i.id),
                    format!("{} does not use the shared memcached", i.name),
                    "connect it to memcached so all instances share one cache",
                );
            }
        }
    }

    /// Varnish reaches its backend at an IP.
    fn varnish_backend(&mut self) {
        let t = self.design;
        let varnish = t.first(Kind::Varnish);
        if let (Some(v), Some(next)) = (varnish, varnish.and_then(|v| t.targets_of(&v.id).next())) {
            let address = connect_address(t, v, next);
            if !syntax::is_ip(&address) {
                self.push(
                    Rule::VarnishBackendNotIp,
                    Target::Connection {
                        from: v.id.clone(),
                        to: next.id.clone(),
                    },
                    format!(
                        "Varnish would reach {} at {address:?}, a name; a backend must be an IP",
                        next.name
                    ),
                    format!(
                        "make {} listen on an IP address, or give its host an IP address",
                        next.name
                    ),
                );
            }
        }
    }

    /// HAProxy sends no server more requests at once than its threads.
    fn maxconn(&mut self) {
        let t = self.design;
        let haproxy = t.first(Kind::Haproxy);
        if let Some(h) = haproxy
            && let ComponentKind::Haproxy(hp) = &h.kind
            && let Some(maxconn) = field::MAXCONN_PER_SERVER.parse(&hp.maxconn_per_server)
        {
            for i in t.targets_of(&h.id) {
                if let ComponentKind::Zope(z) = &i.kind
                    && let Some(threads) = field::THREADS.parse(&t.effective_instance(z).threads)
                    && maxconn > threads
                {
                    self.push(
                        Rule::MaxconnAboveThreads,
                        Target::field(&h.id, "maxconn_per_server"),
                        format!("HAProxy sends up to {maxconn} requests at once to {}, which has {threads} threads; the bundle uses {threads}", i.name),
                        format!("set maxconn per server to {threads} or fewer"),
                    );
                }
            }
        }
    }

    /// The open-file limit carries the requests the instances serve at once.
    fn open_files(&mut self, instances: &[&'a Component]) {
        let t = self.design;
        if let Some(open_files) = field::OPEN_FILES.parse(&t.settings.open_files) {
            let threads: u64 = instances
                .iter()
                .filter_map(|i| match &i.kind {
                    ComponentKind::Zope(z) => {
                        field::THREADS.parse(&t.effective_instance(z).threads)
                    }
                    _ => None,
                })
                .sum();
            // Each request in flight holds a client and an upstream socket in every proxy.
            let needed = 2 * threads + 16;
            if open_files < needed {
                self.push(
                    Rule::OpenFilesLow,
                    Target::Setting("open_files"),
                    format!("{open_files} open files cannot carry the {threads} requests the instances serve at once through the proxies (at least {needed})"),
                    format!("raise open files to {needed} or more"),
                );
            }
        }
    }
}

/// Whether a connection joins two components of the design in the chain's direction.
fn is_allowed(t: &Topology, c: &Connection) -> bool {
    matches!(
        (t.component(&c.from), t.component(&c.to)),
        (Some(a), Some(b)) if connection_allowed(a.kind(), b.kind()).is_ok()
    )
}
