//! `make fuzz`: every decoder of input from outside, fed mutated real inputs and random
//! bytes by proptest, must answer every input with a design or an error: never a panic,
//! never more than [`SLOW`] for one input.
//!
//! - share links: real links of several designs, mutated as text, and links made from a
//!   mutated design patch (so mutations reach past base64 and inflate);
//! - the `topology.json` reader: the fixtures, mutated as text and with JSON tokens; and
//!   every design it accepts rendered and round-tripped through the format and a link;
//! - the buildout reader: the exercise's buildout, mutated with buildout syntax;
//! - the zip import: bundle zips and a zipped buildout, with header fields overwritten.
//!
//! Mutations are structure-aware where it pays: tokens of each syntax are inserted and
//! replaced, and zip header fields get the values that break readers (0, all ones). A
//! failing input is written to `target/fuzz/` and the run exits 1. Figures: inputs per
//! decoder and the slowest input.
//!
//! `cargo run --release -p stackwright-core --example fuzz [-- SCALE]`: SCALE (default 1)
//! multiplies the counts: 1,000,000 inputs for links and JSON, 100,000 for buildouts and
//! zips.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use stackwright_core::bundle::{self, Timestamp};
use stackwright_core::defaults::scaled;
use stackwright_core::share::{self, Secrets};
use stackwright_core::{Topology, archive, format, import, render};

/// The longest one input may take, at the least of three tries (see [`fuzz`]).
const SLOW: Duration = Duration::from_millis(100);

/// One decoder's run.
struct Figures {
    name: &'static str,
    inputs: u64,
    slowest: Duration,
    seconds: f64,
}

/// Runs `decode` on `cases` inputs drawn by `inputs`; the input as bytes (`bytes`) is
/// what a failure leaves in `target/fuzz-inputs/NAME.failing` (and the slowest in `NAME.slowest`).
fn fuzz<S: Strategy>(
    name: &'static str,
    cases: u32,
    inputs: S,
    bytes: impl Fn(&S::Value) -> Vec<u8>,
    decode: impl Fn(&S::Value),
) -> Figures {
    let started = Instant::now();
    let seen = RefCell::new((0u64, Duration::ZERO, Vec::new()));
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    });
    let result = runner.run(&inputs, |input| {
        let time = || {
            let start = Instant::now();
            decode(&input);
            start.elapsed()
        };
        // One try, and two more for an input that looks slow: a busy machine can stall
        // one run, not three.
        let mut took = time();
        if took > SLOW / 4 {
            took = took.min(time()).min(time());
        }
        let mut seen = seen.borrow_mut();
        seen.0 += 1;
        if took > seen.1 {
            seen.1 = took;
            seen.2 = bytes(&input);
        }
        if took > SLOW {
            return Err(TestCaseError::fail(format!(
                "took {took:?} at the least of three tries"
            )));
        }
        Ok(())
    });
    let (count, slowest, slowest_input) = seen.take();
    // The slowest input is kept too, to look at.
    let _ = std::fs::write(failure_path(name).with_extension("slowest"), slowest_input);
    if let Err(failure) = result {
        let path = failure_path(name);
        let detail = match &failure {
            proptest::test_runner::TestError::Fail(reason, input) => {
                let _ = std::fs::write(&path, bytes(input));
                format!("{reason}; the input is in {}", path.display())
            }
            other => other.to_string(),
        };
        eprintln!("fuzz: {name}: FAILED after {count} inputs: {detail}");
        std::process::exit(1);
    }
    Figures {
        name,
        inputs: count,
        slowest,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn failure_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-inputs");
    let _ = std::fs::create_dir_all(&dir);
    dir.join(format!("{}.failing", name.replace(' ', "-")))
}

/// One edit of a text or byte string, at a position drawn as an index.
#[derive(Clone, Debug)]
enum Edit {
    /// Overwrite one byte.
    Set(prop::sample::Index, u8),
    /// Insert one of the syntax's tokens.
    Token(prop::sample::Index, prop::sample::Index),
    /// Remove a run of up to 64 bytes.
    Cut(prop::sample::Index, u8),
    /// Repeat a run of up to 64 bytes where it is.
    Repeat(prop::sample::Index, u8),
    /// Everything after the position goes.
    Truncate(prop::sample::Index),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        1 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        4 => (any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(i, t)| Edit::Token(i, t)),
        1 => (any::<prop::sample::Index>(), 1u8..64).prop_map(|(i, n)| Edit::Cut(i, n)),
        1 => (any::<prop::sample::Index>(), 1u8..64).prop_map(|(i, n)| Edit::Repeat(i, n)),
        1 => any::<prop::sample::Index>().prop_map(Edit::Truncate),
    ];
    prop::collection::vec(edit, 1..6)
}

