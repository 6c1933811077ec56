//! What the chain's network means: which kind may send to which, what reaches what, and
//! the address one component uses to reach another.

use crate::model::{Component, Kind, Topology};
use crate::syntax::{self, AddressKind};

/// Why a component cannot send requests to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionRefused {
    #[error("{0} cannot send requests to itself")]
    ToItself(Kind),
    #[error("{from} does not send requests to other components")]
    SendsNothing { from: Kind },
    #[error("{from} cannot connect to {to}; it can connect to {}", allowed_labels(*.from))]
    AgainstFlow { from: Kind, to: Kind },
}

fn allowed_labels(from: Kind) -> String {
    let names: Vec<&str> = from.may_connect_to().iter().map(|k| k.label()).collect();
    names.join(", ")
}

/// Whether a component of kind `from` may send requests to one of kind `to`.
pub fn connection_allowed(from: Kind, to: Kind) -> Result<(), ConnectionRefused> {
    let allowed = from.may_connect_to();
    if allowed.contains(&to) {
        Ok(())
    } else if allowed.is_empty() {
        Err(ConnectionRefused::SendsNothing { from })
    } else {
        Err(ConnectionRefused::AgainstFlow { from, to })
    }
}

/// Whether a daemon bound to `address` is reachable from its own machine only.
pub fn is_loopback_only(address: &str) -> bool {
    syntax::address_kind(address) == Some(AddressKind::Loopback)
}

/// Whether `address` means every interface.
pub fn is_wildcard(address: &str) -> bool {
    syntax::address_kind(address) == Some(AddressKind::Wildcard)
}

/// Two bind addresses on one host collide when they are equal or one is a wildcard.
pub fn addresses_overlap(a: &str, b: &str) -> bool {
    let norm = |x: &str| {
        if x.eq_ignore_ascii_case("localhost") {
            "127.0.0.1".to_string()
        } else {
            x.to_ascii_lowercase()
        }
    };
    is_wildcard(a) || is_wildcard(b) || norm(a) == norm(b)
}

/// The address `from` uses to reach `to`: loopback on the same host, else the bind
/// address, or the host's address when `to` listens on every interface.
pub fn connect_address(t: &Topology, from: &Component, to: &Component) -> String {
    let same_host = from.host == to.host;
    match syntax::address_kind(&to.address) {
        Some(AddressKind::Wildcard) if same_host => "127.0.0.1".into(),
        Some(AddressKind::Wildcard) => t
            .host(&to.host)
            .map_or_else(|| to.address.clone(), |h| h.address.clone()),
        Some(AddressKind::Loopback) if to.address.eq_ignore_ascii_case("localhost") => {
            "127.0.0.1".into()
        }
        _ => to.address.clone(),
    }
}

/// The address requests from `from` arrive from at `to`. On one host that is the address
/// connected to: a connection to the host's own network address comes from that address,
/// not from 127.0.0.1 (a database user for `localhost` would not match it).
pub fn source_address(t: &Topology, from: &Component, to: &Component) -> String {
    if from.host == to.host {
        let to_address = connect_address(t, from, to);
        match syntax::address_kind(&to_address) {
            Some(AddressKind::Loopback) | Some(AddressKind::Wildcard) => "127.0.0.1".into(),
            _ => to_address,
        }
    } else {
        t.host(&from.host)
            .map_or_else(|| from.address.clone(), |h| h.address.clone())
    }
}

/// The address a client on the same machine reaches a daemon bound to `address` at: for
/// comparing `localhost`, loopback and wildcard binds with what another part connects to.
pub fn local_reach(address: &str) -> String {
    let a = address.trim().trim_start_matches('[').trim_end_matches(']');
    match a.to_ascii_lowercase().as_str() {
        "" | "localhost" | "0.0.0.0" | "::" | "*" | "::1" => "127.0.0.1".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_flows_one_way() {
        assert_eq!(connection_allowed(Kind::Nginx, Kind::Varnish), Ok(()));
        assert_eq!(
            connection_allowed(Kind::Varnish, Kind::Nginx)
                .unwrap_err()
                .to_string(),
            "Varnish cannot connect to nginx; it can connect to HAProxy, Zope instance"
        );
        assert_eq!(
            connection_allowed(Kind::Database, Kind::Zope),
            Err(ConnectionRefused::SendsNothing {
                from: Kind::Database
            })
        );
    }

    #[test]
    fn local_reach_folds_every_loopback_and_wildcard() {
        for a in ["", "localhost", "0.0.0.0", "::", "*", "::1", "[::1]"] {
            assert_eq!(local_reach(a), "127.0.0.1", "{a:?}");
        }
        assert_eq!(local_reach("10.0.0.2"), "10.0.0.2");
    }

    /// `scaled(4, 3)` (instance1 and instance3 on app1 at 10.0.1.2, instance2 and
    /// instance4 on app2 at 10.0.1.3) with the database moved to app2, bound to `address`.
    fn database_beside_instances(address: &str) -> Topology {
        let mut t = crate::defaults::production(
            crate::defaults::scaled(4, 3),
            &[42; crate::defaults::NEW_DESIGN_RANDOM],
        )
        .unwrap();
        let database = t.component_mut("database").expect("the database");
        database.host = "app2".into();
        database.address = address.into();
        t
    }

    /// Where each instance's connections to the database come from, by instance id.
    fn sources(t: &Topology) -> Vec<(String, String)> {
        let database = t.component("database").expect("the database");
        t.of_kind(Kind::Zope)
            .map(|i| (i.id.clone(), source_address(t, i, database)))
            .collect()
    }

    /// The users `CREATE USER` makes in the database host's SQL, as `'user'@'host'`.
    fn sql_users(t: &Topology) -> Vec<String> {
        let files = crate::render(t).expect("the design renders").files;
        let sql = &files["hosts/app2/sql/create-database.sql"].contents;
        sql.lines()
            .filter_map(|l| l.strip_prefix("CREATE USER IF NOT EXISTS "))
            .filter_map(|l| l.split(' ').next())
            .map(str::to_string)
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn an_instance_reaching_its_own_hosts_database_by_network_address_connects_from_it() {
        let t = database_beside_instances("10.0.1.3");
        assert_eq!(
            sources(&t),
            pairs(&[
                ("instance1", "10.0.1.2"),
                ("instance2", "10.0.1.3"),
                ("instance3", "10.0.1.2"),
                ("instance4", "10.0.1.3"),
            ])
        );
        // Not 'zope'@'localhost' for instance2 and instance4: they would be refused.
        assert_eq!(sql_users(&t), ["'zope'@'10.0.1.2'", "'zope'@'10.0.1.3'"]);
    }

    #[test]
    fn an_instance_reaching_its_own_hosts_database_on_every_interface_connects_from_loopback() {
        let t = database_beside_instances("0.0.0.0");
        assert_eq!(
            sources(&t),
            pairs(&[
                ("instance1", "10.0.1.2"),
                ("instance2", "127.0.0.1"),
                ("instance3", "10.0.1.2"),
                ("instance4", "127.0.0.1"),
            ])
        );
        assert_eq!(
            sql_users(&t),
            [
                "'zope'@'10.0.1.2'",
                "'zope'@'localhost'",
                "'zope'@'127.0.0.1'"
            ]
        );
    }

    #[test]
    fn wildcards_overlap_everything_on_a_host() {
        assert!(addresses_overlap("0.0.0.0", "10.0.0.1"));
        assert!(addresses_overlap("localhost", "127.0.0.1"));
        assert!(!addresses_overlap("127.0.0.1", "10.0.0.1"));
    }
}
