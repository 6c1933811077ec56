//! The Stackwright engine.
//!
//! Everything the browser app, the command line and the tests share lives here: the
//! topology model, its validation, the rendering of every configuration file, the zip
//! bundle and the share-link codec. The crate does no I/O, reads no clock and draws no
//! random numbers; whatever needs those receives them as arguments.

pub mod archive;
pub mod bundle;
pub mod catalogue;
pub mod defaults;
pub mod edit;
pub mod escape;
pub mod field;
pub mod format;
pub mod import;
pub mod layout;
pub mod model;
pub mod network;
pub mod plan;
pub mod render;
pub mod share;
pub mod svg;
pub mod syntax;
pub mod validate;

pub use model::{Component, ComponentKind, Connection, Kind, Topology};
pub use plan::Plan;
pub use render::{FileTree, RenderError, render};
pub use validate::{Diagnostic, Rule, Severity, Target, Validation, validate};
