//! Property tests over whole designs.
//!
//! Designs made by valid random edits of the default must validate without errors and
//! render; designs full of random values must never make the validator or the renderer
//! panic. With `STACKWRIGHT_DESIGNS_OUT=DIR` set, the valid designs are also written
//! there, so `tests/daemons/check.sh` can have the real daemons check what they render.

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use stackwright_core::model::*;
use stackwright_core::{format, render, share, validate};

/// Characters a user may put in a password: printable ASCII symbols and some unicode.
const PASSWORD_CHARS: &str = "[a-zA-Z0-9%'\"\\\\$#;{}()\\[\\]!@&*+=?<>,.:/|~`^é€ß-]";

/// The edits a user can make through the forms, drawn at random.
#[derive(Clone, Debug)]
struct Edits {
    instances: usize,
    base_port: u16,
    threads: u8,
    maxconn: u8,
    cache_size: u32,
    storage_mb: u32,
    balance: Balance,
    with_varnish: bool,
    site_id: String,
    fallback: String,
    db_password: String,
    supervisor_password: String,
    admin_password: String,
    open_files: u32,
    debug_mode: bool,
    upload_limit_mb: u32,
    hsts: bool,
}

/// `apply` gives the chain's daemons `base_port + 0..=7` and up to eight instances
/// `base_port + 11..=18`: the window of ports a design draws.
const PORT_WINDOW: u16 = 19;

/// The ports of the default design that `apply` leaves where they are.
fn fixed_ports() -> Vec<u16> {
    let t = Topology::exercise();
    let mut ports: Vec<u16> = t
        .components
        .iter()
        .filter(|c| c.kind() == Kind::Database)
        .flat_map(|c| c.listeners())
        .map(|l| {
            l.port
                .parse()
                .expect("the default design's ports are numbers")
        })
        .collect();
    ports.sort_unstable();
    ports
}

/// Moves a drawn base port past every fixed port its window would cover, so the ports
/// a design draws never clash with the ones it keeps: valid by construction.
fn clear_of_fixed(mut base: u16, fixed: &[u16]) -> u16 {
    for &port in fixed {
        if (base..base + PORT_WINDOW).contains(&port) {
            base = port + 1;
        }
    }
    base
}

fn base_port() -> impl Strategy<Value = u16> {
    let fixed = fixed_ports();
    (2000u16..=60000).prop_map(move |base| clear_of_fixed(base, &fixed))
}

#[test]
fn drawn_ports_never_cover_a_fixed_port() {
    let fixed = fixed_ports();
    assert!(
        fixed.contains(&3306),
        "the database keeps its port: {fixed:?}"
    );
    for drawn in 2000u16..=60000 {
        let base = clear_of_fixed(drawn, &fixed);
        let window = base..base + PORT_WINDOW;
        assert!(
            !fixed.iter().any(|p| window.contains(p)),
            "{drawn} gives {window:?}, which covers one of {fixed:?}"
        );
    }
}

/// A Plone site id: Zope reserves ids that start with `aq_` (acquisition), so one drawn
/// with that start gets a letter before it.
fn site_id() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9_.-]{0,20}".prop_map(|id| {
        if id.starts_with("aq_") {
            format!("x{id}")
        } else {
            id
        }
    })
}

