//! The picture of a design: where each box and arrow of the chain is drawn.
//!
//! This is pure geometry over the core's [`Topology`], kept apart from the components so it
//! can be tested without a browser. A component's `position` is the top-left corner of its
//! box; every box has the same size, so the core's grid keeps them from overlapping.

use std::fmt;

use stackwright_core::{Component, Kind, Topology};

/// Width of a component's box, in canvas pixels.
pub const NODE_WIDTH: i32 = 180;
/// Height of a component's box, in canvas pixels.
pub const NODE_HEIGHT: i32 = 72;
/// Empty space kept around the outermost boxes.
const MARGIN: i32 = 24;
/// How far an arrow leaves its box horizontally before it bends towards its target.
const MIN_BEND: i32 = 30;

/// Everything needed to draw one design.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    pub view_box: ViewBox,
    pub nodes: Vec<NodeBox>,
    pub edges: Vec<Edge>,
    /// A sentence per connection, read out by assistive technology instead of the picture.
    pub description: String,
}

/// The part of the canvas the picture shows, in the order SVG's `viewBox` wants.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewBox {
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
}

impl fmt::Display for ViewBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {} {}", self.x, self.y, self.width, self.height)
    }
}

/// The box of one component.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NodeBox {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    /// Where other components reach it, e.g. `127.0.0.1:8001`.
    pub endpoint: String,
    pub x: i32,
    pub y: i32,
}

/// The arrow of one connection, from the right side of `from` to the left side of `to`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// The SVG path data of the arrow's curve.
    pub path: String,
}

impl Diagram {
    /// Lays out every component and every connection whose two ends exist.
    ///
    /// A connection to a missing component is skipped here: reporting it is the
    /// validator's job, and the picture should still show the rest.
    pub fn of(topology: &Topology) -> Diagram {
        let nodes: Vec<NodeBox> = topology.components.iter().map(NodeBox::of).collect();
        let mut edges = Vec::new();
        let mut sentences = Vec::new();
        for connection in &topology.connections {
            let (Some(from), Some(to)) = (
                topology.component(&connection.from),
                topology.component(&connection.to),
            ) else {
                continue;
            };
            edges.push(Edge {
                from: from.id.clone(),
                to: to.id.clone(),
                path: arrow_path(from, to),
            });
            sentences.push(format!("{} sends requests to {}.", from.name, to.name));
        }
        Diagram {
            view_box: view_box(&nodes),
            nodes,
            edges,
            description: sentences.join(" "),
        }
    }
}

impl NodeBox {
    fn of(component: &Component) -> NodeBox {
        NodeBox {
            id: component.id.clone(),
            name: component.name.clone(),
            kind: component.kind(),
            endpoint: endpoint(&component.address, component.main_port()),
            x: component.position.x,
            y: component.position.y,
        }
    }
}

/// `address:port`, with an IPv6 address in brackets as URLs and configs write it.
pub fn endpoint(address: &str, port: &str) -> String {
    if address.contains(':') {
        format!("[{address}]:{port}")
    } else {
        format!("{address}:{port}")
    }
}

/// A curve from the middle of `from`'s right side to the middle of `to`'s left side,
/// leaving and entering horizontally so the arrowhead points into the box.
fn arrow_path(from: &Component, to: &Component) -> String {
    let (x1, y1) = (
        from.position.x + NODE_WIDTH,
        from.position.y + NODE_HEIGHT / 2,
    );
    let (x2, y2) = (to.position.x, to.position.y + NODE_HEIGHT / 2);
    let bend = ((x2 - x1) / 2).max(MIN_BEND);
    format!(
        "M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}",
        x1 + bend,
        x2 - bend
    )
}

/// The smallest view that shows every box with a margin around it.
fn view_box(nodes: &[NodeBox]) -> ViewBox {
    let Some(first) = nodes.first() else {
        return ViewBox::default();
    };
    let (mut left, mut top) = (first.x, first.y);
    let (mut right, mut bottom) = (left + NODE_WIDTH, top + NODE_HEIGHT);
    for node in nodes {
        left = left.min(node.x);
        top = top.min(node.y);
        right = right.max(node.x + NODE_WIDTH);
        bottom = bottom.max(node.y + NODE_HEIGHT);
    }
    ViewBox {
        x: left - MARGIN,
        y: top - MARGIN,
        width: right - left + 2 * MARGIN,
        height: bottom - top + 2 * MARGIN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackwright_core::Connection;

    #[test]
    fn exercise_shows_every_component_and_connection() {
        let topology = Topology::exercise();
        let diagram = Diagram::of(&topology);
        assert_eq!(diagram.nodes.len(), topology.components.len());
        assert_eq!(diagram.edges.len(), topology.connections.len());
        let zopes = diagram
            .nodes
            .iter()
            .filter(|n| n.kind == Kind::Zope)
            .count();
        assert_eq!(zopes, 4);
    }

    #[test]
    fn view_box_holds_every_box_with_a_margin() {
        let diagram = Diagram::of(&Topology::exercise());
        let view = diagram.view_box;
        for node in &diagram.nodes {
            assert!(node.x - MARGIN >= view.x, "{} sticks out left", node.id);
            assert!(
                node.y - MARGIN >= view.y,
                "{} sticks out at the top",
                node.id
            );
            assert!(
                node.x + NODE_WIDTH + MARGIN <= view.x + view.width,
                "{} sticks out right",
                node.id
            );
            assert!(
                node.y + NODE_HEIGHT + MARGIN <= view.y + view.height,
                "{} sticks out at the bottom",
                node.id
            );
        }
    }

    #[test]
    fn connection_to_a_missing_component_is_left_out() {
        let mut topology = Topology::exercise();
        topology.connections.push(Connection {
            from: "nginx".into(),
            to: "nowhere".into(),
        });
        let diagram = Diagram::of(&topology);
        assert!(diagram.edges.iter().all(|e| e.to != "nowhere"));
        assert!(!diagram.description.contains("nowhere"));
    }

    #[test]
    fn arrow_runs_from_right_side_to_left_side() {
        let topology = Topology::exercise();
        let diagram = Diagram::of(&topology);
        let edge = diagram
            .edges
            .iter()
            .find(|e| e.from == "nginx" && e.to == "varnish")
            .unwrap();
        // nginx sits at (0, 100), Varnish at (240, 100).
        assert_eq!(edge.path, "M180,136 C210,136 210,136 240,136");
    }

    #[test]
    fn endpoint_brackets_ipv6_addresses() {
        for (address, port, expected) in [
            ("127.0.0.1", "8001", "127.0.0.1:8001"),
            ("localhost", "8100", "localhost:8100"),
            ("::1", "8000", "[::1]:8000"),
        ] {
            assert_eq!(endpoint(address, port), expected);
        }
    }

    #[test]
    fn empty_design_has_an_empty_view() {
        let mut topology = Topology::exercise();
        topology.components.clear();
        let diagram = Diagram::of(&topology);
        assert_eq!(diagram.view_box, ViewBox::default());
        assert!(diagram.edges.is_empty());
    }
}
