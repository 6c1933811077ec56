//! Growing and shrinking the chain: instances, hosts, components and connections, each
//! added where the rest of the design expects it (free ports, free ids, the canvas tier).

use super::{EditError, set};
use crate::defaults;
use crate::layout;
use crate::model::*;
use crate::network::{ConnectionRefused, connection_allowed};
use crate::syntax;
use crate::validate::MAX_INSTANCES;

/// The ports of every listener on `host`, typed or not, that parse.
fn ports_on(t: &Topology, host: &str) -> Vec<u16> {
    t.components
        .iter()
        .filter(|c| c.host == host)
        .flat_map(|c| c.listeners())
        .filter_map(|l| syntax::parse_port(l.port).ok())
        .map(syntax::Port::get)
        .collect()
}

/// The first port from `from` up that nothing on `host` listens on.
pub fn free_port(t: &Topology, host: &str, from: u16) -> Option<u16> {
    let taken = ports_on(t, host);
    (from..=u16::MAX).find(|p| !taken.contains(p))
}

/// The smallest `instance<n>` id no component has, and its `n`.
fn free_instance_id(t: &Topology) -> (usize, String) {
    (1..)
        .map(|n| (n, format!("instance{n}")))
        .find(|(_, id)| t.component(id).is_none())
        .expect("an unbounded range has a free id")
}

/// Adds a Zope instance like the last one: same host and bind address, on the next free
/// port after the highest instance port, drawn below the others, receiving from whatever
/// sent to the last instance and sending where it sent. Returns the new instance's id.
pub fn add_instance(t: &mut Topology) -> Result<String, EditError> {
    let instances: Vec<&Component> = t.of_kind(Kind::Zope).collect();
    if instances.len() >= MAX_INSTANCES {
        return Err(EditError::TooManyInstances);
    }
    room_for(t.components.len() + 1, "components")?;
    let (n, id) = free_instance_id(t);
    let template = instances.last().copied();
    let host = template
        .map(|c| c.host.clone())
        .or_else(|| t.hosts.first().map(|h| h.id.clone()))
        .unwrap_or_else(|| "localhost".into());
    let address = template.map_or_else(|| "127.0.0.1".to_string(), |c| c.address.clone());
    let highest = instances
        .iter()
        .filter_map(|c| syntax::parse_port(c.main_port()).ok())
        .map(syntax::Port::get)
        .max()
        .unwrap_or(8000);
    let port = free_port(t, &host, highest.saturating_add(1))
        .or_else(|| free_port(t, &host, 1024))
        .unwrap_or(highest);
    let position = match (template, instances.iter().map(|c| c.position.y).max()) {
        (Some(c), Some(bottom)) => Position::clamped(c.position.x, bottom + layout::ROW_HEIGHT),
        _ => Position {
            x: layout::tier_x(Kind::Zope),
            y: 0,
        },
    };
    let (senders, receivers): (Vec<String>, Vec<String>) = match template {
        Some(last) => (
            t.connections
                .iter()
                .filter(|c| c.to == last.id)
                .map(|c| c.from.clone())
                .collect(),
            t.connections
                .iter()
                .filter(|c| c.from == last.id)
                .map(|c| c.to.clone())
                .collect(),
        ),
        None => (
            t.first(Kind::Haproxy)
                .map(|c| c.id.clone())
                .into_iter()
                .collect(),
            [Kind::Database, Kind::Memcached]
                .into_iter()
                .filter_map(|k| t.first(k).map(|c| c.id.clone()))
                .collect(),
        ),
    };
    room_for(
        t.connections.len() + senders.len() + receivers.len(),
        "connections",
    )?;
    let mut component = defaults::zope_instance(n, &host, &address, u32::from(port), position);
    if let Some(last) = template {
        component.user = last.user.clone();
    }
    t.components.push(component);
    t.connections
        .extend(senders.into_iter().map(|from| Connection {
            from,
            to: id.clone(),
        }));
    t.connections
        .extend(receivers.into_iter().map(|to| Connection {
            from: id.clone(),
            to,
        }));
    Ok(id)
}