/// `seed` with `edits` applied, `tokens` being what `Edit::Token` inserts.
fn mutate(seed: &[u8], edits: &[Edit], tokens: &[&[u8]]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for edit in edits {
        let at = |i: &prop::sample::Index, len: usize| i.index(len + 1);
        match edit {
            Edit::Set(i, b) if !out.is_empty() => {
                let i = i.index(out.len());
                out[i] = *b;
            }
            Edit::Set(..) => out.push(0),
            Edit::Token(i, t) => {
                let i = at(i, out.len());
                let token = tokens[t.index(tokens.len())];
                out.splice(i..i, token.iter().copied());
            }
            Edit::Cut(i, n) => {
                let i = at(i, out.len());
                let end = (i + usize::from(*n)).min(out.len());
                out.drain(i..end);
            }
            Edit::Repeat(i, n) => {
                let i = at(i, out.len());
                let end = (i + usize::from(*n)).min(out.len());
                let run = out[i..end].to_vec();
                out.splice(i..i, run);
            }
            Edit::Truncate(i) => {
                let i = at(i, out.len());
                out.truncate(i);
            }
        }
    }
    out
}

/// A seed from `seeds` mutated by tokens of its syntax, or random bytes.
fn mutated(
    seeds: Vec<Vec<u8>>,
    tokens: &'static [&'static [u8]],
) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        9 => (prop::sample::select(seeds), edits())
            .prop_map(move |(seed, edits)| mutate(&seed, &edits, tokens)),
        1 => prop::collection::vec(any::<u8>(), 0..512),
    ]
}

const JSON_TOKENS: &[&[u8]] = &[
    b"null",
    b"true",
    b"false",
    b"0",
    b"-1",
    b"1e999",
    b"18446744073709551616",
    b"1.5",
    b"\"\"",
    b"\"\\u0000\"",
    b"\"\\ud800\"",
    b"[]",
    b"{}",
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    b",",
    b":",
    b"\"version\": 2",
    b"\"templates\": {\"nginx.conf.j2\": \"{% for i in range(9) %}\"}",
    b"\"kind\": \"zope\"",
    b"\"settings\": {}",
    b"\"port\": \"80x\"",
    b"\"id\": \"nginx\"",
    b"\"",
    b"}",
    b"]",
    b"{\"x\":",
];

const BUILDOUT_TOKENS: &[&[u8]] = &[
    b"\n[buildout]\n",
    b"\n[instance]\n",
    b"\nextends = deployment.cfg\n",
    b"<= instance\n",
    b"${buildout:directory}",
    b"${instance:http-address}",
    b"${a:b}",
    b"${",
    b"}",
    b"+=",
    b"-=",
    b"\n  ",
    b"\n",
    b"=",
    b":",
    b"[",
    b"]",
    b"#",
    b";",
    b"%",
    b"\ninstance1 = 8080\n",
    b"\nhttp-address = 0.0.0.0:99999\n",
    b"\nparts = instance1 instance2\n",
    b"\t",
    b"\0",
];

/// Every token is one byte of any value: zip mutations overwrite fields with the values
/// that break readers.
const ZIP_TOKENS: &[&[u8]] = &[
    b"\0\0",
    b"\xff\xff",
    b"\0\0\0\0",
    b"\xff\xff\xff\xff",
    b"\x7f\xff\xff\xff",
    b"PK\x03\x04",
    b"PK\x01\x02",
    b"PK\x05\x06",
    b"../",
    b"/",
    b"\\",
    b"C:",
];

const LINK_TOKENS: &[&[u8]] = &[
    b"v1.", b"v1s.", b"v2.", b"#", b"-", b"_", b"=", b"A", b"%", b" ",
];

fn fixtures() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut fixtures: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("core/tests/fixtures is there")
        .map(|entry| {
            let path = entry.expect("a fixture").path();
            let text = std::fs::read_to_string(&path).expect("a fixture reads");
            (path.display().to_string(), text)
        })
        .collect();
    fixtures.sort();
    fixtures
}

fn designs() -> Vec<Topology> {
    let mut designs: Vec<Topology> = fixtures()
        .iter()
        .map(|(_, text)| format::from_json(text).expect("a fixture is a design"))
        .collect();
    designs.push(scaled(16, 3));
    designs.push(scaled(64, 8));
    designs
}

fn exercise() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/exercise");
    let mut files = BTreeMap::new();
    for name in [
        "deployment.cfg",
        "packages.cfg",
        "versions.cfg",
        "buildout.d/haproxy.cfg",
        "buildout.d/memcached.cfg",
        "buildout.d/nginx.cfg",
        "buildout.d/varnish.cfg",
    ] {
        let text = std::fs::read_to_string(dir.join(name)).expect("the exercise buildout is there");
        files.insert(name.to_string(), text);
    }
    files
}

