//! `stackwright import` and `stackwright export-buildout` as users run them: real
//! files, a real zip, exit codes, the design on stdout and the report on stderr.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::text;

fn stackwright(args: &[&str], stdin: Option<&str>, dir: &Path) -> Output {
    common::stackwright_in(dir, args, stdin)
}

/// The exercise's buildout folder the core tests use.
fn exercise() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/import/exercise")
}

const EXERCISE_FILES: [&str; 7] = [
    "deployment.cfg",
    "packages.cfg",
    "versions.cfg",
    "buildout.d/memcached.cfg",
    "buildout.d/haproxy.cfg",
    "buildout.d/varnish.cfg",
    "buildout.d/nginx.cfg",
];

fn defaults() -> String {
    let out = stackwright(&["defaults", "--exercise"], None, &exercise());
    assert!(out.status.success());
    text(&out.stdout)
}

/// A scratch folder of its own for each test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("stackwright-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_exercise_imports_to_the_default_design_with_a_report() {
    let out = stackwright(
        &[&["import"], &EXERCISE_FILES[..]].concat(),
        None,
        &exercise(),
    );
    let report = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(text(&out.stdout), defaults());
    assert!(
        report.contains("packages.cfg:7: http://dist.plone.org/release/4.1/versions.cfg is remote"),
        "{report}"
    );
    assert!(
        report.contains("buildout.d/varnish.cfg:8: [varnish-build] (recipe hexagonit.recipe.cmmi) is not part of the design"),
        "{report}"
    );
    assert!(
        report.contains("imported deployment.cfg (7 file(s) given)"),
        "{report}"
    );
}

#[test]
fn files_given_by_absolute_path_are_keyed_relative_to_the_top_file() {
    let paths: Vec<String> = EXERCISE_FILES
        .iter()
        .rev()
        .map(|f| exercise().join(f).to_string_lossy().into_owned())
        .collect();
    let args: Vec<&str> = std::iter::once("import")
        .chain(paths.iter().map(String::as_str))
        .collect();
    let out = stackwright(&args, None, &std::env::temp_dir());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), defaults());
    assert!(text(&out.stderr).contains("\nbuildout.d/nginx.cfg:7: "));
}

#[test]
fn a_zip_of_the_buildout_folder_imports() {
    let dir = scratch("zip");
    let zip_path = dir.join("buildout.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.add_directory("acme-buildout/buildout.d/", options)
        .unwrap();
    for file in EXERCISE_FILES {
        zip.start_file(format!("acme-buildout/{file}"), options)
            .unwrap();
        zip.write_all(&std::fs::read(exercise().join(file)).unwrap())
            .unwrap();
    }
    // Binary files in the folder are not configuration and are skipped.
    zip.start_file("acme-buildout/htdocs/logo.png", options)
        .unwrap();
    zip.write_all(&[0x89, b'P', b'N', b'G', 0xff, 0xfe, 0])
        .unwrap();
    zip.finish().unwrap();

    let out = stackwright(&["import", "buildout.zip"], None, &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), defaults());
    assert!(text(&out.stderr).contains("\nbuildout.d/varnish.cfg:8: "));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_that_is_not_a_zip_is_refused_on_stderr() {
    let dir = scratch("not-zip");
    std::fs::write(dir.join("buildout.zip"), "[buildout]\nparts =\n").unwrap();
    let out = stackwright(&["import", "buildout.zip"], None, &dir);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("cannot read the zip"), "{stderr}");
    assert!(stderr.contains("it is not a zip"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn exported_buildouts_import_back() {
    let dir = scratch("export");
    let out = stackwright(&["export-buildout", "-"], Some(&defaults()), &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let cfg = text(&out.stdout);
    assert!(cfg.starts_with("# Deployment buildout\n"), "{cfg}");
    assert!(cfg.contains(
        "\n[instance4]\n<= instance\nhttp-address = ${hosts:instance4}:${ports:instance4}\n"
    ));
    std::fs::write(dir.join("site.cfg"), &cfg).unwrap();

    // A single file is the top file whatever its name.
    let out = stackwright(&["import", "site.cfg"], None, &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), defaults());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn main_picks_the_top_file_by_name() {
    let dir = scratch("main");
    std::fs::create_dir_all(dir.join("conf")).unwrap();
    std::fs::write(
        dir.join("conf/base.cfg"),
        "[sites]\nmain = Base\n[limits]\nopen-files = 300\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("conf/prod.cfg"),
        "[buildout]\nextends = base.cfg\n[sites]\nmain = Prod\n",
    )
    .unwrap();
    let out = stackwright(
        &[
            "import",
            "conf/base.cfg",
            "conf/prod.cfg",
            "--main",
            "prod.cfg",
        ],
        None,
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let design: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(design["settings"]["site_id"], "Prod");
    assert_eq!(design["settings"]["open_files"], 300);

    // Without --main and without a deployment.cfg there is no top file to guess.
    let out = stackwright(&["import", "conf/base.cfg", "conf/prod.cfg"], None, &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("no deployment.cfg among the given files; name the top file with --main"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn broken_buildouts_exit_2_with_the_reason() {
    let dir = scratch("broken");
    std::fs::write(
        dir.join("deployment.cfg"),
        "[buildout]\nextends = other.cfg\n[sites]\nmain = X\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("other.cfg"),
        "[buildout]\nextends = deployment.cfg\n",
    )
    .unwrap();
    let out = stackwright(&["import", "deployment.cfg", "other.cfg"], None, &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot import the buildout: the files extend each other in a loop: deployment.cfg extends other.cfg extends deployment.cfg"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());

    let out = stackwright(&["import", "missing.cfg"], None, &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read missing.cfg"));

    std::fs::write(dir.join("notes.cfg"), "[buildout]\nparts =\n").unwrap();
    let out = stackwright(&["import", "notes.cfg"], None, &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("notes.cfg is not a deployment buildout"));
    std::fs::remove_dir_all(&dir).unwrap();
}
