//! Turning the files a user picked or dropped into the buildout the importer reads.
//!
//! Pure, tested natively: the browser gives each file its name and, for a picked
//! folder, its path inside that folder; the importer wants paths relative to the
//! buildout's folder, as its `extends` lines name them.

use std::collections::BTreeMap;

/// Whether a set of files (by name) is a buildout rather than a `topology.json`.
pub fn is_buildout<'a>(names: impl IntoIterator<Item = &'a str>) -> bool {
    names.into_iter().any(|name| name.ends_with(".cfg"))
}

/// Whether a file (by name) is a zip, taken as a zipped buildout folder.
pub fn is_zip(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, extension)| extension.eq_ignore_ascii_case("zip"))
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The files by path, and the top file: `deployment.cfg` if given, else the first
/// `.cfg`. `files` holds (path, text) in the order given, where the path is the file's
/// path in a picked folder or else its bare name. A folder shared by every path is
/// dropped; a file given by bare name is also found under the folder an `extends`
/// line names it by (`buildout.d/nginx.cfg` for a picked `nginx.cfg`).
pub fn buildout(files: Vec<(String, String)>) -> (BTreeMap<String, String>, String) {
    let common = files
        .first()
        .and_then(|(path, _)| path.split_once('/'))
        .map(|(folder, _)| format!("{folder}/"))
        .filter(|prefix| files.iter().all(|(path, _)| path.starts_with(prefix)));
    let files: Vec<(String, String)> = files
        .into_iter()
        .map(|(path, text)| match &common {
            Some(prefix) => (path[prefix.len()..].to_string(), text),
            None => (path, text),
        })
        .collect();
    let main = files
        .iter()
        .map(|(path, _)| path)
        .filter(|path| base_name(path) == "deployment.cfg")
        .min_by_key(|path| path.len())
        .or_else(|| {
            files
                .iter()
                .map(|(path, _)| path)
                .find(|p| p.ends_with(".cfg"))
        })
        .cloned()
        .unwrap_or_default();
    let mut map: BTreeMap<String, String> = files.iter().cloned().collect();
    let named: Vec<String> = files
        .iter()
        .flat_map(|(_, text)| text.split(|c: char| c.is_whitespace() || c == '='))
        .filter(|token| token.ends_with(".cfg") && token.contains('/') && !token.contains("://"))
        .map(str::to_string)
        .collect();
    for path in named {
        if map.contains_key(&path) {
            continue;
        }
        if let Some(text) = map.get(base_name(&path)).cloned() {
            map.insert(path, text);
        }
    }
    (map, main)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn zips_are_told_by_their_extension_in_any_case() {
        assert!(is_zip("acme-buildout.zip"));
        assert!(is_zip("ACME.ZIP"));
        assert!(!is_zip("zip"));
        assert!(!is_zip("deployment.cfg"));
        assert!(!is_zip("archive.zip.cfg"));
    }

    #[test]
    fn cfg_files_make_a_buildout() {
        assert!(is_buildout(["a.json", "deployment.cfg"]));
        assert!(!is_buildout(["topology.json"]));
    }

    #[test]
    fn bare_names_are_found_where_extends_names_them() {
        let (map, main) = buildout(given(&[
            ("packages.cfg", "[buildout]\n"),
            (
                "deployment.cfg",
                "[buildout]\nextends =\n    packages.cfg\n    buildout.d/nginx.cfg\n    http://x/y.cfg\n",
            ),
            ("nginx.cfg", "[nginx]\n"),
        ]));
        assert_eq!(main, "deployment.cfg");
        assert_eq!(map["buildout.d/nginx.cfg"], "[nginx]\n");
        assert!(!map.contains_key("http://x/y.cfg"));
    }

    #[test]
    fn a_picked_folder_is_read_from_inside() {
        let (map, main) = buildout(given(&[
            ("seed/buildout.d/nginx.cfg", "n"),
            ("seed/deployment.cfg", "d"),
        ]));
        assert_eq!(main, "deployment.cfg");
        assert_eq!(map["buildout.d/nginx.cfg"], "n");
        let (_, main) = buildout(given(&[("other.cfg", "o"), ("more.cfg", "m")]));
        assert_eq!(main, "other.cfg");
    }
}
