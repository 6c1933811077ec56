//! Turning the files a user hands over into the buildout [`super::import`] reads: which
//! file is the top one, and every file keyed by its path from the top file's folder, the
//! way its `extends` lines name them.
//!
//! The command line (paths as typed, or a zip) and the designer (picked files, a picked
//! folder, or a zip) gather files differently, but decide the top file and the keys by
//! this one rule, so the same files import to the same design wherever they are given.

use std::collections::BTreeMap;

/// The file taken as the top one when the user names none.
pub const DEFAULT_TOP_FILE: &str = "deployment.cfg";

/// A buildout ready to import: every file by its path from the top file's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatheredBuildout {
    pub files: BTreeMap<String, String>,
    /// The top file's key in `files`.
    pub top: String,
}

/// Why no top file could be chosen among the given files.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TopFileError {
    #[error("no {wanted} among the given files")]
    Missing { wanted: String },
    #[error("several files match {wanted} ({})", .candidates.join(", "))]
    Ambiguous {
        wanted: String,
        candidates: Vec<String>,
    },
}

/// Whether a set of files (by name) is a buildout rather than a `topology.json`.
pub fn is_buildout<'a>(names: impl IntoIterator<Item = &'a str>) -> bool {
    names.into_iter().any(|name| name.ends_with(".cfg"))
}

/// Whether a file (by name) is a zip, taken as a zipped buildout folder.
pub fn is_zip(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, extension)| extension.eq_ignore_ascii_case("zip"))
}

/// Gathers `given`, (path, text) pairs where a path is `/`- or `\`-separated and may be
/// absolute, a path inside a picked folder or zip, or a bare file name.
///
/// The top file is the one `named_top` names, or else [`DEFAULT_TOP_FILE`], matched as a
/// whole path or as a file name at any depth, the shallowest winning; when nothing is
/// named and there is no `deployment.cfg`, the only `.cfg` file given. Every file is then
/// keyed relative to the top file's folder (`../base.cfg` for one beside it), and a file
/// given by bare name is also found where an `extends` line names it by a folder
/// (`buildout.d/nginx.cfg` for a picked `nginx.cfg`).
pub fn gather(
    given: Vec<(String, String)>,
    named_top: Option<&str>,
) -> Result<GatheredBuildout, TopFileError> {
    let given: Vec<(String, String)> = given
        .into_iter()
        .map(|(path, text)| (slashed(&path), text))
        .collect();
    let top = top_file(given.iter().map(|(path, _)| path.as_str()), named_top)?;
    let mut files: BTreeMap<String, String> = given
        .into_iter()
        .map(|(path, text)| (relative_to_folder_of(&path, &top), text))
        .collect();
    let top = relative_to_folder_of(&top, &top);
    let named: Vec<String> = files
        .values()
        .flat_map(|text| text.split(|c: char| c.is_whitespace() || c == '='))
        .filter(|token| token.ends_with(".cfg") && token.contains('/') && !token.contains("://"))
        .map(str::to_string)
        .collect();
    for path in named {
        if files.contains_key(&path) {
            continue;
        }
        if let Some(text) = files.get(base_name(&path)).cloned() {
            files.insert(path, text);
        }
    }
    Ok(GatheredBuildout { files, top })
}

/// The path of the top file among `paths` (already `/`-separated), by the rule
/// [`gather`] states.
pub fn top_file<'a>(
    paths: impl IntoIterator<Item = &'a str> + Clone,
    named_top: Option<&str>,
) -> Result<String, TopFileError> {
    let wanted = slashed(named_top.unwrap_or(DEFAULT_TOP_FILE));
    let wanted = wanted.trim_start_matches("./");
    let suffix = format!("/{wanted}");
    let depth = |path: &str| path.matches('/').count();
    let mut matches: Vec<&str> = paths
        .clone()
        .into_iter()
        .filter(|path| *path == wanted || path.ends_with(&suffix))
        .collect();
    matches.sort_by_key(|path| depth(path));
    if named_top.is_none() && matches.is_empty() {
        let configs: Vec<&str> = paths
            .into_iter()
            .filter(|path| path.ends_with(".cfg"))
            .collect();
        if let [only] = configs.as_slice() {
            return Ok(only.to_string());
        }
    }
    match matches.as_slice() {
        [] => Err(TopFileError::Missing {
            wanted: wanted.to_string(),
        }),
        [one] => Ok(one.to_string()),
        [first, second, ..] if depth(first) < depth(second) => Ok(first.to_string()),
        several => Err(TopFileError::Ambiguous {
            wanted: wanted.to_string(),
            candidates: several.iter().map(|path| path.to_string()).collect(),
        }),
    }
}

