//! The templates: every built-in one embedded in the binary, what each writes, the
//! design's own in their place, and the one minijinja environment they are parsed in.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior};

use super::RenderError;
use crate::catalogue::{TEMPLATES, default_template};
use crate::escape;
use crate::model::Topology;

/// Makes `source` the design's template `name`. A source equal to the built-in template
/// is no change: the override is dropped, so the design stays as if never edited.
pub fn set_template(
    topology: &mut Topology,
    name: &str,
    source: String,
) -> Result<(), RenderError> {
    let built_in = default_template(name).ok_or_else(|| RenderError::UnknownTemplate {
        name: name.to_string(),
    })?;
    check_template_length(name, &source)?;
    if source == built_in {
        topology.templates.remove(name);
    } else {
        topology.templates.insert(name.to_string(), source);
    }
    Ok(())
}

/// The reader's limit on a template's length ([`crate::format::MAX_TEMPLATE`]), which
/// [`set_template`] holds too, so whatever is set is saved and read back.
pub fn check_template_length(name: &str, source: &str) -> Result<(), RenderError> {
    if source.len() > crate::format::MAX_TEMPLATE {
        return Err(RenderError::TemplateTooLong {
            name: name.to_string(),
            bytes: source.len(),
        });
    }
    Ok(())
}

/// minijinja's own formatter, after charging fuel for the text a list or map is about to
/// become. minijinja charges for a container's text only once it is written, and a
/// repeated list (`(range(100000) | list) * 1000`) is lazy and uncharged: its hundred
/// million items would be written (gigabytes) before the charge. Charged first (see
/// [`charge_text`]), such a list runs out of fuel before a byte of it is written.
fn charged_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    charge_text(state, value)?;
    minijinja::escape_formatter(out, state, value)
}

/// Charges fuel for the text a list or map will become, before it becomes text: one unit
/// of fuel (64 bytes) for each item, and its strings' bytes, walking nested containers.
/// A list's length is charged before its first item is looked at, so a lazy one of a
/// hundred million items costs one look. Strings and numbers are free here: minijinja
/// charged them when they were made.
fn charge_text(state: &minijinja::State, value: &minijinja::Value) -> Result<(), minijinja::Error> {
    if value.as_object().is_none() {
        return Ok(());
    }
    if let Some(len) = value.len() {
        state.consume_fuel(len as u64)?;
    }
    let is_map = value.kind() == minijinja::value::ValueKind::Map;
    for item in value.try_iter()? {
        let item_value = if is_map {
            charge_string(state, &item)?;
            value.get_item(&item)?
        } else {
            item
        };
        state.consume_fuel(1)?;
        charge_string(state, &item_value)?;
        charge_text(state, &item_value)?;
    }
    Ok(())
}

/// `indent` adds its width to every line, which minijinja does not charge before it builds
/// the result: charge the spaces it will add (a fuel unit is 64 bytes of them).
fn charge_indent(
    state: &minijinja::State,
    args: &[minijinja::Value],
) -> Result<(), minijinja::Error> {
    let lines = args
        .first()
        .and_then(minijinja::Value::as_str)
        .map_or(1, |text| text.lines().count() as u64 + 1);
    let width = args
        .get(1)
        .and_then(minijinja::Value::as_usize)
        .unwrap_or(0) as u64;
    state.consume_fuel(lines.saturating_mul(width) / 64)
}

/// Charges a string's bytes (a fuel unit is 64 of them).
fn charge_string(
    state: &minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text) => state.consume_fuel(text.len() as u64 / 64),
        None => Ok(()),
    }
}

/// What a filter's result costs beyond its arguments' text, charged before it runs.
type Charge = fn(&minijinja::State, &[minijinja::Value]) -> Result<(), minijinja::Error>;

/// Nothing beyond the arguments' text.
fn no_more(_: &minijinja::State, _: &[minijinja::Value]) -> Result<(), minijinja::Error> {
    Ok(())
}

