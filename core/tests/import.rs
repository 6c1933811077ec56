//! Importing buildouts and exporting designs as buildouts.
//!
//! The exercise's own `deployment.cfg` (from the seed, with small stand-ins for the
//! files it extends, under `tests/import/exercise/`) must give exactly the default
//! design; each of buildout's rules gets a case; exported designs must come back
//! unchanged; and nothing a user can feed the importer makes it panic.

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use stackwright_core::Topology;
use stackwright_core::defaults::scaled;
use stackwright_core::import::{ImportError, ImportNote, Imported, export_buildout, import};
use stackwright_core::model::*;

/// Every file of a fixture folder, keyed by its path relative to the folder.
fn folder(name: &str) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let key = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(key, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import")
        .join(name);
    let mut files = BTreeMap::new();
    walk(&root, &root, &mut files);
    files
}

fn files(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    list.iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

/// Imports `list` (path, text) with `main` as the top file.
fn check(list: &[(&str, &str)], main: &str) -> Imported {
    import(&files(list), main).unwrap_or_else(|e| panic!("import failed: {e}"))
}

fn has_note(notes: &[ImportNote], file: &str, line: usize, reason_part: &str) -> bool {
    notes
        .iter()
        .any(|n| n.file == file && n.line == line && n.reason.contains(reason_part))
}

fn assert_note(imported: &Imported, file: &str, line: usize, reason_part: &str) {
    assert!(
        has_note(&imported.notes, file, line, reason_part),
        "no note at {file}:{line} containing {reason_part:?}; notes:\n{}",
        report(&imported.notes)
    );
}

fn report(notes: &[ImportNote]) -> String {
    notes.iter().map(|n| format!("{n}\n")).collect()
}

fn zope<'a>(t: &'a Topology, id: &str) -> (&'a Component, &'a ZopeInstance) {
    let c = t
        .component(id)
        .unwrap_or_else(|| panic!("no component {id}"));
    match &c.kind {
        ComponentKind::Zope(z) => (c, z),
        _ => panic!("{id} is not a Zope instance"),
    }
}

fn site(t: &Topology) -> &str {
    &t.settings.site_id
}

fn purge_acl(t: &Topology) -> Vec<String> {
    match &t.first(Kind::Varnish).unwrap().kind {
        ComponentKind::Varnish(v) => v.purge_acl.clone(),
        _ => unreachable!(),
    }
}

/// The line of `file` in the fixture `exercise` that contains `needle`.
fn line_of(file: &str, needle: &str) -> usize {
    let text = &folder("exercise")[file];
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in {file}"))
        + 1
}

// The exercise

#[test]
fn the_exercise_imports_to_exactly_the_default_design() {
    let imported = import(&folder("exercise"), "deployment.cfg").unwrap();
    assert_eq!(
        imported.topology,
        Topology::exercise(),
        "notes:\n{}",
        report(&imported.notes)
    );

    // What the design does not hold is reported where it is written, never failed on.
    assert_note(
        &imported,
        "deployment.cfg",
        line_of("deployment.cfg", "syslog          = localhost"),
        "no syslog",
    );
    assert_note(
        &imported,
        "deployment.cfg",
        line_of("deployment.cfg", "[zodbpack]"),
        "[zodbpack] (recipe zc.recipe.egg)",
    );
    assert_note(
        &imported,
        "deployment.cfg",
        line_of("deployment.cfg", "http-fast-listen"),
        "waitress",
    );
    assert_note(
        &imported,
        "deployment.cfg",
        line_of("deployment.cfg", "auto-checkout"),
        "buildout setting",
    );
    assert_note(
        &imported,
        "packages.cfg",
        line_of("packages.cfg", "http://dist.plone.org"),
        "remote",
    );
    assert_note(
        &imported,
        "buildout.d/varnish.cfg",
        line_of("buildout.d/varnish.cfg", "[varnish-build]"),
        "not part of the design",
    );
    assert_note(
        &imported,
        "buildout.d/nginx.cfg",
        line_of("buildout.d/nginx.cfg", "[nginx-config]"),
        "not part of the design",
    );
    assert_note(
        &imported,
        "buildout.d/memcached.cfg",
        line_of("buildout.d/memcached.cfg", "memcached-parts"),
        "buildout setting",
    );
    assert_note(&imported, "versions.cfg", 2, "[versions] pins eggs");
    // Every note points at a real line of a given file, with its text.
    let given = folder("exercise");
    for n in &imported.notes {
        assert!(n.line > 0, "{n}");
        let text = given[&n.file].lines().nth(n.line - 1).unwrap();
        assert_eq!(text.trim_end(), n.text);
    }
    // Nothing the design needs was left unresolved: the recipe-computed locations in
    // the programs are never read.
    assert!(
        !imported
            .notes
            .iter()
            .any(|n| n.reason.contains("substitut")),
        "{}",
        report(&imported.notes)
    );
}

