//! Where the chain is drawn: the size of a component's box, the grid, the tiers, and the
//! points and curves of the arrows between boxes.
//!
//! The designer's canvas and the SVG export ([`crate::svg`]) draw the same picture, and the
//! editor places new components and lays the chain out on the same grid, so every length
//! of the drawing is written here once and both drawings read it. A component's
//! `position` is the top-left corner of its box; every box has the same size, so the
//! tiers and rows keep them from overlapping.

use std::fmt;

use crate::model::{Component, Kind, Position, Topology};

/// Width of a component's box, in canvas pixels.
pub const NODE_WIDTH: i32 = 180;
/// Height of a component's box, in canvas pixels.
pub const NODE_HEIGHT: i32 = 72;
/// The radius of a box's rounded corners.
pub const BOX_RADIUS: i32 = 8;
/// Width of the stripe in a kind's colour along a box's left side.
pub const STRIPE_WIDTH: i32 = 6;
/// The arrowhead, as SVG path data in a 10 by 10 marker whose tip is at (10, 5).
pub const ARROWHEAD: &str = "M0,0 L10,5 L0,10 z";
/// Empty space kept around the outermost boxes.
pub const MARGIN: i32 = 24;
/// How far an arrow leaves its box horizontally before it bends towards its target.
pub const MIN_BEND: i32 = 30;
/// The spacing of the canvas grid; dragged boxes snap to it.
pub const GRID: i32 = 20;
/// Horizontal distance between two tiers of the chain.
pub const TIER_WIDTH: i32 = 240;
/// Vertical distance between two components of one tier.
pub const ROW_HEIGHT: i32 = 100;
/// Where a box's port is written, from the box's top-left corner: the end of the text (it
/// is anchored there) just left of the box, above the arrows' heads.
pub const PORT_LABEL_AT: (i32, i32) = (-10, NODE_HEIGHT / 2 - 6);

/// The column a kind is drawn in, left to right as requests flow.
pub fn tier(kind: Kind) -> i32 {
    match kind {
        Kind::Nginx => 0,
        Kind::Varnish => 1,
        Kind::Haproxy => 2,
        Kind::Zope => 3,
        Kind::Database | Kind::Memcached => 4,
        Kind::Supervisor => 5,
    }
}

/// How many tiers there are: one more than the rightmost [`tier`].
const TIERS: usize = 6;

/// The left edge of a kind's tier.
pub fn tier_x(kind: Kind) -> i32 {
    tier(kind) * TIER_WIDTH
}

/// The top-left corner of a component's box.
pub fn corner(component: &Component) -> (i32, i32) {
    (component.position.x, component.position.y)
}

/// The nearest grid point to a coordinate.
pub fn snap(value: i32) -> i32 {
    (value as f64 / GRID as f64).round() as i32 * GRID
}

/// A rectangle of the drawing, with its fields in the order SVG's `viewBox` wants them.
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

/// The smallest part of the drawing that shows the boxes whose top-left corners are
/// `corners` with a [`MARGIN`] around them; `None` when there is no box.
pub fn extent(corners: impl IntoIterator<Item = (i32, i32)>) -> Option<ViewBox> {
    let mut corners = corners.into_iter();
    let (x, y) = corners.next()?;
    let (mut left, mut top, mut right, mut bottom) = (x, y, x + NODE_WIDTH, y + NODE_HEIGHT);
    for (x, y) in corners {
        left = left.min(x);
        top = top.min(y);
        right = right.max(x + NODE_WIDTH);
        bottom = bottom.max(y + NODE_HEIGHT);
    }
    Some(ViewBox {
        x: left - MARGIN,
        y: top - MARGIN,
        width: right - left + 2 * MARGIN,
        height: bottom - top + 2 * MARGIN,
    })
}

/// Where arrows leave the box at `at`: the middle of its right side, where the canvas
/// draws the handle to connect from.
pub fn output_handle(at: (i32, i32)) -> (i32, i32) {
    (at.0 + NODE_WIDTH, at.1 + NODE_HEIGHT / 2)
}

/// Where arrows enter the box at `at`: the middle of its left side.
pub fn input_anchor(at: (i32, i32)) -> (i32, i32) {
    (at.0, at.1 + NODE_HEIGHT / 2)
}

/// A curve from the middle of the right side of the box at `from` to the middle of the
/// left side of the box at `to`, leaving and entering horizontally so the arrowhead
/// points into the box, as SVG path data.
pub fn arrow_path(from: (i32, i32), to: (i32, i32)) -> String {
    let (x1, y1) = output_handle(from);
    let (x2, y2) = input_anchor(to);
    let bend = ((x2 - x1) / 2).max(MIN_BEND);
    format!(
        "M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}",
        x1 + bend,
        x2 - bend
    )
}

/// The connections drawn as arrows, each as its (sender, receiver): those whose two ends
/// exist. A connection to a missing component is left out: reporting it is the
/// validator's job, and the picture should still show the rest.
pub fn arrows(topology: &Topology) -> impl Iterator<Item = (&Component, &Component)> {
    topology.connections.iter().filter_map(|connection| {
        Some((
            topology.component(&connection.from)?,
            topology.component(&connection.to)?,
        ))
    })
}

/// `address:port`, with an IPv6 address in brackets as URLs and configs write it: the
/// endpoint a box shows under its name.
pub fn endpoint(address: &str, port: &str) -> String {
    if address.contains(':') {
        format!("[{address}]:{port}")
    } else {
        format!("{address}:{port}")
    }
}

/// A kind's colour in the designer's light and dark themes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colours {
    pub light: &'static str,
    pub dark: &'static str,
}

