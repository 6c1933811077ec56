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

    #[test]
    fn wildcards_overlap_everything_on_a_host() {
        assert!(addresses_overlap("0.0.0.0", "10.0.0.1"));
        assert!(addresses_overlap("localhost", "127.0.0.1"));
        assert!(!addresses_overlap("127.0.0.1", "10.0.0.1"));
    }
}
