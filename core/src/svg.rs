//! The design as a drawing: a standalone SVG file of the chain, one box per component and
//! one arrow per connection, laid out where the designer's canvas shows them.
//!
//! It is pure text built from the [`Topology`], so the bundle can carry it as
//! `topology.svg` and the designer can offer the same file for download.

use std::fmt::Write;

use crate::layout::{
    self, ARROWHEAD, BOX_RADIUS, NODE_HEIGHT, NODE_WIDTH, PORT_LABEL_AT, STRIPE_WIDTH, corner,
};
use crate::model::{Kind, Topology};

/// The colour of a kind's stripe: the designer's light theme. The kind's name is written in
/// grey, as the canvas writes it: some stripes are too light for small text on white.
fn colour(kind: Kind) -> &'static str {
    layout::colours(kind).light
}

/// Escapes text for an XML text node or attribute value.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The drawing of `topology` as a complete SVG document.
pub fn topology_svg(topology: &Topology) -> String {
    let components = &topology.components;
    // An empty design is drawn as the room of one box at the origin.
    let corners: Vec<(i32, i32)> = if components.is_empty() {
        vec![(0, 0)]
    } else {
        components.iter().map(corner).collect()
    };
    let view = layout::extent(corners).unwrap_or_default();
    let (width, height) = (view.width, view.height);
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view}" width="{width}" height="{height}" font-family="sans-serif">"#
    );
    let _ = writeln!(out, "<title>{}</title>", xml(&topology.settings.name));
    let _ = writeln!(
        out,
        r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="{ARROWHEAD}" fill="#888"/></marker></defs>"##
    );
    for (from, to) in layout::arrows(topology) {
        // Unlike the canvas, the export writes the port at the head of every arrow.
        let _ = writeln!(
            out,
            r##"<path d="{}" fill="none" stroke="#888" stroke-width="1.5" marker-end="url(#arrow)"/><text x="{}" y="{}" font-size="11" text-anchor="end" fill="#555">:{}</text>"##,
            layout::arrow_path(corner(from), corner(to)),
            to.position.x + PORT_LABEL_AT.0,
            to.position.y + PORT_LABEL_AT.1,
            xml(to.main_port())
        );
    }
    for c in components {
        let (x, y) = corner(c);
        let _ = writeln!(
            out,
            r##"<g transform="translate({x} {y})"><rect width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="{BOX_RADIUS}" fill="#fff" stroke="#bbb"/><rect width="{STRIPE_WIDTH}" height="{NODE_HEIGHT}" fill="{}"/><text x="18" y="22" font-size="11" font-weight="600" fill="#555">{}</text><text x="18" y="43" font-size="15" font-weight="600">{}</text><text x="18" y="61" font-size="12" font-family="monospace" fill="#555">{}</text></g>"##,
            colour(c.kind()),
            xml(&c.kind().label().to_ascii_uppercase()),
            xml(&c.name),
            xml(&format!(
                "{} on {}",
                layout::endpoint(&c.address, c.main_port()),
                c.host
            )),
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_component_and_connection_is_drawn() {
        let topology = Topology::exercise();
        let svg = topology_svg(&topology);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
        assert_eq!(
            svg.matches("<g transform=").count(),
            topology.components.len()
        );
        assert_eq!(
            svg.matches("marker-end=").count(),
            topology.connections.len()
        );
        for c in &topology.components {
            assert!(svg.contains(&xml(&c.name)), "{} is named", c.id);
        }
    }

    #[test]
    fn text_is_escaped() {
        let mut topology = Topology::exercise();
        topology.components[0].name = "<b>&\"x\"".into();
        let svg = topology_svg(&topology);
        assert!(svg.contains("&lt;b&gt;&amp;&quot;x&quot;"));
        assert!(!svg.contains("<b>"));
    }
}