/// Each kind's colour: its stripe on the canvas (light and dark) and in `topology.svg`
/// (light). Declared here only; the designer's CSS variables `--sw-kind-<id>` come from
/// [`kind_colours_css`].
pub fn colours(kind: Kind) -> Colours {
    let (light, dark) = match kind {
        Kind::Nginx => ("#2e9e5b", "#4cc07b"),
        Kind::Varnish => ("#7a4fd0", "#a283f0"),
        Kind::Haproxy => ("#d9822b", "#f0a050"),
        Kind::Zope => ("#2f6fde", "#5b93f5"),
        Kind::Database => ("#c2570c", "#f07b3a"),
        Kind::Memcached => ("#0e9aa7", "#2cc3cf"),
        Kind::Supervisor => ("#6b7280", "#9aa3b0"),
    };
    Colours { light, dark }
}

/// The CSS that gives the designer its kinds' colours: `--sw-kind-<id>` on `:root`, the
/// dark ones under `prefers-color-scheme: dark`.
pub fn kind_colours_css() -> String {
    let vars = |pick: fn(Colours) -> &'static str| {
        Kind::ALL
            .iter()
            .map(|&k| format!("--sw-kind-{}: {};", k.id(), pick(colours(k))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        ":root {{ {} }}\n@media (prefers-color-scheme: dark) {{ :root {{ {} }} }}\n",
        vars(|c| c.light),
        vars(|c| c.dark)
    )
}

/// The first row of `kind`'s tier no component occupies (within a row's height).
pub fn free_spot(t: &Topology, kind: Kind) -> Position {
    let x = tier_x(kind);
    let y = (0..)
        .map(|row| row * ROW_HEIGHT)
        .find(|&y| {
            !t.components.iter().any(|c| {
                (c.position.x - x).abs() < TIER_WIDTH && (c.position.y - y).abs() < ROW_HEIGHT
            })
        })
        .expect("an unbounded range has a free row");
    Position { x, y }
}

/// Arranges the chain in tiers, left to right as requests flow, each tier's components
/// one below the other grouped by host.
pub fn auto_layout(t: &mut Topology) {
    let hosts: Vec<String> = t.hosts.iter().map(|h| h.id.clone()).collect();
    let host_rank = |host: &str| hosts.iter().position(|h| h == host).unwrap_or(usize::MAX);
    let mut order: Vec<usize> = (0..t.components.len()).collect();
    order.sort_unstable_by_key(|&i| {
        let c = &t.components[i];
        (tier(c.kind()), host_rank(&c.host), i)
    });
    // The next free row of each tier.
    let mut rows = [0; TIERS];
    for i in order {
        let kind = t.components[i].kind();
        let row = &mut rows[tier(kind) as usize];
        t.components[i].position = Position {
            x: tier_x(kind),
            y: *row * ROW_HEIGHT,
        };
        *row += 1;
    }
}

#[cfg(test)]
mod tests {
    /// The kinds' colours are declared here only: the SVG takes them from here, and the
    /// designer's stylesheet uses the variables this writes and declares none of its own
    /// (the two used to disagree: HAProxy and Zope had each other's hues).
    #[test]
    fn kind_colours_are_declared_once() {
        let css = kind_colours_css();
        for kind in Kind::ALL {
            let c = colours(kind);
            assert!(css.contains(&format!("--sw-kind-{}: {};", kind.id(), c.light)));
            assert!(css.contains(&format!("--sw-kind-{}: {};", kind.id(), c.dark)));
        }
        let stylesheet = include_str!("../../style/app.css");
        assert!(
            !stylesheet
                .lines()
                .any(|line| line.trim_start().starts_with("--sw-kind-")),
            "style/app.css declares a kind's colour"
        );
        let svg = crate::svg::topology_svg(&crate::defaults::test_design());
        assert!(svg.contains(&format!("fill=\"{}\"", colours(Kind::Haproxy).light)));
    }

    use super::*;

    #[test]
    fn auto_layout_puts_each_kind_in_its_tier_without_overlap() {
        let mut t = crate::defaults::scaled(16, 4);
        auto_layout(&mut t);
        let mut seen = std::collections::HashSet::new();
        for c in &t.components {
            assert_eq!(c.position.x, tier(c.kind()) * TIER_WIDTH);
            assert!(
                seen.insert((c.position.x, c.position.y)),
                "{} overlaps",
                c.id
            );
        }
    }

    #[test]
    fn a_free_spot_is_clear_of_every_box_in_its_tier() {
        let t = Topology::exercise();
        let spot = free_spot(&t, Kind::Zope);
        assert_eq!(spot.x, tier_x(Kind::Zope));
        assert!(t.components.iter().all(|c| c.position != spot));
    }

    #[test]
    fn arrow_runs_from_right_side_to_left_side() {
        // nginx sits at (0, 100), Varnish at (240, 100).
        assert_eq!(
            arrow_path((0, 100), (240, 100)),
            "M180,136 C210,136 210,136 240,136"
        );
        // A target left of its source still leaves and enters horizontally.
        assert_eq!(arrow_path((240, 0), (0, 0)), "M420,36 C450,36 -30,36 0,36");
    }

    #[test]
    fn the_extent_holds_every_box_with_a_margin() {
        assert_eq!(extent([]), None);
        let view = extent([(0, 100), (240, 0)]).unwrap();
        assert_eq!(view.to_string(), "-24 -24 468 220");
    }

    #[test]
    fn snapping_rounds_to_the_grid() {
        for (value, expected) in [(0, 0), (9, 0), (10, 20), (-11, -20), (247, 240)] {
            assert_eq!(snap(value), expected, "{value}");
        }
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
}