/// Removes a Zope instance and every connection to and from it; the last one stays.
pub fn remove_instance(t: &mut Topology, id: &str) -> Result<(), EditError> {
    if t.component(id).map(Component::kind) != Some(Kind::Zope) {
        return Err(EditError::NotAnInstance(id.to_string()));
    }
    if t.of_kind(Kind::Zope).count() <= 1 {
        return Err(EditError::LastInstance);
    }
    t.components.retain(|c| c.id != id);
    t.connections.retain(|c| c.from != id && c.to != id);
    Ok(())
}

/// Adds a machine named `host<n>` (the smallest free n) at `10.0.0.<n>`, for the user to
/// change. Returns its id.
pub fn add_host(t: &mut Topology) -> Result<String, EditError> {
    room_for(t.hosts.len() + 1, "hosts")?;
    let n = (2..)
        .find(|n| t.host(&format!("host{n}")).is_none())
        .expect("an unbounded range has a free name");
    let id = format!("host{n}");
    t.hosts.push(Host {
        id: id.clone(),
        address: format!("10.0.0.{}", n.min(254)),
    });
    Ok(id)
}

/// Refuses an edit that would make a list longer than the reader accepts.
fn room_for(items: usize, what: &'static str) -> Result<(), EditError> {
    if items > crate::format::MAX_ITEMS {
        return Err(EditError::TooMany(what));
    }
    Ok(())
}

/// Removes a machine no component runs on; the last one stays.
pub fn remove_host(t: &mut Topology, id: &str) -> Result<(), EditError> {
    if t.host(id).is_none() {
        return Err(EditError::UnknownHost(id.to_string()));
    }
    if t.hosts.len() <= 1 {
        return Err(EditError::LastHost);
    }
    if t.components.iter().any(|c| c.host == id) {
        return Err(EditError::HostInUse(id.to_string()));
    }
    t.hosts.retain(|h| h.id != id);
    Ok(())
}