#[test]
fn deployment_cfg_alone_imports_too_and_says_what_is_missing() {
    let mut given = folder("exercise");
    given.retain(|k, _| k == "deployment.cfg");
    let imported = import(&given, "deployment.cfg").unwrap();
    assert_eq!(
        imported.topology,
        Topology::exercise(),
        "notes:\n{}",
        report(&imported.notes)
    );
    for file in [
        "packages.cfg",
        "buildout.d/memcached.cfg",
        "buildout.d/nginx.cfg",
    ] {
        let line = line_of("deployment.cfg", file);
        assert_note(
            &imported,
            "deployment.cfg",
            line,
            &format!("{file} is not among the given files"),
        );
    }
    // The parts list refers to lists the missing files define.
    assert_note(
        &imported,
        "deployment.cfg",
        line_of("deployment.cfg", "${buildout:memcached-parts}"),
        "${buildout:memcached-parts}",
    );
}

#[test]
fn notes_come_in_file_then_line_order() {
    let imported = import(&folder("exercise"), "deployment.cfg").unwrap();
    let order = ["deployment.cfg", "packages.cfg", "versions.cfg"];
    let rank = |f: &str| order.iter().position(|o| *o == f).unwrap_or(order.len());
    let keys: Vec<(usize, &str, usize)> = imported
        .notes
        .iter()
        .map(|n| (rank(&n.file), n.file.as_str(), n.line))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by_key(|(r, f, l)| (*r, if *r == order.len() { *f } else { "" }, *l));
    assert_eq!(keys.first().map(|k| k.1), Some("deployment.cfg"));
    let deployment: Vec<usize> = keys
        .iter()
        .filter(|k| k.1 == "deployment.cfg")
        .map(|k| k.2)
        .collect();
    assert!(
        deployment.windows(2).all(|w| w[0] <= w[1]),
        "{deployment:?}"
    );
}

// buildout's rules, one case each

const HEADER: &str = "[hosts]\npublic = localhost\n";

#[test]
fn extends_merge_in_order_and_the_extending_file_wins() {
    let imported = check(
        &[
            (
                "main.cfg",
                "[buildout]\nextends = a.cfg sub/b.cfg\n[sites]\n",
            ),
            (
                "a.cfg",
                "[sites]\nmain = FromA\n[urls]\nfallback = /a\n[limits]\nopen-files = 1\n",
            ),
            (
                "sub/b.cfg",
                "[buildout]\nextends = ../c.cfg\n[sites]\nmain = FromB\n[limits]\nopen-files = 2\n",
            ),
            (
                "c.cfg",
                "[urls]\nfallback = /c\n[limits]\nsession-timeout = 3\n",
            ),
        ],
        "main.cfg",
    );
    let s = &imported.topology.settings;
    // b (listed later) beats a; c is extended by b so it sits below b but above a.
    assert_eq!(s.site_id, "FromB");
    assert_eq!(s.fallback_url, "/c");
    assert_eq!(s.open_files, "2");
    assert_eq!(s.session_timeout, "3");

    let imported = check(
        &[
            (
                "main.cfg",
                "[buildout]\nextends = a.cfg\n[sites]\nmain = Mine\n",
            ),
            ("a.cfg", "[sites]\nmain = FromA\n"),
        ],
        "main.cfg",
    );
    assert_eq!(site(&imported.topology), "Mine");
}