fn edits() -> impl Strategy<Value = Edits> {
    (
        (
            1usize..=8,
            base_port(),
            1u8..=8,
            1u8..=8,
            0u32..=100_000,
            1u32..=4096,
        ),
        (
            // Not by source: behind Varnish or nginx that is an error (one client address).
            prop::sample::select(vec![Balance::LeastConn, Balance::RoundRobin]),
            any::<bool>(),
            site_id(),
            "(/[a-z0-9_-]{1,12}){1,3}",
        ),
        (
            prop::string::string_regex(&format!("{PASSWORD_CHARS}{{1,24}}")).unwrap(),
            "[a-zA-Z0-9%'\"\\\\$;#{}é]{1,24}",
            // The admin's password is tried through nginx: a valid design has a strong one.
            prop::string::string_regex(&format!("{PASSWORD_CHARS}{{12,24}}")).unwrap(),
            100u32..=100_000,
            any::<bool>(),
        ),
        (1u32..=65_536, any::<bool>()),
    )
        .prop_map(|(a, b, c, d)| Edits {
            instances: a.0,
            base_port: a.1,
            threads: a.2,
            maxconn: a.3,
            cache_size: a.4,
            storage_mb: a.5,
            balance: b.0,
            with_varnish: b.1,
            site_id: b.2,
            fallback: b.3,
            db_password: c.0,
            supervisor_password: c.1,
            admin_password: c.2,
            open_files: c.3,
            debug_mode: c.4,
            upload_limit_mb: d.0,
            hsts: d.1,
        })
}

/// Applies the edits to a new design the way the forms would.
fn apply(e: &Edits) -> Topology {
    let mut t = stackwright_core::defaults::new_design(
        &[42; stackwright_core::defaults::NEW_DESIGN_RANDOM],
    )
    .unwrap();
    // Instances: keep the template instance and make as many as asked, on free ports.
    let template = t.component("instance1").unwrap().clone();
    t.components.retain(|c| c.kind() != Kind::Zope);
    t.connections
        .retain(|c| !c.from.starts_with("instance") && !c.to.starts_with("instance"));
    for n in 1..=e.instances {
        let mut i = template.clone();
        i.id = format!("instance{n}");
        i.name = format!("Instance {n}");
        if let ComponentKind::Zope(z) = &mut i.kind {
            z.port = (e.base_port + 10 + n as u16).to_string();
        }
        t.connections.push(Connection {
            from: "haproxy".into(),
            to: i.id.clone(),
        });
        t.connections.push(Connection {
            from: i.id.clone(),
            to: "database".into(),
        });
        t.connections.push(Connection {
            from: i.id.clone(),
            to: "memcached".into(),
        });
        t.components.push(i);
    }
    for c in &mut t.components {
        let p = e.base_port;
        match &mut c.kind {
            ComponentKind::Nginx(n) => {
                n.http_port = p.to_string();
                n.https_port = (p + 1).to_string();
                n.upload_limit_mb = e.upload_limit_mb.to_string();
                n.hsts = e.hsts;
            }
            ComponentKind::Varnish(v) => {
                v.port = (p + 2).to_string();
                v.purge_port = (p + 7).to_string();
                v.storage = format!("malloc,{}M", e.storage_mb);
            }
            ComponentKind::Haproxy(h) => {
                h.port = (p + 3).to_string();
                h.stats_port = (p + 4).to_string();
                h.balance = e.balance;
                h.maxconn_per_server = e.maxconn.min(e.threads).to_string();
            }
            ComponentKind::Memcached(m) => m.port = (p + 5).to_string(),
            ComponentKind::Supervisor(s) => {
                s.port = (p + 6).to_string();
                s.password = e.supervisor_password.clone();
            }
            ComponentKind::Database(d) => d.password = e.db_password.clone(),
            ComponentKind::Zope(_) => {}
        }
    }
    if !e.with_varnish {
        t.components.retain(|c| c.kind() != Kind::Varnish);
        t.connections
            .retain(|c| c.from != "varnish" && c.to != "varnish");
        t.connections.push(Connection {
            from: "nginx".into(),
            to: "haproxy".into(),
        });
    }
    let s = &mut t.settings;
    s.site_id = e.site_id.clone();
    s.fallback_url = e.fallback.clone();
    s.zope_admin_password = e.admin_password.clone();
    s.instance.threads = e.threads.to_string();
    s.instance.zodb_cache_size = e.cache_size.to_string();
    s.instance.debug_mode = e.debug_mode;
    s.open_files = e
        .open_files
        .max(2 * e.threads as u32 * e.instances as u32 + 16)
        .to_string();
    t
}