/// `path` with `\` read as `/`, as Windows writes paths.
fn slashed(path: &str) -> String {
    path.replace('\\', "/")
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The folders and name of a `/`-separated path, without empty and `.` parts.
fn parts(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect()
}

/// `path` as seen from the folder of `top`: `..` for each folder of `top` it is not in.
fn relative_to_folder_of(path: &str, top: &str) -> String {
    let mut folder = parts(top);
    folder.pop();
    let path = parts(path);
    let shared = folder.iter().zip(&path).take_while(|(a, b)| a == b).count();
    let mut relative = vec![".."; folder.len() - shared];
    relative.extend(&path[shared..]);
    relative.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect()
    }

    /// Gathers `files` with `named_top` and checks the top file and every key.
    fn check(files: &[(&str, &str)], named_top: Option<&str>, top: &str, keys: &[&str]) {
        let gathered = gather(given(files), named_top).unwrap();
        assert_eq!(gathered.top, top, "{files:?}");
        let found: Vec<&str> = gathered.files.keys().map(String::as_str).collect();
        assert_eq!(found, keys, "{files:?}");
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
    fn the_top_file_is_deployment_cfg_wherever_the_files_come_from() {
        // Picked by name, as the designer gets them.
        check(
            &[("packages.cfg", ""), ("deployment.cfg", "")],
            None,
            "deployment.cfg",
            &["deployment.cfg", "packages.cfg"],
        );
        // A picked folder or a zip.
        check(
            &[
                ("seed/buildout.d/nginx.cfg", ""),
                ("seed/deployment.cfg", ""),
            ],
            None,
            "deployment.cfg",
            &["buildout.d/nginx.cfg", "deployment.cfg"],
        );
        // Absolute paths, as the command line gets them, on Unix and on Windows.
        check(
            &[("/srv/site/deployment.cfg", ""), ("/srv/base.cfg", "")],
            None,
            "deployment.cfg",
            &["../base.cfg", "deployment.cfg"],
        );
        check(
            &[(r"C:\site\deployment.cfg", ""), (r"C:\site\b\x.cfg", "")],
            None,
            "deployment.cfg",
            &["b/x.cfg", "deployment.cfg"],
        );
        // The shallowest of several wins.
        check(
            &[("a/b/deployment.cfg", ""), ("a/deployment.cfg", "")],
            None,
            "deployment.cfg",
            &["b/deployment.cfg", "deployment.cfg"],
        );
    }

    #[test]
    fn a_named_top_file_is_found_at_any_depth() {
        check(
            &[("conf/base.cfg", ""), ("conf/prod.cfg", "")],
            Some("prod.cfg"),
            "prod.cfg",
            &["base.cfg", "prod.cfg"],
        );
        check(
            &[("conf/prod.cfg", ""), ("other/prod.cfg", "")],
            Some("./conf/prod.cfg"),
            "prod.cfg",
            &["../other/prod.cfg", "prod.cfg"],
        );
    }

    #[test]
    fn the_only_cfg_file_is_the_top_one_when_none_is_named() {
        check(
            &[("site.cfg", ""), ("notes.txt", "")],
            None,
            "site.cfg",
            &["notes.txt", "site.cfg"],
        );
    }

    #[test]
    fn a_top_file_that_cannot_be_told_is_not_guessed() {
        let missing = gather(given(&[("other.cfg", ""), ("more.cfg", "")]), None);
        assert_eq!(
            missing.unwrap_err().to_string(),
            "no deployment.cfg among the given files"
        );
        let missing = gather(given(&[("other.cfg", "")]), Some("prod.cfg"));
        assert!(matches!(missing, Err(TopFileError::Missing { .. })));
        let several = gather(
            given(&[("a/deployment.cfg", ""), ("b/deployment.cfg", "")]),
            None,
        );
        assert_eq!(
            several.unwrap_err().to_string(),
            "several files match deployment.cfg (a/deployment.cfg, b/deployment.cfg)"
        );
    }

    #[test]
    fn bare_names_are_found_where_extends_names_them() {
        let gathered = gather(
            given(&[
                ("packages.cfg", "[buildout]\n"),
                (
                    "deployment.cfg",
                    "[buildout]\nextends =\n    packages.cfg\n    buildout.d/nginx.cfg\n    http://x/y.cfg\n",
                ),
                ("nginx.cfg", "[nginx]\n"),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(gathered.top, "deployment.cfg");
        assert_eq!(gathered.files["buildout.d/nginx.cfg"], "[nginx]\n");
        assert!(!gathered.files.contains_key("http://x/y.cfg"));
    }
}