#[test]
fn later_definitions_override_earlier_ones_in_one_file() {
    let imported = check(
        &[(
            "m.cfg",
            "[sites]\nmain = One\n[limits]\n[sites]\nmain = Two\n",
        )],
        "m.cfg",
    );
    assert_eq!(site(&imported.topology), "Two");
}

#[test]
fn current_section_substitution() {
    let imported = check(
        &[(
            "m.cfg",
            "[sites]\nprefix = Pl\nmain = ${:prefix}one\n[ports]\nhttp = 80${:tail}\ntail = 80\n",
        )],
        "m.cfg",
    );
    assert_eq!(site(&imported.topology), "Plone");
    match &imported.topology.first(Kind::Nginx).unwrap().kind {
        ComponentKind::Nginx(n) => assert_eq!(n.http_port, "8080"),
        _ => unreachable!(),
    }
    // An unknown key is reported as such, not as a failure.
    assert_note(&imported, "m.cfg", 2, "[sites] prefix");
}

#[test]
fn macros_inherit_and_current_section_means_the_inheriting_one() {
    let imported = check(
        &[(
            "m.cfg",
            "[buildout]\nparts = instance1 instance2\n\
             [instance]\nrecipe = plone.recipe.zope2instance\nhttp-address = 127.0.0.1:${:port}\n\
             zserver-threads = 3\nzodb-cache-size = 500\nshared-blob = on\n\
             rel-storage =\n    type mysql\n    cache-servers localhost:11211\n\
             [instance1]\n<= instance\nport = 9001\n\
             [instance2]\n<= instance\nport = 9002\nzserver-threads = 5\n",
        )],
        "m.cfg",
    );
    let t = &imported.topology;
    assert_eq!(t.settings.instance.threads, "3");
    assert_eq!(t.settings.instance.zodb_cache_size, "500");
    let (c1, z1) = zope(t, "instance1");
    assert_eq!(
        (c1.address.as_str(), z1.port.as_str()),
        ("127.0.0.1", "9001")
    );
    assert_eq!(z1.threads, None);
    let (_, z2) = zope(t, "instance2");
    assert_eq!(z2.port, "9002");
    assert_eq!(z2.threads.as_deref(), Some("5"));
    assert_eq!(t.of_kind(Kind::Zope).count(), 2);
    let haproxy_targets: Vec<&str> = t.targets_of("haproxy").map(|c| c.id.as_str()).collect();
    assert_eq!(haproxy_targets, ["instance1", "instance2"]);
    for id in ["instance1", "instance2"] {
        let targets: Vec<&str> = t.targets_of(id).map(|c| c.id.as_str()).collect();
        assert_eq!(targets, ["database", "memcached"]);
    }
}

#[test]
fn macros_that_loop_are_reported() {
    let imported = check(
        &[(
            "m.cfg",
            "[a]\n<= b\nx = 1\n[b]\n<= a\n[sites]\nmain = Fine\n",
        )],
        "m.cfg",
    );
    assert_eq!(site(&imported.topology), "Fine");
    assert!(
        imported.notes.iter().any(|n| n.reason.contains("loop")),
        "{}",
        report(&imported.notes)
    );
}

#[test]
fn add_and_remove_lines_of_an_extended_value() {
    let imported = check(
        &[
            (
                "main.cfg",
                "[buildout]\nextends = base.cfg\n[hosts]\nallow-purge +=\n    10.0.0.0/8\n    192.168.0.0/16\nallow-purge -= 127.0.0.1\n",
            ),
            (
                "base.cfg",
                "[hosts]\nallow-purge =\n    localhost\n    127.0.0.1\n",
            ),
        ],
        "main.cfg",
    );
    assert_eq!(
        purge_acl(&imported.topology),
        ["localhost", "10.0.0.0/8", "192.168.0.0/16"]
    );
}

