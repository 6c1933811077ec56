//! Bring an existing buildout in, and take one out.
//!
//! [`import`] reads a deployment buildout (the exercise's `deployment.cfg` and the files
//! it extends) the way zc.buildout reads it, then maps the sections the exercise uses
//! onto a design that starts as the exercise's. Whatever it cannot map it reports, line
//! by line, instead of guessing: a user migrating a real buildout needs to know which of
//! their settings did not make it into the design. [`export_buildout`] writes a design
//! back as a `deployment.cfg` in the exercise's layout.
//!
//! Only a broken input stops an import ([`ImportError`]); everything else, including a
//! substitution of an option no given file defines, becomes an [`ImportNote`] and the
//! field keeps its value. Users usually hand over `deployment.cfg` alone, or a folder
//! whose extended files reference options that recipes compute while buildout runs
//! (`${nginx-build:location}`): failing on those would make the importer useless for
//! exactly the files it exists for.
//!
//! `docs/import.md` describes what is imported and the rules followed.

mod buildout;
pub mod buildout_files;
mod export;
mod mapper;
mod tables;

use std::collections::BTreeMap;
use std::fmt;

use buildout::LoadError;
pub use export::export_buildout;
use mapper::Mapper;

use crate::model::*;

/// Something in the given files the importer did not take into the design, or took
/// with a caveat: where it is and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportNote {
    /// The file, as its path was given (relative paths normalised).
    pub file: String,
    /// The 1-based line; 0 when the note is about the file as a whole (a value no file
    /// sets, for example).
    pub line: usize,
    /// The line as written, without its line break; empty when `line` is 0.
    pub text: String,
    pub reason: String,
}

impl fmt::Display for ImportNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.reason)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.reason)?;
            if !self.text.trim().is_empty() {
                write!(f, "\n    {}", self.text.trim())?;
            }
            Ok(())
        }
    }
}

/// The design a buildout describes, and the report of what was left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub topology: Topology,
    /// Sorted by file (in the order the files were read) and line.
    pub notes: Vec<ImportNote>,
}

/// Why a buildout could not be imported at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    #[error("{main} is not among the given files ({})", list_or_none(.given))]
    MainMissing { main: String, given: Vec<String> },
    #[error("the files extend each other in a loop: {}; buildout refuses this too", .chain.join(" extends "))]
    CyclicExtends { chain: Vec<String> },
    #[error(
        "{file} is not a deployment buildout: it has none of the sections [hosts], [ports], [users], [instance] (a plone.recipe.zope2instance part) or [supervisor]"
    )]
    NotADeployment { file: String },
}

fn list_or_none(files: &[String]) -> String {
    if files.is_empty() {
        "no file was given".into()
    } else {
        format!("given: {}", files.join(", "))
    }
}

/// Reads the buildout whose top file is `main`, with `files` mapping every path the
/// caller has (relative to one folder, `/` separated) to its text.
pub fn import(files: &BTreeMap<String, String>, main: &str) -> Result<Imported, ImportError> {
    let mut problems = Vec::new();
    let config = match buildout::load(files, main, &mut problems) {
        Ok(config) => config,
        Err(LoadError::MainMissing) => {
            return Err(ImportError::MainMissing {
                main: main.to_string(),
                given: files.keys().cloned().collect(),
            });
        }
        Err(LoadError::CyclicExtends(chain)) => return Err(ImportError::CyclicExtends { chain }),
    };
    let main = buildout::normalize_path(main);
    let mut mapper = Mapper::new(&config, problems, main.clone());
    if !mapper.is_deployment() {
        return Err(ImportError::NotADeployment { file: main });
    }
    mapper.run();
    let notes = mapper.notes(&config);
    Ok(Imported {
        topology: mapper.into_design(),
        notes,
    })
}
