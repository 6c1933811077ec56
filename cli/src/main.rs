//! `stackwright`: the command line over the Stackwright engine.
//!
//! Every command that reads a design takes a file, `-` (or nothing) for standard input,
//! or a share link. Exit codes: 0 success, 1 the design has errors, 2 the input cannot be read.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use stackwright_core::bundle::{self, Timestamp};
use stackwright_core::share::{self, Secrets};
use stackwright_core::{Diagnostic, Severity, Topology, format, render, validate};

#[derive(Parser)]
#[command(
    name = "stackwright",
    version,
    about = "Design, check and export a Plone/Zope serving chain"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a new design as JSON: the exercise's chain (its deployment.cfg) with each
    /// daemon's own user and random passwords from the operating system.
    Defaults {
        /// The exercise's values as they are (user nobody, password "secret"), which the
        /// validator refuses to deploy until its passwords are changed.
        #[arg(long)]
        exercise: bool,
    },
    /// Check a design and print every problem.
    Validate {
        /// The design (JSON); `-` or nothing reads standard input.
        file: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// Write every generated file of a design into a folder.
    Render {
        file: Option<PathBuf>,
        /// The folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// A folder of templates: each file replaces the built-in template of its name.
        #[arg(long)]
        templates: Option<PathBuf>,
    },
    /// Write the built-in templates into a folder, to change them and render with
    /// `--templates`.
    Templates {
        /// The folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Encode a design as a share link, or decode one.
    Share {
        #[command(subcommand)]
        action: ShareAction,
    },
    /// Import a buildout: print the design its deployment.cfg describes as JSON, and on
    /// standard error everything it holds that the design does not.
    Import {
        /// deployment.cfg and the files it extends, or one .zip of the buildout folder.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The top file, by name or path [default: deployment.cfg, or the only .cfg file given].
        #[arg(long)]
        main: Option<String>,
    },
    /// Print a design as a deployment.cfg in the exercise's buildout layout.
    ExportBuildout { file: Option<PathBuf> },
    /// Write the deployment bundle of a design as a zip.
    Bundle {
        file: Option<PathBuf>,
        /// The zip to write, e.g. plone-deployment.zip.
        #[arg(long)]
        out: PathBuf,
        /// A folder of templates: each file replaces the built-in template of its name.
        #[arg(long)]
        templates: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ShareAction {
    /// Print the URL fragment (after '#') that carries the design.
    Encode {
        file: Option<PathBuf>,
        /// Put the passwords in the link too (anyone with the link can read them).
        #[arg(long)]
        with_secrets: bool,
    },
    /// Print the design a share link (URL or fragment) carries, as JSON.
    Decode { link: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Human,
    Json,
}

/// A failure with the exit code it deserves.
enum Failure {
    /// The design has errors (exit 1); they were already printed.
    Invalid,
    /// The input could not be read or parsed, or the output not written (exit 2).
    Input(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Input(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Invalid) => ExitCode::from(1),
        Err(Failure::Input(e)) => {
            eprintln!("stackwright: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Defaults { exercise } => {
            let design = if exercise {
                Topology::exercise()
            } else {
                let mut random = [0u8; stackwright_core::defaults::NEW_DESIGN_RANDOM];
                getrandom::fill(&mut random).map_err(|e| {
                    anyhow::anyhow!("cannot read random bytes from the system: {e}")
                })?;
                stackwright_core::defaults::new_design(&random)
                    .context("the system's random bytes were too few for the passwords")?
            };
            print!("{}", format::to_json(&design));
            Ok(())
        }
        Command::Validate { file, format } => {
            let topology = read_design(file.as_deref())?;
            let diagnostics = validate::diagnose(&topology);
            match format {
                OutputFormat::Human => print!("{}", human_report(&diagnostics)),
                OutputFormat::Json => println!("{}", json_report(&diagnostics)),
            }
            if validate::is_renderable(&diagnostics) {
                Ok(())
            } else {
                Err(Failure::Invalid)
            }
        }
        Command::Render {
            file,
            out,
            templates,
        } => {
            let bundle = checked_render(file.as_deref(), templates.as_deref())?;
            for (path, file) in &bundle.files {
                let target = out.join(path);
                write_file(&target, file.contents.as_bytes(), file.mode())?;
            }
            for folder in &bundle.folders {
                let target = out.join(folder);
                std::fs::create_dir_all(&target)
                    .with_context(|| format!("cannot create {}", target.display()))?;
            }
            eprintln!("wrote {} files to {}", bundle.files.len(), out.display());
            Ok(())
        }
        Command::Share {
            action: ShareAction::Encode { file, with_secrets },
        } => {
            let topology = read_design(file.as_deref())?;
            let secrets = if with_secrets {
                Secrets::Include
            } else {
                Secrets::Omit
            };
            println!("{}", share::encode(&topology, secrets));
            Ok(())
        }
        Command::Share {
            action: ShareAction::Decode { link },
        } => {
            let decoded = share::decode(&link).context("cannot open the share link")?;
            if decoded.secrets == Secrets::Omit {
                eprintln!("note: the link carries no passwords; they are empty in the design");
            }
            print!("{}", format::to_json(&decoded.topology));
            Ok(())
        }
        Command::Import { files, main } => buildout_import::run(&files, main.as_deref()),
        Command::ExportBuildout { file } => {
            let topology = read_design(file.as_deref())?;
            print!("{}", stackwright_core::import::export_buildout(&topology));
            Ok(())
        }
        Command::Templates { out } => {
            let names = render::template_names();
            for name in &names {
                let source = render::default_template(name).expect("a listed template");
                write_file(&out.join(name), source.as_bytes(), 0o644)?;
            }
            eprintln!("wrote {} templates to {}", names.len(), out.display());
            Ok(())
        }
        Command::Bundle {
            file,
            out,
            templates,
        } => {
            let bundle = checked_render(file.as_deref(), templates.as_deref())?;
            let bytes = bundle::zip(&bundle, Timestamp::EPOCH).context("cannot build the zip")?;
            // The zip holds the design's passwords: for its owner only.
            write_file(&out, &bytes, 0o600)?;
            eprintln!(
                "wrote {} ({} bytes, {} files)",
                out.display(),
                bytes.len(),
                bundle.files.len()
            );
            Ok(())
        }
    }
}

/// Reads a design, with the templates of the folder `templates` in place of the built-in
/// ones, and renders it; a design with errors is refused with its diagnostics on stderr.
fn checked_render(
    file: Option<&Path>,
    templates: Option<&Path>,
) -> Result<stackwright_core::FileTree, Failure> {
    let mut topology = read_design(file)?;
    if let Some(folder) = templates {
        read_templates(&mut topology, folder)?;
    }
    if !topology.templates.is_empty() {
        let names: Vec<&str> = topology.templates.keys().map(String::as_str).collect();
        eprintln!(
            "note: this design replaces the templates {}; a template decides what runs on \
             your servers: review them",
            names.join(", ")
        );
    }
    match render(&topology) {
        Ok(bundle) => Ok(bundle),
        Err(stackwright_core::RenderError::Invalid(errors)) => {
            eprint!("{}", human_report(&errors));
            Err(Failure::Invalid)
        }
        Err(e) => Err(Failure::Input(anyhow::Error::new(e))),
    }
}

/// Puts every file of `folder` in place of the built-in template of the same name.
fn read_templates(topology: &mut Topology, folder: &Path) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(folder)
        .with_context(|| format!("cannot read the templates folder {}", folder.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot read the templates folder {}", folder.display()))?
            .path();
        if path.is_dir() {
            continue;
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let source = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the template {}", path.display()))?;
        render::set_template(topology, &name, source)
            .with_context(|| format!("cannot use {} as a template", path.display()))?;
    }
    Ok(())
}

/// Reads a design from a file, standard input, or a share link given in place of a file.
fn read_design(file: Option<&Path>) -> anyhow::Result<Topology> {
    let (name, text) = match file {
        None => read_stdin()?,
        Some(p) if p == Path::new("-") => read_stdin()?,
        Some(p) if !p.exists() && share::link_fragment(&p.to_string_lossy()).is_some() => {
            let decoded =
                share::decode(&p.to_string_lossy()).context("cannot open the share link")?;
            return Ok(decoded.topology);
        }
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            (p.display().to_string(), text)
        }
    };
    format::from_json(&text).with_context(|| format!("{name} is not a Stackwright design"))
}

fn read_stdin() -> anyhow::Result<(String, String)> {
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        anyhow::bail!("no design given: pass a file, or pipe a design into standard input");
    }
    let mut text = String::new();
    stdin
        .read_to_string(&mut text)
        .context("cannot read standard input")?;
    Ok(("standard input".into(), text))
}

/// Writes a file with `mode`, which it has from the moment it exists (a file holding a
/// password is never readable by others, not even while it is written).
fn write_file(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        // A file that was there keeps its old mode through open().
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot set the mode of {}", path.display()))?;
    }
    std::io::Write::write_all(&mut file, bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Diagnostics for people: grouped by severity, each with its field path and hint.
fn human_report(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let group: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!("{} {}(s):\n", group.len(), severity));
        for d in group {
            out.push_str(&format!(
                "  {} [{}] {}\n",
                d.target.path(),
                d.code,
                d.message
            ));
            out.push_str(&format!("      hint: {}\n", d.hint));
        }
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors == 0 {
        out.push_str("no errors: the design can be rendered\n");
    }
    out
}

fn json_report(diagnostics: &[Diagnostic]) -> String {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            serde_json::json!({
                "code": d.code,
                "severity": d.severity.id(),
                "target": d.target.path(),
                "component": d.target.component(),
                "message": d.message,
                "hint": d.hint,
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).expect("diagnostics serialize")
}

/// `stackwright import`: reads the buildout's files (or a zip of its folder), keyed by
/// their path relative to the top file's folder as the engine expects.
mod buildout_import {
    use std::path::{Path, PathBuf};

    use anyhow::{Context, bail};
    use stackwright_core::archive;
    use stackwright_core::format;
    use stackwright_core::import::buildout_files::{self, GatheredBuildout, TopFileError};
    use stackwright_core::import::import;

    use super::Failure;

    pub(super) fn run(paths: &[PathBuf], main: Option<&str>) -> Result<(), Failure> {
        let given = read(paths)?;
        let GatheredBuildout { files, top } = buildout_files::gather(given, main)
            .map_err(|e| Failure::Input(anyhow::anyhow!("{e}; {}", hint(&e))))?;
        let imported = import(&files, &top).context("cannot import the buildout")?;
        for note in &imported.notes {
            eprintln!("{note}");
        }
        eprintln!(
            "imported {top} ({} file(s) given): {} note(s) on what the design does not hold",
            files.len(),
            imported.notes.len()
        );
        print!("{}", format::to_json(&imported.topology));
        Ok(())
    }

    /// What to do when the top file cannot be told.
    fn hint(error: &TopFileError) -> &'static str {
        match error {
            TopFileError::Missing { .. } => "name the top file with --main",
            TopFileError::Ambiguous { .. } => "pass the one you mean with --main",
        }
    }

    /// Every given file as (path, text).
    fn read(paths: &[PathBuf]) -> anyhow::Result<Vec<(String, String)>> {
        let is_zip = |p: &PathBuf| buildout_files::is_zip(&p.to_string_lossy());
        match paths {
            [zip] if is_zip(zip) => read_zip(zip),
            _ if paths.iter().any(is_zip) => {
                bail!(
                    "give either one .zip of the buildout folder or the buildout's files, not both"
                )
            }
            _ => {
                let mut files = Vec::new();
                for path in paths {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    let absolute = std::path::absolute(path)
                        .with_context(|| format!("cannot locate {}", path.display()))?;
                    files.push((absolute.to_string_lossy().into_owned(), text));
                }
                Ok(files)
            }
        }
    }

    /// The text files of a zip, read by `stackwright_core::archive` as the app reads them:
    /// hostile zips are refused, binary entries (eggs, images) left out.
    fn read_zip(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        archive::text_files(&bytes)
            .with_context(|| format!("cannot read the zip {}", path.display()))
    }
}