#[test]
fn add_within_one_file_and_through_a_macro() {
    let imported = check(
        &[(
            "m.cfg",
            "[hosts]\nallow-purge = a\nallow-purge += b\nallow-purge+= c\n[sites]\nmain = x\n",
        )],
        "m.cfg",
    );
    assert_eq!(purge_acl(&imported.topology), ["a", "b", "c"]);

    // `+=` in a section built with `<=` adds to the macro's value.
    let imported = check(
        &[(
            "m.cfg",
            "[base]\nlist = a\n    b\n[hosts]\n<= base\nlist += c\nallow-purge = ${:list}\n",
        )],
        "m.cfg",
    );
    assert_eq!(purge_acl(&imported.topology), ["a", "b", "c"]);
}

#[test]
fn continuation_lines_and_comments() {
    let imported = check(
        &[(
            "m.cfg",
            "# a comment\n; another\n[hosts] # trailing comment on a header\n\
             allow-purge =\n    one\n# a comment inside the value\n\n    two\n  \n\tthree\n\
             ; end\n[sites]\nmain =\n    Plone\n",
        )],
        "m.cfg",
    );
    assert_eq!(purge_acl(&imported.topology), ["one", "two", "three"]);
    assert_eq!(site(&imported.topology), "Plone");
}

#[test]
fn remote_extends_are_skipped_and_reported() {
    let imported = check(
        &[(
            "m.cfg",
            "[buildout]\nextends =\n    https://dist.plone.org/release/6.0/versions.cfg\n[sites]\nmain = Here\n",
        )],
        "m.cfg",
    );
    assert_eq!(site(&imported.topology), "Here");
    assert_note(
        &imported,
        "m.cfg",
        3,
        "is remote; the importer does not fetch it",
    );
}

#[test]
fn cyclic_extends_are_an_error() {
    let err = import(
        &files(&[
            ("a.cfg", "[buildout]\nextends = b.cfg\n[sites]\nmain = A\n"),
            ("b.cfg", "[buildout]\nextends = ./a.cfg\n"),
        ]),
        "a.cfg",
    )
    .unwrap_err();
    assert_eq!(
        err,
        ImportError::CyclicExtends {
            chain: vec!["a.cfg".into(), "b.cfg".into(), "a.cfg".into()]
        }
    );
    assert_eq!(
        err.to_string(),
        "the files extend each other in a loop: a.cfg extends b.cfg extends a.cfg; buildout refuses this too"
    );
    // A file extended twice without a loop (a diamond) is fine.
    let imported = check(
        &[
            ("m.cfg", "[buildout]\nextends = l.cfg r.cfg\n"),
            ("l.cfg", "[buildout]\nextends = base.cfg\n"),
            ("r.cfg", "[buildout]\nextends = base.cfg\n"),
            ("base.cfg", "[sites]\nmain = Diamond\n"),
        ],
        "m.cfg",
    );
    assert_eq!(site(&imported.topology), "Diamond");
}

#[test]
fn missing_main_and_files_that_are_no_deployment_are_errors() {
    let err = import(&files(&[("a.cfg", HEADER)]), "deployment.cfg").unwrap_err();
    assert_eq!(
        err.to_string(),
        "deployment.cfg is not among the given files (given: a.cfg)"
    );
    let err = import(&BTreeMap::new(), "deployment.cfg").unwrap_err();
    assert!(err.to_string().contains("no file was given"));
    let err = import(&files(&[("b.cfg", "[buildout]\nparts =\n")]), "b.cfg").unwrap_err();
    assert!(matches!(err, ImportError::NotADeployment { .. }), "{err}");
}

#[test]
fn undefined_substitutions_are_notes_and_keep_the_value() {
    let imported = check(
        &[(
            "m.cfg",
            "[sites]\nmain = ${nowhere:site}\n[urls]\nfallback = ${sites:nothing}\n[limits]\nopen-files = ${a}\n",
        )],
        "m.cfg",
    );
    assert_eq!(imported.topology.settings, Topology::exercise().settings);
    assert_note(
        &imported,
        "m.cfg",
        2,
        "no given file defines a section [nowhere]",
    );
    assert_note(&imported, "m.cfg", 4, "[sites] has no option nothing");
    assert_note(&imported, "m.cfg", 6, "needs a colon");
}