/// A password the supervisor format cannot hold (`;` or `#` after a space) is a
/// validation error, not a valid edit; the generator's supervisor passwords have no spaces.
#[test]
fn valid_edits_validate_and_render() {
    let out = std::env::var_os("STACKWRIGHT_DESIGNS_OUT").map(std::path::PathBuf::from);
    let mut runner = TestRunner::new(Config {
        cases: 48,
        source_file: Some(file!()),
        // Failing cases are kept in proptest-regressions/ and tried first on every run.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    });
    let written = std::cell::Cell::new(0);
    runner
        .run(&edits(), |e| {
            let t = apply(&e);
            let validation = validate(&t);
            let errors: Vec<_> = validation.errors().collect();
            // A failing case shows the design and what was wrong with it in the log.
            prop_assert!(
                errors.is_empty(),
                "{errors:#?}\nin the design\n{}",
                format::to_json(&t)
            );
            prop_assert!(validation.plan.is_some(), "a valid design without a plan");
            let bundle = render(&t).map_err(|err| {
                TestCaseError::fail(format!("{err}\nin the design\n{}", format::to_json(&t)))
            })?;
            prop_assert!(bundle.files.contains_key("etc/haproxy.cfg"));
            if let Some(dir) = &out
                && written.get() < 24
            {
                written.set(written.get() + 1);
                let name = format!("random-{:02}.json", written.get());
                std::fs::write(dir.join(name), format::to_json(&t)).unwrap();
            }
            Ok(())
        })
        .unwrap();
}

fn junk() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[0-9]{1,7}",
        "\\PC{0,12}",
        "[ -~]{0,16}",
        Just("0.0.0.0".to_string()),
        Just("localhost".to_string()),
        Just("instance1".to_string()),
    ]
}

/// A canvas coordinate the format accepts, its two ends often.
fn coordinate() -> impl Strategy<Value = i32> {
    prop_oneof![
        Just(Position::MAX),
        Just(-Position::MAX),
        Just(0),
        -Position::MAX..=Position::MAX,
    ]
}

/// Random values in every field of the default design's components and settings,
/// positions anywhere on the canvas the format accepts, and ids that repeat.
fn scrambled() -> impl Strategy<Value = Topology> {
    (
        prop::collection::vec(junk(), 40),
        prop::collection::vec((0usize..12, 0usize..12), 0..20),
        prop::collection::vec((coordinate(), coordinate()), 12),
        any::<u64>(),
    )
        .prop_map(|(values, edges, positions, seed)| {
            let mut t = Topology::exercise();
            let mut v = values.into_iter().cycle();
            let mut next = move || v.next().unwrap_or_default();
            let first_id = t.components[0].id.clone();
            for (i, c) in t.components.iter_mut().enumerate() {
                c.id = if seed % 7 == 0 {
                    next()
                } else if seed % 4 == 0 && i % 3 == 2 {
                    first_id.clone()
                } else {
                    c.id.clone()
                };
                if seed % 2 == 0 {
                    let (x, y) = positions[i % positions.len()];
                    c.position = Position { x, y };
                }
                c.host = if seed % 5 == 0 {
                    next()
                } else {
                    c.host.clone()
                };
                c.address = next();
                c.user = next();
                match &mut c.kind {
                    ComponentKind::Nginx(n) => {
                        n.http_port = next();
                        n.public_host = next();
                        n.certificate = next();
                    }
                    ComponentKind::Varnish(x) => {
                        x.port = next();
                        x.storage = next();
                        x.tuning = next();
                        x.purge_acl = vec![next(), next()];
                    }
                    ComponentKind::Haproxy(h) => {
                        h.maxconn_per_server = next();
                        h.stats_user = next();
                        h.stats_password = next();
                    }
                    ComponentKind::Zope(z) => {
                        z.port = next();
                        z.threads = Some(next());
                    }
                    ComponentKind::Database(d) => d.password = next(),
                    ComponentKind::Memcached(m) => m.memory_mb = next(),
                    ComponentKind::Supervisor(s) => s.password = next(),
                }
            }
            t.settings.site_id = next();
            t.settings.fallback_url = next();
            t.settings.open_files = next();
            t.settings.instance.threads = next();
            let ids: Vec<String> = t
                .components
                .iter()
                .map(|c| c.id.clone())
                .chain(["ghost".to_string()])
                .collect();
            for (a, b) in edges {
                t.connections.push(Connection {
                    from: ids[a % ids.len()].clone(),
                    to: ids[b % ids.len()].clone(),
                });
            }
            if seed % 3 == 0 {
                t.components.truncate((seed % 11) as usize);
            }
            t
        })
}