/// A zip of `files` under `folder/`, as a user would zip a buildout.
fn zipped(folder: &str, files: &BTreeMap<String, String>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in files {
        zip.start_file(format!("{folder}/{name}"), options)
            .expect("a zip entry");
        zip.write_all(text.as_bytes()).expect("a zip entry");
    }
    zip.finish().expect("a zip").into_inner()
}

fn main() {
    let scale: u32 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("SCALE is a whole number"))
        .unwrap_or(1);
    let started = Instant::now();
    let designs = designs();
    let mut results = Vec::new();

    let links: Vec<Vec<u8>> = designs
        .iter()
        .flat_map(|t| {
            [
                share::encode(t, Secrets::Omit),
                share::encode(t, Secrets::Include),
            ]
        })
        .map(String::into_bytes)
        .collect();
    results.push(fuzz(
        "share link, as text",
        600_000 * scale,
        mutated(links, LINK_TOKENS),
        Vec::clone,
        |link| {
            let _ = share::decode(&String::from_utf8_lossy(link));
        },
    ));
    // Links whose payload is a mutated design: they inflate, and the patch is what breaks.
    // The fixtures' text: the patches inside links, and the reader's inputs below.
    let fixture_texts: Vec<Vec<u8>> = fixtures()
        .into_iter()
        .map(|(_, text)| text.into_bytes())
        .collect();
    results.push(fuzz(
        "share link, mutated design inside",
        400_000 * scale,
        (mutated(fixture_texts.clone(), JSON_TOKENS), any::<bool>()),
        |(json, _)| json.clone(),
        |(json, secrets)| {
            use base64::Engine as _;
            let mut deflate =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
            deflate.write_all(json).expect("deflating in memory");
            let data = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(deflate.finish().expect("deflating in memory"));
            let prefix = if *secrets { "v1s." } else { "v1." };
            let _ = share::decode(&format!("{prefix}{data}"));
        },
    ));

    results.push(fuzz(
        "topology.json reader",
        1_000_000 * scale,
        mutated(fixture_texts.clone(), JSON_TOKENS),
        Vec::clone,
        |text| {
            let _ = format::from_json(&String::from_utf8_lossy(text));
        },
    ));

    // A design the reader accepts goes on: validated, rendered (with the fuzz profile's
    // overflow checks on), and carried unchanged by the saved format and a share link.
    results.push(fuzz(
        "topology.json reader, then render and round trips",
        60_000 * scale,
        mutated(fixture_texts.clone(), JSON_TOKENS),
        Vec::clone,
        |text| {
            if let Ok(t) = format::from_json(&String::from_utf8_lossy(text)) {
                let _ = render(&t);
                assert_eq!(
                    format::from_json(&format::to_json(&t)).expect("a written design reads"),
                    t,
                    "the saved format changed the design"
                );
                let link = share::encode(&t, Secrets::Include);
                assert_eq!(
                    share::decode(&link)
                        .expect("a written link decodes")
                        .topology,
                    t,
                    "a share link changed the design"
                );
            }
        },
    ));

    let buildout = exercise();
    let names: Vec<String> = buildout.keys().cloned().collect();
    let seeds: Vec<Vec<u8>> = buildout.values().map(|t| t.clone().into_bytes()).collect();
    results.push(fuzz(
        "buildout reader",
        100_000 * scale,
        (0..names.len(), mutated(seeds, BUILDOUT_TOKENS)),
        |(_, text)| text.clone(),
        |(which, text)| {
            let mut files = buildout.clone();
            files.insert(
                names[*which].clone(),
                String::from_utf8_lossy(text).into_owned(),
            );
            let _ = import::import(&files, "deployment.cfg");
        },
    ));

    let mut zips: Vec<Vec<u8>> = designs
        .iter()
        .take(3)
        .map(|t| {
            bundle::zip(&render(t).expect("a fixture renders"), Timestamp::EPOCH).expect("a zip")
        })
        .collect();
    zips.push(zipped("buildout", &buildout));
    results.push(fuzz(
        "zip import",
        100_000 * scale,
        mutated(zips, ZIP_TOKENS),
        Vec::clone,
        |zip| {
            let _ = archive::text_files(zip);
        },
    ));

    println!(
        "{:<36} {:>10} {:>14} {:>8}",
        "decoder", "inputs", "slowest input", "seconds"
    );
    for f in &results {
        println!(
            "{:<36} {:>10} {:>11.2} ms {:>8.1}",
            f.name,
            f.inputs,
            f.slowest.as_secs_f64() * 1000.0,
            f.seconds
        );
    }
    let total: u64 = results.iter().map(|f| f.inputs).sum();
    println!(
        "{total} inputs in {:.0} s: no panic, none slower than {} ms",
        started.elapsed().as_secs_f64(),
        SLOW.as_millis()
    );
}