#[test]
fn circular_substitutions_are_notes() {
    let imported = check(
        &[(
            "m.cfg",
            "[sites]\nmain = ${:a}\na = ${:b}\nb = ${sites:main}\n",
        )],
        "m.cfg",
    );
    assert_eq!(site(&imported.topology), "Plone");
    assert_note(
        &imported,
        "m.cfg",
        2,
        "circular reference (sites:main -> sites:a -> sites:b -> sites:main)",
    );
}

#[test]
fn escaped_dollars_stay_literal() {
    let imported = check(
        &[(
            "m.cfg",
            "[passwords]\nzope-admin = pa$$ss$${x:y}\n[sites]\nmain = P\n",
        )],
        "m.cfg",
    );
    assert_eq!(
        imported.topology.settings.zope_admin_password,
        "pa$ss${x:y}"
    );
}

#[test]
fn bad_lines_are_reported_by_line_and_skipped() {
    let imported = check(
        &[(
            "m.cfg",
            "stray = before any section\n[sites]\n  indented junk after a header\nmain: colon is not buildout\nmain = Ok\n[not a header\n",
        )],
        "m.cfg",
    );
    assert_eq!(site(&imported.topology), "Ok");
    assert_note(&imported, "m.cfg", 1, "before the first [section]");
    for line in [3, 4, 6] {
        assert_note(&imported, "m.cfg", line, "neither a [section] header");
    }
    // As in buildout, an indented line after an option continues it.
    let imported = check(&[("m.cfg", "[hosts]\nallow-purge = a\n  b\n")], "m.cfg");
    assert_eq!(purge_acl(&imported.topology), ["a", "b"]);
}

#[test]
fn instances_not_in_parts_are_not_built() {
    let imported = check(
        &[(
            "m.cfg",
            "[buildout]\nparts = instance2\n[instance]\nrecipe = plone.recipe.zope2instance\nzserver-threads = 2\n\
             [instance1]\n<= instance\nhttp-address = 8001\n[instance2]\n<= instance\nhttp-address = 10.0.0.2:8002\n",
        )],
        "m.cfg",
    );
    let ids: Vec<&str> = imported
        .topology
        .of_kind(Kind::Zope)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, ["instance2"]);
    assert_note(&imported, "m.cfg", 6, "not in buildout's parts");
    let (c, z) = zope(&imported.topology, "instance2");
    assert_eq!((c.address.as_str(), z.port.as_str()), ("10.0.0.2", "8002"));
}

#[test]
fn supervisor_programs_are_checked_against_the_design() {
    let mut given = folder("exercise");
    let cfg = given["deployment.cfg"]
        .replace("40 nginx      ${nginx-build:location}/sbin/nginx true", "45 nginx      ${nginx-build:location}/sbin/nginx true\n    50 cron /bin/cron true root")
        .replace("true ${users:haproxy}", "true root");
    given.insert("deployment.cfg".into(), cfg.clone());
    let imported = import(&given, "deployment.cfg").unwrap();
    assert_eq!(imported.topology, Topology::exercise());
    let line = |needle: &str| cfg.lines().position(|l| l.contains(needle)).unwrap() + 1;
    assert_note(
        &imported,
        "deployment.cfg",
        line("45 nginx"),
        "priority 45 of nginx is not kept",
    );
    assert_note(
        &imported,
        "deployment.cfg",
        line("50 cron"),
        "program cron is not a component",
    );
    assert_note(
        &imported,
        "deployment.cfg",
        line("20 haproxy"),
        "runs as root here",
    );
}

// Taking a buildout out

/// The lines that carry meaning: no comments, no blank lines, no trailing spaces.
fn meaningful(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .map(|l| l.trim_end().to_string())
        .collect()
}

#[test]
fn the_default_design_exports_as_the_exercises_deployment_cfg() {
    let exported = export_buildout(&Topology::exercise());
    let original = &folder("exercise")["deployment.cfg"];
    assert_eq!(meaningful(&exported), meaningful(original));
    let mut given = folder("exercise");
    given.insert("deployment.cfg".into(), exported);
    assert_eq!(
        import(&given, "deployment.cfg").unwrap().topology,
        Topology::exercise()
    );
}