proptest! {
    #![proptest_config(Config { cases: 256, failure_persistence: None, ..Config::default() })]

    /// Whatever a design holds, validation answers and rendering either works or
    /// refuses with the errors; neither panics.
    #[test]
    fn junk_never_panics(t in scrambled()) {
        let validation = validate(&t);
        // The plan is resolved exactly when nothing blocks rendering.
        prop_assert_eq!(validation.plan.is_some(), validation.errors().next().is_none());
        match render(&t) {
            Ok(_) => prop_assert!(validation.errors().next().is_none()),
            Err(stackwright_core::RenderError::Invalid(errors)) => prop_assert!(!errors.is_empty()),
            Err(other) => prop_assert!(false, "a template failed on a validated design: {other:?}"),
        }
        // And the saved format and a share link with its passwords carry it unchanged.
        prop_assert_eq!(&format::from_json(&format::to_json(&t)).unwrap(), &t);
        let link = share::encode(&t, share::Secrets::Include);
        prop_assert_eq!(share::decode(&link).unwrap().topology, t);
    }
}

proptest! {
    #![proptest_config(Config { cases: 64, failure_persistence: None, ..Config::default() })]

    /// A valid design renders wherever its boxes sit on the canvas the format accepts
    /// (tests build with overflow checks), and a nudge past the edge stays on it.
    #[test]
    fn every_accepted_position_renders(
        positions in prop::collection::vec((coordinate(), coordinate()), 12),
        nudge in (any::<i32>(), any::<i32>()),
    ) {
        let mut t = stackwright_core::defaults::new_design(
            &[42; stackwright_core::defaults::NEW_DESIGN_RANDOM],
        )
        .unwrap();
        for (c, (x, y)) in t.components.iter_mut().zip(positions.iter().cycle()) {
            c.position = Position { x: *x, y: *y };
        }
        let bundle = render(&t).map_err(|err| TestCaseError::fail(err.to_string()))?;
        prop_assert!(bundle.files.keys().any(|path| path.ends_with(".svg")));
        let id = t.components[0].id.clone();
        let moved = t.components[0].position.moved(nudge);
        stackwright_core::edit::move_component(&mut t, &id, moved).unwrap();
        let at = t.components[0].position;
        prop_assert!(at.x.abs() <= Position::MAX && at.y.abs() <= Position::MAX);
        prop_assert_eq!(format::from_json(&format::to_json(&t)).unwrap(), t);
    }
}

/// A coordinate past the canvas is refused where it stands, with the range; it used to
/// overflow the layout's arithmetic (a panic in a debug build, wrapped boxes in release).
#[test]
fn positions_off_the_canvas_are_refused() {
    let mut json: serde_json::Value =
        serde_json::from_str(&format::to_json(&Topology::exercise())).unwrap();
    json["components"][1]["position"]["x"] = serde_json::json!(2147483647_i64);
    let err = format::from_json(&json.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("components[1].position.x: 2147483647 is off the canvas: a coordinate is from -1000000 to 1000000"),
        "{err}"
    );
    json["components"][1]["position"]["x"] = serde_json::json!(-1_000_001);
    assert!(format::from_json(&json.to_string()).is_err());
    json["components"][1]["position"]["x"] = serde_json::json!(-1_000_000);
    assert_eq!(
        format::from_json(&json.to_string()).unwrap().components[1]
            .position
            .x,
        -Position::MAX
    );
}
