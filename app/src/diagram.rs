//! The picture of a design on the canvas: which boxes, arrows and host outlines are
//! drawn, and how the view fits the canvas.
//!
//! The lengths of the drawing (box size, margins, bends, grid) and the arrows' curves are
//! the core's [`stackwright_core::layout`], which the SVG export draws from too; this
//! module adds what only the canvas shows, and is kept apart from the components so it can
//! be tested without a browser.

use stackwright_core::layout::{self, NODE_HEIGHT, NODE_WIDTH, ViewBox, arrow_path};
use stackwright_core::{Component, Kind, Topology};

use crate::problems::Counts;
/// Space between a host's group outline and the boxes inside it.
const GROUP_PADDING: i32 = 12;
/// Height of the label strip above a host's group.
const GROUP_LABEL: i32 = 22;
/// The smallest scale (screen pixels per canvas pixel) the canvas fits a design at: a box
/// is then 117 pixels wide and its endpoint still readable. A design too large for the
/// canvas at this scale is shown from its top-left corner, where the chain starts, and the
/// rest is panned to.
pub const MIN_SCALE: f64 = 0.65;
/// The largest scale the canvas fits a design at: a small design is shown at its natural
/// size rather than blown up.
pub const MAX_SCALE: f64 = 1.0;

/// Everything needed to draw one design.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    /// The part of the canvas the design covers, margins and host outlines included.
    pub extent: ViewBox,
    pub nodes: Vec<NodeBox>,
    pub edges: Vec<Edge>,
    /// One outline per host, drawn only when the design runs on more than one.
    pub groups: Vec<HostGroup>,
    /// A sentence per connection, read out by assistive technology instead of the picture.
    pub description: String,
}

/// The box of one component.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NodeBox {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    /// Where other components reach it, e.g. `127.0.0.1:8001`.
    pub endpoint: String,
    /// The port arrows reach it on, written by its input once, however many arrows
    /// converge there; `None` when no arrow reaches it.
    pub port: Option<String>,
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
    /// The top-left corners of the two boxes, so a box being dragged can bend its arrows.
    pub from_at: (i32, i32),
    pub to_at: (i32, i32),
}

/// The outline around the boxes of one host, with the host's name above it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HostGroup {
    pub host: String,
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
}

impl Diagram {
    /// Lays out every component and every connection whose two ends exist
    /// ([`layout::arrows`]).
    pub fn of(topology: &Topology) -> Diagram {
        let mut nodes: Vec<NodeBox> = topology.components.iter().map(NodeBox::of).collect();
        let mut edges = Vec::new();
        let mut sentences = Vec::new();
        for (from, to) in layout::arrows(topology) {
            let (from_at, to_at) = (layout::corner(from), layout::corner(to));
            edges.push(Edge {
                from: from.id.clone(),
                to: to.id.clone(),
                path: arrow_path(from_at, to_at),
                from_at,
                to_at,
            });
            sentences.push(format!("{} sends requests to {}.", from.name, to.name));
        }
        for (node, component) in nodes.iter_mut().zip(&topology.components) {
            if edges.iter().any(|e| e.to == node.id) {
                node.port = Some(component.main_port().to_string());
            }
        }
        let groups = if topology.is_multi_host() {
            host_groups(topology)
        } else {
            Vec::new()
        };
        let mut view = layout::extent(nodes.iter().map(|n| (n.x, n.y))).unwrap_or_default();
        if !groups.is_empty() {
            // Room for the host labels above the topmost boxes.
            view.y -= GROUP_LABEL + GROUP_PADDING;
            view.height += GROUP_LABEL + 2 * GROUP_PADDING;
            view.x -= GROUP_PADDING;
            view.width += 2 * GROUP_PADDING;
        }
        Diagram {
            extent: view,
            nodes,
            groups,
            edges,
            description: sentences.join(" "),
        }
    }
}