/// Component order is not something a buildout carries: compare designs without it.
fn normalized(mut t: Topology) -> Topology {
    t.components.sort_by(|a, b| a.id.cmp(&b.id));
    t.connections.sort();
    t
}

fn round_trip(t: &Topology) -> Imported {
    let text = export_buildout(t);
    import(&files(&[("deployment.cfg", &text)]), "deployment.cfg")
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn scaled_single_host_designs_round_trip() {
    for n in [0, 1, 2, 4, 9, 16, 64] {
        let t = scaled(n, 1);
        let back = round_trip(&t);
        assert_eq!(normalized(back.topology), normalized(t), "{n} instances");
    }
}

#[test]
fn multi_host_designs_export_with_a_warning_and_import_on_one_host() {
    let t = scaled(4, 3);
    let text = export_buildout(&t);
    assert!(
        text.contains("# The design spans several machines"),
        "{text}"
    );
    let back = round_trip(&t).topology;
    assert_eq!(back.hosts.len(), 1);
    assert_eq!(back.of_kind(Kind::Zope).count(), 4);
}

/// A small deterministic generator, so one proptest seed drives many edits.
struct Pick(u64);

impl Pick {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn one<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        choices[(self.next() % choices.len() as u64) as usize]
    }
    fn coin(&mut self) -> bool {
        self.next().is_multiple_of(2)
    }
    fn port(&mut self) -> String {
        (1024 + self.next() % 64000).to_string()
    }
    fn number(&mut self, max: u64) -> String {
        (1 + self.next() % max).to_string()
    }
    /// Printable, with the characters buildout gives meaning to, no outer spaces.
    fn password(&mut self) -> String {
        const CHARS: &[u8] = b"abcXYZ019 $#;:{}[]=%@!";
        let len = 1 + self.next() % 16;
        let mut s: String = (0..len)
            .map(|_| CHARS[(self.next() % CHARS.len() as u64) as usize] as char)
            .collect();
        s = s.trim().to_string();
        if s.is_empty() { "x".into() } else { s }
    }
}

const ADDRESSES: &[&str] = &[
    "localhost",
    "127.0.0.1",
    "0.0.0.0",
    "10.0.0.5",
    "web.example.org",
];
const USERS: &[&str] = &["nobody", "www-data", "plone", "zope"];

