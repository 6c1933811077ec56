//! The command line as users run it: real processes, real files, exit codes.

use std::path::Path;
use std::process::Output;

mod common;
use common::text;

fn stackwright(args: &[&str], stdin: Option<&str>) -> Output {
    common::stackwright_in(Path::new("."), args, stdin)
}

fn defaults() -> String {
    let out = stackwright(&["defaults"], None);
    assert!(out.status.success());
    text(&out.stdout)
}

#[test]
fn defaults_are_a_new_design_and_the_exercise_needs_passwords() {
    let out = stackwright(&["validate", "-"], Some(&defaults()));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(!report.contains("warning"), "{report}");
    assert!(report.contains("no errors"), "{report}");
    // Each run draws its own passwords.
    assert_ne!(defaults(), defaults());

    let out = stackwright(&["defaults", "--exercise"], None);
    let exercise = text(&out.stdout);
    assert!(exercise.contains("\"nobody\""), "{exercise}");
    let out = stackwright(&["validate", "-"], Some(&exercise));
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(
        report.contains("settings.zope_admin_password [password-exposed]"),
        "{report}"
    );
    assert!(
        report.contains("components.database.password [password-default]"),
        "{report}"
    );
    assert!(
        report.contains("hint: generate a strong random password"),
        "{report}"
    );
}

#[test]
fn errors_exit_1_and_json_lists_them() {
    let broken = defaults().replace("\"port\": 8001", "\"port\": \"80x\"");
    let out = stackwright(&["validate", "--format", "json"], Some(&broken));
    assert_eq!(out.status.code(), Some(1));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = items
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "port-invalid")
        .expect("a port-invalid diagnostic");
    assert_eq!(error["severity"], "error");
    assert_eq!(error["target"], "components.instance1.port");
    assert_eq!(error["component"], "instance1");
}

#[test]
fn unreadable_input_exits_2_with_line_and_column() {
    let out = stackwright(&["validate", "-"], Some("{\n  \"version\": 1,\n  nope"));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("line 3, column 3"), "{err}");

    let out = stackwright(&["validate", "/no/such/design.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /no/such/design.json"));

    let newer = defaults().replace("\"version\": 3", "\"version\": 9");
    let out = stackwright(&["validate", "-"], Some(&newer));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("update Stackwright"));
}