impl NodeBox {
    /// The box's accessible name: its name, kind and endpoint in the order the box's text
    /// holds them, then its problems starting with the badge's number. Everything the box
    /// shows is in it, in that order, so whoever says what they see (speech input, WCAG
    /// 2.5.3) names the box.
    pub fn label(&self, counts: Counts) -> String {
        format!(
            "{}, {}, {}, {}",
            self.name,
            self.kind.label(),
            self.endpoint,
            counts.badge_summary()
        )
    }

    fn of(component: &Component) -> NodeBox {
        NodeBox {
            id: component.id.clone(),
            name: component.name.clone(),
            kind: component.kind(),
            endpoint: layout::endpoint(&component.address, component.main_port()),
            port: None,
            x: component.position.x,
            y: component.position.y,
        }
    }
}

/// The outline of each host around its components' boxes, hosts in the order their first
/// component appears.
fn host_groups(topology: &Topology) -> Vec<HostGroup> {
    topology
        .by_host()
        .into_iter()
        .filter_map(|(host, components)| {
            let left = components.iter().map(|c| c.position.x).min()?;
            let top = components.iter().map(|c| c.position.y).min()?;
            let right = components.iter().map(|c| c.position.x).max()? + NODE_WIDTH;
            let bottom = components.iter().map(|c| c.position.y).max()? + NODE_HEIGHT;
            Some(HostGroup {
                host: host.to_string(),
                x: left - GROUP_PADDING,
                y: top - GROUP_PADDING - GROUP_LABEL,
                width: right - left + 2 * GROUP_PADDING,
                height: bottom - top + 2 * GROUP_PADDING + GROUP_LABEL,
            })
        })
        .collect()
}

impl HostGroup {
    /// Whether `point` is inside the outline, its edge included.
    fn holds(&self, point: (i32, i32)) -> bool {
        (self.x..=self.x + self.width).contains(&point.0)
            && (self.y..=self.y + self.height).contains(&point.1)
    }
}

/// The host outline around `point`, if any; the smallest wins where outlines overlap.
pub fn group_at(groups: &[HostGroup], point: (i32, i32)) -> Option<&HostGroup> {
    groups
        .iter()
        .filter(|g| g.holds(point))
        .min_by_key(|g| i64::from(g.width) * i64::from(g.height))
}

/// The host a box of `host` moves to when dropped with its centre at `centre`: the one
/// whose outline holds it, unless its own outline still does (outlines may overlap).
pub fn host_after_drop(groups: &[HostGroup], host: &str, centre: (i32, i32)) -> Option<String> {
    if groups.iter().any(|g| g.host == host && g.holds(centre)) {
        return None;
    }
    group_at(groups, centre).map(|g| g.host.clone())
}

/// A view `factor` times as large (zooming out when above 1) around the same centre.
pub fn zoomed(view: ViewBox, factor: f64) -> ViewBox {
    let width = ((view.width as f64) * factor).round().max(60.0) as i32;
    let height = ((view.height as f64) * factor).round().max(40.0) as i32;
    ViewBox {
        x: view.x + (view.width - width) / 2,
        y: view.y + (view.height - height) / 2,
        width,
        height,
    }
}

/// The size of the canvas's drawing area, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Size {
    pub width: f64,
    pub height: f64,
}

/// How the canvas takes its height from the design, as inline CSS: the design's
/// proportions (`aspect-ratio`), so the design fitted to the canvas's width fills it
/// without empty bands, but at least the design's height at [`MIN_SCALE`] and at most its
/// height at [`MAX_SCALE`] (the stylesheet bounds both by the screen). The browser lays
/// the canvas out from this before anything is measured, so the first fit is the final one.
pub fn canvas_style(extent: ViewBox) -> String {
    let (least, most) = canvas_heights(extent);
    format!(
        "aspect-ratio: {} / {}; --sw-chain-min-height: {least}px; --sw-chain-max-height: {most}px",
        extent.width.max(1),
        extent.height.max(1)
    )
}