/// Edits every value a single-host design can carry through a buildout.
fn edited(instances: usize, seed: u64) -> Topology {
    let mut p = Pick(seed);
    let mut t = scaled(instances, 1);
    if p.coin() {
        let (id, address) = (
            p.one(&["web1", "plone-box"]).to_string(),
            p.one(&["10.1.2.3", "192.168.7.7"]).to_string(),
        );
        t.hosts[0] = Host {
            id: id.clone(),
            address,
        };
        for c in &mut t.components {
            c.host = id.clone();
        }
    }
    let s = &mut t.settings;
    s.name = p.one(&["plone-deployment", "intranet", "www_2"]).into();
    s.install_dir = p.one(&["/srv/plone-deployment", "/opt/site"]).into();
    s.site_id = p.one(&["Plone", "intranet", "Site-1"]).into();
    s.zope_admin_user = p.one(&["admin", "root.user", "a@b"]).into();
    s.zope_admin_password = p.password();
    s.fallback_url = p.one(&["/system_error", "/down", "/a/b"]).into();
    s.open_files = p.number(5000);
    s.session_timeout = p.number(9999);
    s.shared_blobs = p.coin();
    s.instance.threads = p.number(8);
    s.instance.zodb_cache_size = p.number(100000);
    s.instance.debug_mode = p.coin();
    s.instance.verbose_security = p.coin();
    for c in &mut t.components {
        if c.kind() != Kind::Database && c.kind() != Kind::Supervisor && c.kind() != Kind::Nginx {
            c.address = p.one(ADDRESSES).into();
        }
        if !matches!(c.kind(), Kind::Database | Kind::Supervisor) {
            c.user = p.one(USERS).into();
        }
        match &mut c.kind {
            ComponentKind::Nginx(n) => {
                n.http_port = p.port();
                n.https_port = p.port();
                n.public_host = p.one(&["localhost", "www.example.org"]).into();
                if p.coin() {
                    c.address = p.one(ADDRESSES).into();
                    n.certificate = "etc/site.crt".into();
                    n.certificate_key = "etc/site.key".into();
                    n.status_path = "/_status_".into();
                }
            }
            ComponentKind::Varnish(v) => {
                v.port = p.port();
                v.storage = p
                    .one(&["malloc,128M", "malloc,1G", "file,/var/cache/varnish,2G"])
                    .into();
                v.tuning = p.one(&["", "-p thread_pools=2", "-p a=1 -p b=2"]).into();
                let n = p.next() % 4;
                v.purge_acl = (0..n)
                    .map(|_| {
                        p.one(&[
                            "localhost",
                            "127.0.0.1",
                            "10.0.0.0/8",
                            "(proxy.example.org)",
                        ])
                        .to_string()
                    })
                    .collect();
            }
            ComponentKind::Haproxy(h) => {
                h.port = p.port();
                h.stats_port = p.port();
                if p.coin() {
                    h.stats_user = "stats".into();
                    h.stats_password = p.password();
                }
                h.balance = *[Balance::LeastConn, Balance::RoundRobin, Balance::Source]
                    .get((p.next() % 3) as usize)
                    .unwrap();
                h.maxconn_per_server = p.number(8);
                h.check_interval_ms = p.number(5000);
                h.fall = p.number(5);
                h.rise = p.number(5);
            }
            ComponentKind::Zope(z) => {
                z.port = p.port();
                if p.coin() {
                    z.threads = Some(p.number(8));
                }
                if p.coin() {
                    z.zodb_cache_size = Some(p.number(50000));
                }
                if p.coin() {
                    z.debug_mode = Some(p.coin());
                }
                if p.coin() {
                    z.verbose_security = Some(p.coin());
                }
            }
            ComponentKind::Database(d) => {
                c.address = p.one(&["localhost", "127.0.0.1", "db.example.org"]).into();
                d.port = p.one(&["3306", "3307"]).into();
                d.db_name = p.one(&["zodb", "plone_db"]).into();
                d.db_user = p.one(&["zope", "plone"]).into();
                d.password = p.password();
                d.flavor = if p.coin() {
                    DatabaseFlavor::MariaDb
                } else {
                    DatabaseFlavor::MySql
                };
            }
            ComponentKind::Memcached(m) => {
                m.port = p.port();
                m.memory_mb = p.number(1024);
            }
            ComponentKind::Supervisor(s) => {
                c.address = p.one(ADDRESSES).into();
                s.port = p.port();
                s.admin_user = p.one(&["admin", "ops"]).into();
                s.password = p.password();
            }
        }
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn edited_single_host_designs_round_trip(instances in 0usize..10, seed in any::<u64>()) {
        let t = edited(instances, seed);
        let back = round_trip(&t);
        prop_assert_eq!(normalized(back.topology), normalized(t), "{}", export_buildout(&edited(instances, seed)));
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,400}", main in "[a-z./]{0,12}") {
        let given = files(&[("deployment.cfg", &text), ("other.cfg", &text)]);
        let _ = import(&given, "deployment.cfg");
        let _ = import(&given, &main);
    }

    /// Cutting, inserting and replacing characters of the real exercise gives a design
    /// or an error, never a panic; and whatever imports exports and imports again.
    #[test]
    fn mutated_exercise_never_panics(
        at in prop::collection::vec((any::<prop::sample::Index>(), 0usize..3, "[\\[\\]${}:=+<>#; \n\tx-]{1,3}"), 1..8),
    ) {
        let mut given = folder("exercise");
        let mut text: Vec<char> = given["deployment.cfg"].chars().collect();
        for (index, action, insert) in at {
            let i = index.index(text.len().max(1)).min(text.len());
            match action {
                0 => { text.drain(i..(i + 5).min(text.len())); }
                1 => { text.splice(i..i, insert.chars()); }
                _ => { if i < text.len() { text.splice(i..i + 1, insert.chars()); } }
            }
        }
        given.insert("deployment.cfg".into(), text.into_iter().collect());
        if let Ok(imported) = import(&given, "deployment.cfg") {
            let again = export_buildout(&imported.topology);
            prop_assert!(import(&files(&[("d.cfg", &again)]), "d.cfg").is_ok());
        }
    }

    /// Random buildouts made of buildout's own constructs: extends between files,
    /// macros, additions, references to everything.
    #[test]
    fn random_buildouts_never_panic(
        lines in prop::collection::vec(prop::sample::select(vec![
            "[buildout]", "[hosts]", "[ports]", "[instance]", "[instance1]", "[instance2]", "[supervisor]", "[sites]", "[a]",
            "extends = b.cfg", "extends = c.cfg ../d.cfg", "extends = https://x/y.cfg", "extends = deployment.cfg",
            "parts = instance1 instance2 supervisor", "parts += ${a:x}", "parts -= instance1",
            "recipe = plone.recipe.zope2instance", "recipe = collective.recipe.supervisor",
            "<= instance", "<= a", "<= instance1", "http-address = ${:x}:${ports:instance1}", "instance1 = 80${:y}",
            "x = ${a:x}", "x = ${:x}$$", "y = ${b:y", "y = }${", "main = ${sites:main}", "x += 1", "x -= 1", "x+=", "x-=",
            "programs =", "    10 instance1 /bin/i [a b] true ${users:x}", "    0 x", "    [", "  ", "", "# c", "; c",
            "rel-storage =", "    cache-servers ${hosts:memcached}:1", "    host ${:x}", "user = a:b", "zserver-threads = ${:x}",
            "=>", "[x:cond]", "[]", "=", "===", "\t", "public = ${hosts:public}",
        ]), 0..60),
        split in prop::collection::vec(0usize..4, 0..60),
    ) {
        let names = ["deployment.cfg", "b.cfg", "c.cfg", "../d.cfg"];
        let mut texts = vec![String::new(); 4];
        for (i, line) in lines.iter().enumerate() {
            let file = split.get(i).copied().unwrap_or(0);
            texts[file].push_str(line);
            texts[file].push('\n');
        }
        let given: BTreeMap<String, String> = names.iter().map(|n| n.to_string()).zip(texts).collect();
        if let Ok(imported) = import(&given, "deployment.cfg") {
            let _ = export_buildout(&imported.topology);
        }
    }
}