/// host, in a free spot of its tier and on free ports. Returns its id.
pub fn add_component(t: &mut Topology, kind: Kind) -> Result<String, EditError> {
    if kind == Kind::Zope && t.of_kind(Kind::Zope).count() >= MAX_INSTANCES {
        return Err(EditError::TooManyInstances);
    }
    room_for(t.components.len() + 1, "components")?;
    let host = t
        .hosts
        .first()
        .map_or_else(|| "localhost".to_string(), |h| h.id.clone());
    let position = layout::free_spot(t, kind);
    let (id, mut component) = if kind == Kind::Zope {
        let (n, id) = free_instance_id(t);
        let component = defaults::zope_instance(n, &host, "127.0.0.1", 8080, position);
        (id, component)
    } else {
        let exercise = Topology::exercise();
        let Some(template) = exercise.first(kind) else {
            return Err(EditError::UnknownComponent(kind.id().to_string()));
        };
        let (n, id) = (1..)
            .map(|n| (n, format!("{}{n}", kind.id())))
            .find(|(_, id)| t.component(id).is_none())
            .expect("an unbounded range has a free id");
        let mut component = template.clone();
        component.id = id.clone();
        component.name = format!("{} {n}", kind.label());
        (id, component)
    };
    component.host = host.clone();
    component.position = position;
    let fields: Vec<(&'static str, u16)> = component
        .listeners()
        .iter()
        .map(|l| {
            let port = syntax::parse_port(l.port).map_or(8080, syntax::Port::get);
            (l.field, port)
        })
        .collect();
    // The ports taken on the host before it arrives, plus each one it is given, so its
    // two listeners (nginx, HAProxy) never get the same port.
    let mut taken = ports_on(t, &host);
    t.components.push(component);
    for (field, wanted) in fields {
        let port = (wanted..=u16::MAX)
            .find(|p| !taken.contains(p))
            .unwrap_or(wanted);
        taken.push(port);
        if port != wanted {
            set(t, &format!("components.{id}.{field}"), &port.to_string())?;
        }
    }
    Ok(id)
}

/// Removes any component and every connection to and from it; the last Zope instance
/// stays, since a design without one renders nothing useful.
pub fn remove_component(t: &mut Topology, id: &str) -> Result<(), EditError> {
    let Some(component) = t.component(id) else {
        return Err(EditError::UnknownComponent(id.to_string()));
    };
    if component.kind() == Kind::Zope {
        return remove_instance(t, id);
    }
    t.components.retain(|c| c.id != id);
    t.connections.retain(|c| c.from != id && c.to != id);
    Ok(())
}

/// Makes `from` send requests to `to`, if the chain allows it and they are not connected.
pub fn add_connection(t: &mut Topology, from: &str, to: &str) -> Result<(), EditError> {
    let kind_of = |id: &str| {
        t.component(id)
            .map(Component::kind)
            .ok_or_else(|| EditError::UnknownComponent(id.to_string()))
    };
    let (from_kind, to_kind) = (kind_of(from)?, kind_of(to)?);
    if from == to {
        return Err(ConnectionRefused::ToItself(from_kind).into());
    }
    connection_allowed(from_kind, to_kind)?;
    room_for(t.connections.len() + 1, "connections")?;
    if t.connections.iter().any(|c| c.from == from && c.to == to) {
        return Err(EditError::AlreadyConnected {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    t.connections.push(Connection {
        from: from.to_string(),
        to: to.to_string(),
    });
    Ok(())
}

/// Removes the connection from `from` to `to`; removing one that does not exist is no
/// change.
pub fn remove_connection(t: &mut Topology, from: &str, to: &str) {
    t.connections.retain(|c| !(c.from == from && c.to == to));
}

/// Puts a component at `position` on the canvas, clamped to [`Position::MAX`].
pub fn move_component(t: &mut Topology, id: &str, position: Position) -> Result<(), EditError> {
    let component = t
        .component_mut(id)
        .ok_or_else(|| EditError::UnknownComponent(id.to_string()))?;
    component.position = Position::clamped(position.x, position.y);
    Ok(())
}

/// Moves a component to another host; a listener whose port that host already uses gets
/// the next free one, and a component bound to loopback is bound to the new host's
/// address instead, since the components on other hosts could not reach it there.
pub fn move_to_host(t: &mut Topology, id: &str, host: &str) -> Result<(), EditError> {
    if t.host(host).is_none() {
        return Err(EditError::UnknownHost(host.to_string()));
    }
    let component = t
        .component(id)
        .ok_or_else(|| EditError::UnknownComponent(id.to_string()))?;
    if component.host == host {
        return Ok(());
    }
    let fields: Vec<(&'static str, Option<u16>)> = component
        .listeners()
        .iter()
        .map(|l| {
            (
                l.field,
                syntax::parse_port(l.port).ok().map(syntax::Port::get),
            )
        })
        .collect();
    let host_address = t.host(host).map(|h| h.address.clone()).unwrap_or_default();
    if let Some(c) = t.component_mut(id) {
        c.host = host.to_string();
        if matches!(c.address.as_str(), "127.0.0.1" | "localhost" | "::1")
            && !host_address.is_empty()
        {
            c.address = host_address;
        }
    }
    for (field, port) in fields {
        let Some(port) = port else { continue };
        let taken = t
            .components
            .iter()
            .filter(|c| c.host == host && c.id != id)
            .flat_map(|c| c.listeners())
            .any(|l| syntax::parse_port(l.port).ok().map(syntax::Port::get) == Some(port));
        if taken {
            let free = free_port(t, host, port).unwrap_or(port);
            set(t, &format!("components.{id}.{field}"), &free.to_string())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::get;
    use super::*;
    use crate::validate::{Severity, diagnose};

    #[test]
    fn adding_instances_keeps_the_design_valid_up_to_the_limit() {
        let mut t = crate::defaults::test_design();
        let id = add_instance(&mut t).unwrap();
        assert_eq!(id, "instance5");
        assert_eq!(
            get(&t, "components.instance5.port").as_deref(),
            Some("8005")
        );
        assert!(t.connections.contains(&Connection {
            from: "haproxy".into(),
            to: id.clone()
        }));
        assert_eq!(t.targets_of(&id).count(), 2, "database and memcached");
        while t.of_kind(Kind::Zope).count() < MAX_INSTANCES {
            add_instance(&mut t).unwrap();
        }
        assert_eq!(add_instance(&mut t), Err(EditError::TooManyInstances));
        let errors: Vec<_> = diagnose(&t)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn a_new_instance_skips_taken_ports_and_reuses_freed_ids() {
        let mut t = Topology::exercise();
        // Varnish's 8100 and 8101 are taken on the host: an instance after 8099 must
        // skip them.
        set(&mut t, "components.instance4.port", "8099").unwrap();
        let id = add_instance(&mut t).unwrap();
        assert_eq!(
            get(&t, &format!("components.{id}.port")).as_deref(),
            Some("8102")
        );
        remove_instance(&mut t, "instance2").unwrap();
        assert!(
            t.connections
                .iter()
                .all(|c| c.from != "instance2" && c.to != "instance2")
        );
        assert_eq!(add_instance(&mut t).unwrap(), "instance2");
    }

    #[test]
    fn the_last_instance_stays() {
        let mut t = defaults::scaled(1, 1);
        assert_eq!(
            remove_instance(&mut t, "instance1"),
            Err(EditError::LastInstance)
        );
        assert_eq!(
            remove_instance(&mut t, "nginx"),
            Err(EditError::NotAnInstance("nginx".into()))
        );
    }

    #[test]
    fn hosts_come_and_go_when_unused() {
        let mut t = Topology::exercise();
        let id = add_host(&mut t).unwrap();
        assert_eq!(id, "host2");
        assert_eq!(
            remove_host(&mut t, "localhost"),
            Err(EditError::HostInUse("localhost".into()))
        );
        remove_host(&mut t, &id).unwrap();
        assert_eq!(remove_host(&mut t, "localhost"), Err(EditError::LastHost));
    }
}

#[cfg(test)]
mod canvas_tests {
    use super::*;

    #[test]
    fn added_components_land_free_and_unconnected() {
        for kind in [
            Kind::Zope,
            Kind::Varnish,
            Kind::Haproxy,
            Kind::Memcached,
            Kind::Database,
            Kind::Nginx,
        ] {
            let mut t = Topology::exercise();
            let connections = t.connections.len();
            let id = add_component(&mut t, kind).unwrap();
            let added = t.component(&id).unwrap();
            assert_eq!(added.kind(), kind);
            assert_eq!(t.connections.len(), connections, "{kind} is unconnected");
            let others: Vec<&Component> = t.components.iter().filter(|c| c.id != id).collect();
            assert!(
                others.iter().all(|c| c.position != added.position),
                "{kind} lands in a free spot"
            );
            let ports = ports_on(&t, &added.host);
            let mut unique = ports.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(ports.len(), unique.len(), "{kind} gets free ports");
        }
    }

    #[test]
    fn connections_follow_the_chain() {
        let mut t = Topology::exercise();
        let zope = add_component(&mut t, Kind::Zope).unwrap();
        let haproxy = t.first(Kind::Haproxy).unwrap().id.clone();
        let nginx = t.first(Kind::Nginx).unwrap().id.clone();
        let database = t.first(Kind::Database).unwrap().id.clone();
        add_connection(&mut t, &haproxy, &zope).unwrap();
        assert!(matches!(
            add_connection(&mut t, &haproxy, &zope),
            Err(EditError::AlreadyConnected { .. })
        ));
        let refused = add_connection(&mut t, &nginx, &database).unwrap_err();
        assert!(
            refused.to_string().contains("cannot connect to"),
            "{refused}"
        );
        remove_connection(&mut t, &haproxy, &zope);
        assert!(!t.connections.iter().any(|c| c.to == zope));
    }

    #[test]
    fn removing_a_component_drops_its_connections() {
        let mut t = Topology::exercise();
        let varnish = t.first(Kind::Varnish).unwrap().id.clone();
        remove_component(&mut t, &varnish).unwrap();
        assert!(t.component(&varnish).is_none());
        assert!(
            t.connections
                .iter()
                .all(|c| c.from != varnish && c.to != varnish)
        );
        assert!(remove_component(&mut t, "nowhere").is_err());
    }

    #[test]
    fn moving_to_another_host_keeps_ports_free() {
        let mut t = Topology::exercise();
        let host = add_host(&mut t).unwrap();
        let zopes: Vec<String> = t.of_kind(Kind::Zope).map(|c| c.id.clone()).collect();
        move_to_host(&mut t, &zopes[0], &host).unwrap();
        move_to_host(&mut t, &zopes[1], &host).unwrap();
        let ports = ports_on(&t, &host);
        assert_eq!(ports.len(), 2);
        assert_ne!(ports[0], ports[1]);
        assert!(move_to_host(&mut t, &zopes[0], "nowhere").is_err());
        let address = &t.host(&host).unwrap().address;
        assert_eq!(
            &t.component(&zopes[0]).unwrap().address,
            address,
            "off loopback"
        );
    }
}