/// The least and the most height of the canvas, in CSS pixels: the design's height at
/// [`MIN_SCALE`] and at [`MAX_SCALE`].
pub fn canvas_heights(extent: ViewBox) -> (f64, f64) {
    let at = |scale: f64| (f64::from(extent.height.max(1)) * scale).ceil();
    (at(MIN_SCALE), at(MAX_SCALE))
}

/// The view that shows `extent` on a canvas of `size`: as large as fits, between
/// [`MIN_SCALE`] and [`MAX_SCALE`], centred. Where it does not fit even at the smallest
/// scale, the view starts at the extent's left or top edge, so the start of the chain is
/// on screen and the rest is panned to. The view has the canvas's proportions, so one
/// canvas pixel is the same number of screen pixels across and down.
pub fn fit(extent: ViewBox, size: Size) -> ViewBox {
    let (width, height) = (size.width.max(1.0), size.height.max(1.0));
    let scale = if extent.width <= 0 || extent.height <= 0 {
        MAX_SCALE
    } else {
        (width / f64::from(extent.width))
            .min(height / f64::from(extent.height))
            .clamp(MIN_SCALE, MAX_SCALE)
    };
    let (shown_width, shown_height) = (width / scale, height / scale);
    // Centred where it fits, from its start where it does not.
    let start = |at: i32, length: i32, shown: f64| {
        let spare = shown - f64::from(length);
        if spare >= 0.0 {
            f64::from(at) - spare / 2.0
        } else {
            f64::from(at)
        }
    };
    ViewBox {
        x: start(extent.x, extent.width, shown_width).round() as i32,
        y: start(extent.y, extent.height, shown_height).round() as i32,
        width: shown_width.round() as i32,
        height: shown_height.round() as i32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackwright_core::Connection;
    use stackwright_core::layout::{MARGIN, PORT_LABEL_AT};

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
    fn the_extent_holds_every_box_with_a_margin() {
        let diagram = Diagram::of(&Topology::exercise());
        let view = diagram.extent;
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
    fn a_box_is_named_by_what_it_shows_then_its_problems() {
        let diagram = Diagram::of(&Topology::exercise());
        let name = |id: &str, counts| {
            let node = diagram.nodes.iter().find(|n| n.id == id).unwrap();
            node.label(counts)
        };
        assert_eq!(
            name("nginx", Counts::default()),
            "nginx, nginx, 0.0.0.0:8000, no problems"
        );
        let counts = Counts {
            errors: 1,
            warnings: 1,
            notes: 0,
        };
        assert_eq!(
            name("instance1", counts),
            "Instance 1, Zope instance, 127.0.0.1:8001, 2 problems: 1 error, 1 warning"
        );
    }

    #[test]
    fn a_box_that_arrows_reach_names_its_port_once() {
        let diagram = Diagram::of(&Topology::exercise());
        let port = |id: &str| {
            let node = diagram.nodes.iter().find(|n| n.id == id).unwrap();
            node.port.as_deref()
        };
        assert_eq!(port("varnish"), Some("8100"));
        assert_eq!(port("database"), Some("3306"), "four arrows, one label");
        assert_eq!(port("nginx"), None, "nothing sends requests to nginx");
    }

    #[test]
    fn port_labels_overlap_neither_each_other_nor_a_box() {
        /// Roughly how wide a character of a port label is, in canvas pixels (11 px
        /// monospace), and how tall the label is.
        const CHAR_WIDTH: i32 = 7;
        const HEIGHT: i32 = 11;
        let diagram = Diagram::of(&Topology::exercise());
        // (left, top, right, bottom) of each label.
        let labels: Vec<(i32, i32, i32, i32)> = diagram
            .nodes
            .iter()
            .filter_map(|n| {
                let width = CHAR_WIDTH * (n.port.as_ref()?.len() as i32 + 1);
                let (right, baseline) = (n.x + PORT_LABEL_AT.0, n.y + PORT_LABEL_AT.1);
                Some((right - width, baseline - HEIGHT, right, baseline))
            })
            .collect();
        assert_eq!(labels.len(), 8, "every box but nginx and supervisor");
        let overlap = |a: (i32, i32, i32, i32), b: (i32, i32, i32, i32)| {
            a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
        };
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                assert!(!overlap(*a, *b), "labels {a:?} and {b:?}");
            }
            for node in &diagram.nodes {
                let r#box = (node.x, node.y, node.x + NODE_WIDTH, node.y + NODE_HEIGHT);
                assert!(!overlap(*a, r#box), "label {a:?} on {}", node.id);
            }
        }
    }

    #[test]
    fn hosts_are_grouped_only_when_there_are_several() {
        assert!(Diagram::of(&Topology::exercise()).groups.is_empty());
        let scaled = stackwright_core::defaults::scaled(16, 4);
        let diagram = Diagram::of(&scaled);
        assert_eq!(diagram.groups.len(), scaled.by_host().len());
        for node in &diagram.nodes {
            let host = &scaled.component(&node.id).unwrap().host;
            let g = diagram.groups.iter().find(|g| &g.host == host).unwrap();
            assert!(
                node.x > g.x && node.x + NODE_WIDTH < g.x + g.width,
                "{}",
                node.id
            );
        }
    }

    #[test]
    fn a_point_inside_a_host_outline_finds_it() {
        let scaled = stackwright_core::defaults::scaled(16, 4);
        let diagram = Diagram::of(&scaled);
        for node in &diagram.nodes {
            let centre = (node.x + NODE_WIDTH / 2, node.y + NODE_HEIGHT / 2);
            let host = &scaled.component(&node.id).unwrap().host;
            let found = group_at(&diagram.groups, centre).map(|g| g.host.as_str());
            assert!(found.is_some(), "{} is inside an outline", node.id);
            let _ = host;
        }
        assert!(group_at(&diagram.groups, (-10_000, -10_000)).is_none());
        let groups = [
            HostGroup {
                host: "a".into(),
                x: 0,
                y: 0,
                width: 100,
                height: 100,
            },
            HostGroup {
                host: "b".into(),
                x: 50,
                y: 0,
                width: 100,
                height: 100,
            },
        ];
        assert_eq!(
            host_after_drop(&groups, "a", (60, 10)),
            None,
            "still inside its own"
        );
        assert_eq!(
            host_after_drop(&groups, "a", (120, 10)).as_deref(),
            Some("b")
        );
        assert_eq!(
            host_after_drop(&groups, "a", (500, 10)),
            None,
            "outside every outline"
        );
    }

    #[test]
    fn zooming_keeps_the_centre() {
        let view = ViewBox {
            x: 0,
            y: 0,
            width: 400,
            height: 200,
        };
        let zoomed = zoomed(view, 0.5);
        assert_eq!(
            zoomed,
            ViewBox {
                x: 100,
                y: 50,
                width: 200,
                height: 100
            }
        );
    }

    /// Where a box of the design is drawn on a canvas showing `view` at `size`, in screen
    /// pixels from the canvas's top-left corner: (left, top, width).
    fn on_screen(view: ViewBox, size: Size, node: &NodeBox) -> (f64, f64, f64) {
        let scale = (size.width / f64::from(view.width)).min(size.height / f64::from(view.height));
        (
            f64::from(node.x - view.x) * scale,
            f64::from(node.y - view.y) * scale,
            f64::from(NODE_WIDTH) * scale,
        )
    }

    /// The canvas the browser lays out `width` pixels wide from [`canvas_style`] and the
    /// stylesheet (on a screen taller than 768 px, so 36rem is the screen's bound).
    fn canvas(extent: ViewBox, width: f64) -> Size {
        let (least, most) = canvas_heights(extent);
        let (floor, screen) = (240.0, 576.0);
        let (least, most) = (least.clamp(floor, screen), most.min(screen).max(floor));
        let proportional = width * f64::from(extent.height) / f64::from(extent.width);
        Size {
            width,
            // As CSS does, the least height wins over the most.
            height: proportional.min(most).max(least),
        }
    }

    #[test]
    fn a_wide_canvas_shows_the_whole_design_legibly() {
        let diagram = Diagram::of(&Topology::exercise());
        // The chain's canvas at 1024 px (one column) and 1440 px (beside the inspector).
        for width in [958.0, 978.0] {
            let size = canvas(diagram.extent, width);
            let view = fit(diagram.extent, size);
            for node in &diagram.nodes {
                let (left, top, drawn) = on_screen(view, size, node);
                assert!(drawn >= 100.0, "{} is {drawn} px wide at {width}", node.id);
                assert!(
                    left >= 0.0 && left + drawn <= size.width,
                    "{} across",
                    node.id
                );
                let bottom = top + f64::from(NODE_HEIGHT) * drawn / f64::from(NODE_WIDTH);
                assert!(top >= 0.0 && bottom <= size.height, "{} down", node.id);
            }
            // No empty bands: the design fills the canvas across.
            let (left, _, _) = on_screen(view, size, &diagram.nodes[0]);
            assert!(left <= f64::from(MARGIN) + 1.0, "{left} px left of nginx");
        }
    }

    #[test]
    fn a_narrow_canvas_keeps_a_legible_scale_and_shows_the_start_of_the_chain() {
        let diagram = Diagram::of(&Topology::exercise());
        let size = canvas(diagram.extent, 324.0);
        let view = fit(diagram.extent, size);
        let nginx = diagram.nodes.iter().find(|n| n.id == "nginx").unwrap();
        let (left, top, drawn) = on_screen(view, size, nginx);
        assert!(
            (drawn - f64::from(NODE_WIDTH) * MIN_SCALE).abs() < 0.5,
            "{drawn} px"
        );
        assert!(
            left >= 0.0 && left + drawn <= size.width,
            "nginx across: {left}"
        );
        assert!(top >= 0.0, "nginx down: {top}");
        // The whole height of the chain fits; its end is panned to.
        assert!(size.height >= f64::from(diagram.extent.height) * MIN_SCALE);
        let memcached = diagram.nodes.iter().find(|n| n.id == "memcached").unwrap();
        assert!(on_screen(view, size, memcached).0 > size.width);
    }

    #[test]
    fn a_tall_design_is_shown_from_its_top() {
        let diagram = Diagram::of(&stackwright_core::defaults::scaled(64, 8));
        let size = canvas(diagram.extent, 818.0);
        assert_eq!(size.height, 576.0, "as tall as the stylesheet lets it be");
        let view = fit(diagram.extent, size);
        assert_eq!(view.y, diagram.extent.y);
        let scale = size.height / f64::from(view.height);
        assert!((scale - MIN_SCALE).abs() < 0.01, "{scale}");
    }

    #[test]
    fn a_small_design_is_not_blown_up() {
        let mut topology = Topology::exercise();
        topology.components.truncate(1);
        let diagram = Diagram::of(&topology);
        let size = Size {
            width: 1000.0,
            height: 500.0,
        };
        let view = fit(diagram.extent, size);
        assert_eq!((view.width, view.height), (1000, 500), "natural size");
        assert_eq!(
            view.x + view.width / 2,
            diagram.extent.x + diagram.extent.width / 2,
            "centred"
        );
        let empty = fit(ViewBox::default(), size);
        assert_eq!((empty.width, empty.height), (1000, 500));
    }

    #[test]
    fn empty_design_has_an_empty_view() {
        let mut topology = Topology::exercise();
        topology.components.clear();
        let diagram = Diagram::of(&topology);
        assert_eq!(diagram.extent, ViewBox::default());
        assert!(diagram.edges.is_empty());
    }
}
