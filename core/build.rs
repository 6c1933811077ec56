//! Compiles `templates/` into Rust at build time.
//!
//! The templates are written with Jinja's `trim_blocks` and `lstrip_blocks` conventions: a
//! line that holds only a block tag (`{% if %}`, `{% for %}`...) leaves nothing behind. The
//! template compiler, askama, keeps whitespace exactly as written, so this script applies
//! those two rules and inlines `{% include %}`d files, then writes one
//! `#[derive(askama::Template)]` type per template into `$OUT_DIR/templates.rs`, which
//! `render.rs` includes. Rendering then runs compiled code: no template is parsed at run
//! time, and no template engine ships in the app.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Every template the bundle renders: its file under `templates/` and its Rust type.
const TEMPLATES: &[(&str, &str)] = &[
    ("nginx.conf.j2", "NginxConf"),
    ("varnish.vcl.j2", "VarnishVcl"),
    ("haproxy.cfg.j2", "HaproxyCfg"),
    ("supervisord.conf.j2", "SupervisordConf"),
    ("zope.conf.j2", "ZopeConf"),
    ("zope.ini.j2", "ZopeIni"),
    ("zodbpack.conf.j2", "ZodbpackConf"),
    ("system_error.html.j2", "SystemErrorHtml"),
    ("create-database.sql.j2", "CreateDatabaseSql"),
    ("CERTIFICATES.md.j2", "CertificatesMd"),
    ("requirements.txt.j2", "RequirementsTxt"),
    ("README.md.j2", "ReadmeMd"),
    ("README.hosts.md.j2", "ReadmeHostsMd"),
    ("setup.sh.j2", "SetupSh"),
    ("create-site.sh.j2", "CreateSiteSh"),
    ("create_site.py.j2", "CreateSitePy"),
    ("mariadb_compat.py.j2", "MariadbCompatPy"),
    ("mariadb_compat.pth.j2", "MariadbCompatPth"),
];

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let dir = root.join("templates");
    println!("cargo::rerun-if-changed=templates");

    let mut out = String::new();
    for (file, type_name) in TEMPLATES {
        let source = trimmed(&dir, file);
        // A raw string needs more `#` than any run of them in the text.
        let hashes = "#".repeat(longest_hash_run(&source) + 1);
        // askama drops one trailing newline of a template; Jinja (keep_trailing_newline) keeps it.
        writeln!(
            out,
            "/// `templates/{file}`.\n\
             #[derive(askama::Template)]\n\
             #[template(source = r{hashes}\"{source}\n\"{hashes}, ext = \"txt\")]\n\
             pub struct {type_name}<'a>(pub &'a Context<'a>);\n\
             impl<'a> std::ops::Deref for {type_name}<'a> {{\n\
             \x20   type Target = Context<'a>;\n\
             \x20   fn deref(&self) -> &Context<'a> {{ self.0 }}\n\
             }}\n"
        )
        .expect("writing to a String");
    }
    out.push_str("/// Renders the template named `name` (its file under `templates/`).\n");
    out.push_str(
        "fn render_named(name: &str, context: &Context<'_>) -> Option<askama::Result<String>> {\n",
    );
    out.push_str("    use askama::Template as _;\n    Some(match name {\n");
    for (file, type_name) in TEMPLATES {
        writeln!(out, "        {file:?} => {type_name}(context).render(),")
            .expect("writing to a String");
    }
    out.push_str("        _ => return None,\n    })\n}\n");

    let dest = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("templates.rs");
    fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}

fn longest_hash_run(text: &str) -> usize {
    text.split(|c| c != '#').map(str::len).max().unwrap_or(0)
}

/// The template `file` with Jinja's `lstrip_blocks` and `trim_blocks` applied and its
/// includes inlined.
fn trimmed(dir: &Path, file: &str) -> String {
    let path = dir.join(file);
    let source =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut out = String::with_capacity(source.len());
    let mut rest = source.as_str();
    let mut in_raw = false;
    // Whether `rest` starts a line of the source (a trimmed newline still ends a line).
    let mut line_began = true;
    while let Some(start) = rest.find("{%") {
        let end = start
            + rest[start..]
                .find("%}")
                .unwrap_or_else(|| panic!("{file}: a block tag is not closed"))
            + 2;
        let tag = &rest[start..end];
        let words: Vec<&str> = tag
            .trim_start_matches("{%")
            .trim_end_matches("%}")
            .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace())
            .split_whitespace()
            .collect();
        if in_raw && words.first() != Some(&"endraw") {
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            line_began = false;
            continue;
        }
        let mut before = &rest[..start];
        // lstrip_blocks: only blanks between the line's start and the tag are dropped.
        if !tag.starts_with("{%+") && !tag.starts_with("{%-") {
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            if (line_start > 0 || line_began)
                && before[line_start..].chars().all(|c| c == ' ' || c == '\t')
            {
                before = &before[..line_start];
            }
        }
        out.push_str(before);
        match words.as_slice() {
            ["include", name] => {
                let name = name.trim_matches('"');
                out.push_str(&trimmed(dir, name));
            }
            _ => {
                in_raw = words.first() == Some(&"raw");
                out.push_str(tag);
            }
        }
        rest = &rest[end..];
        // trim_blocks: the first newline after a block tag is dropped.
        line_began = rest.starts_with('\n');
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    out.push_str(rest);
    out
}