/// The built-in filters that turn their arguments into text, each replaced by itself after
/// [`charge_text`] of every argument (minijinja converts a list given where a string is
/// expected to text before the filter runs, uncharged) and the charge of what it adds.
fn charged_filters() -> Vec<(&'static str, minijinja::Value, Charge)> {
    use minijinja::Value;
    use minijinja::filters as f;
    vec![
        ("upper", Value::from_function(f::upper), no_more),
        ("lower", Value::from_function(f::lower), no_more),
        ("title", Value::from_function(f::title), no_more),
        ("capitalize", Value::from_function(f::capitalize), no_more),
        ("replace", Value::from_function(f::replace), no_more),
        ("trim", Value::from_function(f::trim), no_more),
        ("join", Value::from_function(f::join), no_more),
        ("split", Value::from_function(f::split), no_more),
        ("lines", Value::from_function(f::lines), no_more),
        ("string", Value::from_function(f::string), no_more),
        ("indent", Value::from_function(f::indent), charge_indent),
    ]
}

/// The built-in environment, or a copy of it with `overrides` in place. A copy shares the
/// built-in templates already parsed; only the overrides are parsed.
///
/// The copy for the last overrides seen is kept, so a design with its own templates
/// parses them once per change of a template, not once per edit of anything else.
pub(super) fn environment_with(
    overrides: &BTreeMap<String, String>,
) -> Result<Cow<'static, Environment<'static>>, RenderError> {
    type Compiled = (BTreeMap<String, String>, Environment<'static>);
    static LAST: Mutex<Option<Compiled>> = Mutex::new(None);
    if overrides.is_empty() {
        return Ok(Cow::Borrowed(environment()));
    }
    let mut last = LAST.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((compiled_for, env)) = last.as_ref()
        && compiled_for == overrides
    {
        // A copy shares the parsed templates: it costs a few map clones.
        return Ok(Cow::Owned(env.clone()));
    }
    let mut env = environment().clone();
    for (name, source) in overrides {
        let Some(name) = TEMPLATES.iter().map(|(n, _)| *n).find(|n| n == name) else {
            return Err(RenderError::UnknownTemplate { name: name.clone() });
        };
        env.add_template_owned(name, source.clone())
            .map_err(|source| template_error(name, source))?;
    }
    *last = Some((overrides.clone(), env.clone()));
    Ok(Cow::Owned(env))
}

pub(super) fn template_error(name: &str, source: minijinja::Error) -> RenderError {
    RenderError::Template {
        // An error inside an included template names that one.
        template: source.name().unwrap_or(name).to_string(),
        line: source.line(),
        source,
    }
}

/// The instructions one file's render may run (see [`environment`]).
pub const FUEL: u64 = 1_000_000;

/// The template environment, built once and shared by every render.
pub fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Each render of one file may run this many instructions: the largest built-in
        // file (README.md of 64 instances) takes about 2,400, so a user's template has
        // room for 400 times that, and one that loops without end stops within milliseconds.
        env.set_fuel(Some(FUEL));
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid");
        env.set_syntax(syntax);
        env.set_formatter(charged_formatter);
        for (name, builtin, charge_result) in charged_filters() {
            env.add_filter(
                name,
                move |state: &mut minijinja::State,
                      args: minijinja::value::Rest<minijinja::Value>| {
                    for arg in args.iter() {
                        charge_text(state, arg)?;
                    }
                    charge_result(state, &args)?;
                    builtin.call(state, &args)
                },
            );
        }
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .expect("embedded templates parse");
        }
        for (name, escape) in escape::FILTERS {
            env.add_filter(
                *name,
                move |state: &minijinja::State, value: minijinja::Value| {
                    charge_text(state, &value)?;
                    let value = match value.as_str() {
                        Some(text) => std::borrow::Cow::Borrowed(text),
                        None => std::borrow::Cow::Owned(value.to_string()),
                    };
                    // The escaped text, charged before it is made: at most six bytes a
                    // byte (YAML's `\u0001`), a fuel unit being 64 of them.
                    state.consume_fuel(6 * value.len() as u64 / 64)?;
                    escape(&value).map_err(|refused| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            refused.to_string(),
                        )
                    })
                },
            );
        }
        env
    })
}
