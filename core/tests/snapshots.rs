//! Snapshots of every generated file for each fixture design in `tests/fixtures/`.
//! Review their diffs like code: a change here is a change in what users deploy.

use stackwright_core::{format, render};

/// Files that do not depend on the design; snapshotted once, for the default design
/// (requirements.txt also for each platform: its Python decides a pin).
const STATIC: &[&str] = &[
    "requirements.txt",
    "lib/stackwright_mariadb_compat.py",
    "lib/stackwright_mariadb_compat.pth",
    "lib/create_site.py",
    // The same for every design but its name in a comment (tests/ansible.rs checks so).
    "ansible/site.yml",
    "ansible/restart-instance.yml",
    "ansible/ansible.cfg",
];

#[test]
fn every_generated_file() {
    insta::glob!("fixtures/*.json", |path| {
        let fixture = path.file_stem().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let design = format::from_json(&text).unwrap_or_else(|e| panic!("{fixture}: {e}"));
        let bundle = render(&design).unwrap_or_else(|e| panic!("{fixture}: {e:?}"));
        for (file, contents) in &bundle.files {
            let is_static = STATIC.iter().any(|s| file.ends_with(s));
            let drawing = file.ends_with("topology.svg") && fixture != "default";
            let snapshotted_once = fixture == "default"
                || (fixture == "debian-13" && file.ends_with("requirements.txt"));
            if file.ends_with("topology.json") || drawing || (is_static && !snapshotted_once) {
                continue;
            }
            let name = format!("{fixture}__{}", file.replace('/', "__"));
            insta::with_settings!({ snapshot_suffix => name, prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!(contents.contents);
            });
        }
    });
}