#[test]
fn render_and_bundle_write_files_and_refuse_errors() {
    let dir = std::env::temp_dir().join(format!("stackwright-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let design = dir.join("design.json");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&design, defaults()).unwrap();

    let tree = dir.join("tree");
    let out = stackwright(
        &[
            "render",
            design.to_str().unwrap(),
            "--out",
            tree.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        std::fs::read_to_string(tree.join("etc/haproxy.cfg"))
            .unwrap()
            .contains("server instance4 127.0.0.1:8004")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(tree.join("bin/setup"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }
    assert!(tree.join("var/log").is_dir());

    let zip = dir.join("out.zip");
    let out = stackwright(
        &[
            "bundle",
            design.to_str().unwrap(),
            "--out",
            zip.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first = std::fs::read(&zip).unwrap();
    assert_eq!(&first[..2], b"PK");
    let out = stackwright(
        &[
            "bundle",
            design.to_str().unwrap(),
            "--out",
            zip.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success());
    assert_eq!(
        first,
        std::fs::read(&zip).unwrap(),
        "the zip is reproducible"
    );

    std::fs::write(
        &design,
        defaults().replace("\"site_id\": \"Plone\"", "\"site_id\": \"\""),
    )
    .unwrap();
    let refused = dir.join("refused.zip");
    let out = stackwright(
        &[
            "bundle",
            design.to_str().unwrap(),
            "--out",
            refused.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("settings.site_id [site-id-invalid]"));
    assert!(
        !refused.exists(),
        "nothing is written for a design with errors"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn share_links_stand_in_for_files() {
    let design = defaults();
    let out = stackwright(&["share", "encode", "-"], Some(&design));
    assert!(out.status.success());
    let link = text(&out.stdout).trim().to_string();
    assert!(link.starts_with("v3.") && link.len() < 16, "{link}");

    // Without passwords, the design opens with empty passwords, which are errors.
    let out = stackwright(
        &["validate", &format!("https://stackwright.example/#{link}")],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains(
            "components.database.password [password-unsafe] the database password is empty"
        )
    );

    let out = stackwright(&["share", "encode", "--with-secrets", "-"], Some(&design));
    let link = text(&out.stdout).trim().to_string();
    let out = stackwright(&["share", "decode", &link], None);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), design);

    let out = stackwright(&["share", "decode", "#v1.AAAA"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("the link is damaged"),
        "{}",
        text(&out.stderr)
    );
}

/// `templates` writes the built-in templates; rendering with them changes nothing, and a
/// changed one changes its file and travels with the design.
#[test]
fn templates_round_trip_and_override() {
    let dir = tempdir("templates");
    let templates = dir.join("templates");
    let out = stackwright(&["templates", "--out", templates.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(templates.join("nginx.conf.j2").is_file());

    let design = dir.join("design.json");
    std::fs::write(&design, defaults()).unwrap();
    let try_render = |out: &Path, with: Option<&Path>| {
        let mut args = vec![
            "render",
            design.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        if let Some(with) = with {
            args.extend(["--templates", with.to_str().unwrap()]);
        }
        stackwright(&args, None)
    };
    let render = |out: &Path, with: Option<&Path>| {
        let run = try_render(out, with);
        assert!(run.status.success(), "{}", text(&run.stderr));
        run
    };
    render(&dir.join("plain"), None);
    render(&dir.join("with-defaults"), Some(&templates));
    assert_eq!(tree(&dir.join("plain")), tree(&dir.join("with-defaults")));

    // One header more in nginx's template.
    let nginx = std::fs::read_to_string(templates.join("nginx.conf.j2")).unwrap();
    let changed = nginx.replacen(
        "        location / {\n",
        "        location / {\n            add_header X-Served-By stackwright;\n",
        2,
    );
    assert_ne!(changed, nginx);
    std::fs::write(templates.join("nginx.conf.j2"), &changed).unwrap();
    let run = render(&dir.join("changed"), Some(&templates));
    assert!(
        text(&run.stderr).contains("note: this design replaces the templates nginx.conf.j2"),
        "{}",
        text(&run.stderr)
    );
    let conf = std::fs::read_to_string(dir.join("changed/etc/nginx.conf")).unwrap();
    assert_eq!(
        conf.matches("add_header X-Served-By stackwright;").count(),
        2,
        "{conf}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("changed/templates/nginx.conf.j2")).unwrap(),
        changed
    );
    let saved = std::fs::read_to_string(dir.join("changed/topology.json")).unwrap();
    assert!(saved.starts_with("{\n  \"version\": 3,"), "{saved}");

    // A file that is not a template is refused with the names there are.
    std::fs::write(templates.join("apache.conf"), "Listen 80\n").unwrap();
    let run = try_render(&dir.join("bad"), Some(&templates));
    assert_eq!(run.status.code(), Some(2));
    let err = text(&run.stderr);
    assert!(
        err.contains("cannot use ") && err.contains("apache.conf as a template: there is no template apache.conf; the templates are nginx.conf.j2, varnish.vcl.j2"),
        "{err}"
    );

    // A template longer than a saved design may carry is refused before anything is
    // written (it made a bundle whose topology.json `validate` then refused).
    std::fs::remove_file(templates.join("apache.conf")).unwrap();
    std::fs::write(templates.join("nginx.conf.j2"), "#".repeat(300 * 1024)).unwrap();
    let run = try_render(&dir.join("long"), Some(&templates));
    assert_eq!(run.status.code(), Some(2));
    let err = text(&run.stderr);
    assert!(
        err.contains("nginx.conf.j2 as a template: template `nginx.conf.j2` is 307200 bytes, more than the 262144 a template may have"),
        "{err}"
    );
    assert!(!dir.join("long").exists());
}

/// A fresh folder under the target directory.
fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file under `root` with its contents, by relative path.
fn tree(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().display().to_string();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}