#[test]
fn substitution_cannot_blow_up() {
    // Each level doubles the one below: 2^40 bytes if nothing stopped it.
    let mut text = String::from("[sites]\nl0 = xxxxxxxxxxxxxxxx\n");
    for i in 1..=40 {
        text.push_str(&format!("l{i} = ${{:l{}}}${{:l{}}}\n", i - 1, i - 1));
    }
    text.push_str("main = ${:l40}\n");
    let imported = check(&[("m.cfg", &text)], "m.cfg");
    assert_eq!(site(&imported.topology), "Plone");
    assert!(
        imported.notes.iter().any(|n| n.reason.contains("too long")),
        "{}",
        report(&imported.notes)
    );
}

#[test]
fn deep_extends_and_references_do_not_overflow() {
    let mut given = BTreeMap::new();
    for i in 0..300 {
        given.insert(
            format!("f{i}.cfg"),
            format!(
                "[buildout]\nextends = f{}.cfg\n[sites]\nk{i} = ${{:k{}}}\n",
                i + 1,
                i + 1
            ),
        );
    }
    given.insert(
        "f300.cfg".into(),
        "[sites]\nk300 = Deep\nmain = ${:k0}\n".into(),
    );
    let imported = import(&given, "f0.cfg").unwrap();
    assert_eq!(site(&imported.topology), "Plone");
    assert!(
        imported.notes.iter().any(|n| n.reason.contains("deeper")),
        "{}",
        report(&imported.notes)
    );
}
