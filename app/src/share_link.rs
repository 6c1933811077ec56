//! The design in the address bar, and opening a design from a link.
//!
//! The address bar follows the design (`#v2.…`, without passwords, written with
//! `replaceState` so it adds no history entries), so a reload or a bookmark brings it
//! back and the address can be shared as it is. What to do with a link found at start
//! is decided by [`open`], a pure function tested natively: a link this tab wrote itself
//! (a reload) is not news, the autosaved design is newer and keeps its passwords; any
//! other link replaces the design as an undoable step, after asking when this browser
//! holds a saved design (see `Designer::open_link`).

use stackwright_core::Topology;
use stackwright_core::render;
use stackwright_core::share::{self, Secrets};

/// The key in `sessionStorage` holding the last link this tab wrote into its address bar.
pub const WRITTEN_KEY: &str = "stackwright.link.written";

/// What a URL fragment means for the design on screen.
#[derive(Debug, PartialEq)]
pub enum Opened {
    /// No design link: empty, or another fragment such as `#__panic`.
    NoLink,
    /// The link holds the design already on screen (or is the tab's own, reloaded).
    Same,
    /// Another design; `without_passwords` when the link left them out.
    Design {
        topology: Box<Topology>,
        without_passwords: bool,
    },
    /// The link is a design link but cannot be opened, for this reason.
    Broken(String),
}

/// Decides what the fragment (with or without `#`) means, given the design on screen
/// and the last link this tab wrote.
pub fn open(fragment: &str, current: &Topology, written_by_this_tab: Option<&str>) -> Opened {
    let Some(fragment) = share::link_fragment(fragment) else {
        return Opened::NoLink;
    };
    if written_by_this_tab == Some(fragment) {
        return Opened::Same;
    }
    match share::decode(fragment) {
        Err(error) => Opened::Broken(error.to_string()),
        Ok(decoded) => {
            if share::encode(current, decoded.secrets) == fragment {
                return Opened::Same;
            }
            Opened::Design {
                topology: Box::new(decoded.topology),
                without_passwords: decoded.secrets == Secrets::Omit,
            }
        }
    }
}

/// What to tell whoever opens a design that carries its own templates: the files they
/// change, to review, since a template decides what runs on the servers. `None` for a
/// design with the built-in templates.
pub fn templates_notice(design: &Topology) -> Option<String> {
    if design.templates.is_empty() {
        return None;
    }
    let what: Vec<String> = design
        .templates
        .keys()
        .map(|name| render::template_writes(name).unwrap_or(name).to_string())
        .collect();
    let what = listed(what);
    Some(format!(
        "This design changes the templates of {what}; review them: a template decides what \
         runs on your servers."
    ))
}

/// `a`, `a and b`, `a, b and c`.
fn listed(items: Vec<String>) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The fragment the address bar shows for a design: never with passwords, since
/// addresses end up in history, synced bookmarks and screenshots.
pub fn address_fragment(design: &Topology) -> String {
    share::encode(design, Secrets::Omit)
}

/// The link the Share dialog copies.
pub fn link(base: &str, design: &Topology, with_passwords: bool) -> String {
    let secrets = if with_passwords {
        Secrets::Include
    } else {
        Secrets::Omit
    };
    let base = base.split('#').next().unwrap_or(base);
    format!("{base}#{}", share::encode(design, secrets))
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackwright_core::edit;

    #[test]
    fn a_design_with_its_own_templates_names_the_files_they_change() {
        let mut t = Topology::exercise();
        assert_eq!(templates_notice(&t), None);
        t.templates
            .insert("nginx.conf.j2".into(), "daemon off;\n".into());
        assert_eq!(
            templates_notice(&t).unwrap(),
            "This design changes the templates of etc/nginx.conf; review them: a template \
             decides what runs on your servers."
        );
        // Broken or not, each template is named by what it writes.
        t.templates.insert("zope.conf.j2".into(), "{% if %}".into());
        t.templates
            .insert("varnish.vcl.j2".into(), "vcl 4.1;\n".into());
        assert_eq!(
            templates_notice(&t).unwrap(),
            "This design changes the templates of etc/nginx.conf, etc/varnish.vcl and \
             etc/<instance>/zope.conf; review them: a template decides what runs on your servers."
        );
    }

    #[test]
    fn other_fragments_are_not_links() {
        let t = Topology::exercise();
        for fragment in ["", "#", "#__panic", "#sw-problems-heading", "#version"] {
            assert_eq!(open(fragment, &t, None), Opened::NoLink, "{fragment}");
        }
    }

    #[test]
    fn the_design_on_screen_or_the_tabs_own_link_is_not_news() {
        let t = Topology::exercise();
        let own = address_fragment(&t);
        assert_eq!(open(&format!("#{own}"), &t, None), Opened::Same);
        let mut newer = t.clone();
        edit::set(&mut newer, "settings.site_id", "Newer").unwrap();
        // A reload before the address caught up: the autosaved design wins.
        assert_eq!(open(&own, &newer, Some(&own)), Opened::Same);
    }

    #[test]
    fn someone_elses_link_opens_its_design() {
        let mut theirs = Topology::exercise();
        edit::set(&mut theirs, "components.nginx.http_port", "8088").unwrap();
        let shared = link("http://127.0.0.1:8080/#old", &theirs, false);
        assert!(shared.starts_with("http://127.0.0.1:8080/#v3."));
        let fragment = shared.split_once('#').unwrap().1;
        match open(fragment, &Topology::exercise(), None) {
            Opened::Design {
                topology,
                without_passwords,
            } => {
                assert!(without_passwords);
                assert_eq!(
                    edit::get(&topology, "components.nginx.http_port").as_deref(),
                    Some("8088")
                );
                assert_eq!(
                    edit::get(&topology, "settings.zope_admin_password").as_deref(),
                    Some("")
                );
            }
            other => panic!("{other:?}"),
        }
        let with = link("http://x/", &theirs, true);
        let fragment = with.split_once('#').unwrap().1;
        assert!(fragment.starts_with("v3s."));
        assert!(matches!(
            open(fragment, &Topology::exercise(), None),
            Opened::Design { topology, without_passwords: false } if *topology == theirs
        ));
    }

    #[test]
    fn a_damaged_link_says_why() {
        match open("#v1.!!!", &Topology::exercise(), None) {
            Opened::Broken(reason) => assert!(reason.contains("damaged"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            open("#v9.abc", &Topology::exercise(), None),
            Opened::Broken(_)
        ));
    }
}
