//! `docs/templates.md` is the reference for template authors. This test keeps it true:
//! every variable it lists renders, every field of the context is listed, and every filter
//! is listed with an example that gives what the page says.

use std::collections::BTreeSet;

use serde_json::Value;
use stackwright_core::escape::FILTERS;
use stackwright_core::model::ComponentKind;
use stackwright_core::plan::Plan;
use stackwright_core::render;
use stackwright_core::{Topology, edit};

const DOC: &str = include_str!("../../docs/templates.md");

/// A documented row: the name in its first cell and its type.
struct Row {
    name: String,
    kind: String,
    /// The row's third cell (a filter's example).
    last: String,
}

/// The rows of the tables under the heading that starts with `heading`.
fn rows(heading: &str) -> Vec<Row> {
    let section = DOC
        .split("\n#")
        .filter(|s| s.trim_start_matches('#').trim_start().starts_with(heading))
        .collect::<Vec<_>>()
        .join("\n");
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .strip_prefix("| `")?
                .split(" | ")
                .map(str::trim)
                .collect();
            let name = cells[0].split('`').next()?.to_string();
            Some(Row {
                name,
                kind: cells.get(1)?.to_string(),
                last: cells.last()?.trim_end_matches(" |").to_string(),
            })
        })
        .collect()
}

/// The documented variables of the plan.
fn plan_rows() -> Vec<Row> {
    rows("`plan`")
        .into_iter()
        .filter(|r| r.name.starts_with("plan."))
        .collect()
}

/// The fields of a bind and of an endpoint, documented once below the plan.
fn shape_rows() -> Vec<Row> {
    rows("`plan`")
        .into_iter()
        .filter(|r| r.name.starts_with("bind.") || r.name.starts_with("endpoint."))
        .collect()
}

/// The default design with every list non-empty and every optional part present.
fn full_design() -> Topology {
    let mut t = stackwright_core::defaults::production(
        stackwright_core::defaults::scaled(3, 2),
        &[42; stackwright_core::defaults::NEW_DESIGN_RANDOM],
    )
    .unwrap();
    edit::set(
        &mut t,
        "components.varnish.tuning",
        "-p thread_pool_min=10 -p thread_pool_max=500",
    )
    .unwrap();
    if let Some(ComponentKind::Haproxy(h)) = t.component_mut("haproxy").map(|c| &mut c.kind) {
        h.stats_user = "admin".into();
        h.stats_password = "secret".into();
    }
    edit::set(
        &mut t,
        "settings.admin_networks",
        "192.0.2.7/24\n2001:db8::1",
    )
    .unwrap();
    t.templates.insert(
        "zodbpack.conf.j2".into(),
        render::default_template("zodbpack.conf.j2").unwrap().into(),
    );
    t
}

/// The template expression that reads a documented variable: lists by their last item
/// (the first host of a design on several machines runs no instance).
fn expression(name: &str) -> String {
    name.replace("[]", "[-1]")
}

/// Renders `source` in place of the README of the first host, for `t`.
fn render_readme(t: &Topology, source: &str) -> Result<String, render::RenderError> {
    let mut t = t.clone();
    t.templates
        .insert("README.hosts.md.j2".into(), source.into());
    let bundle = stackwright_core::render(&t)?;
    Ok(bundle.files["README.md"].contents.clone())
}

#[test]
fn every_documented_variable_renders() {
    let t = full_design();
    let variables = plan_rows();
    assert!(variables.len() > 80, "the plan's table was found");
    let mut source = String::new();
    for row in &variables {
        source.push_str(&format!("{{{{ {} }}}}\n", expression(&row.name)));
    }
    // The names every template has, and a bind and an endpoint through their fields.
    for name in ["host.id", "host.folder", "instance is none"] {
        source.push_str(&format!("{{{{ {name} }}}}\n"));
    }
    for row in shape_rows() {
        let (kind, field) = row.name.split_once('.').unwrap();
        let through = if kind == "bind" {
            "plan.nginx.http"
        } else {
            "plan.nginx.upstream"
        };
        source.push_str(&format!("{{{{ {through}.{field} }}}}\n"));
    }
    let out = render_readme(&t, &source).unwrap_or_else(|e| {
        let line = match &e {
            render::RenderError::Template { line: Some(n), .. } => source.lines().nth(n - 1),
            _ => None,
        };
        panic!("{e}: {line:?}")
    });
    assert_eq!(out.lines().count(), source.lines().count(), "{out}");
    assert!(out.contains("thread_pool_min"), "{out}");
}

/// Every field of the context, as a documented name: list items as `[]`.
fn context_fields(value: &Value, path: String, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                context_fields(field, format!("{path}.{key}"), out);
            }
        }
        Value::Array(items) => match items.first() {
            Some(first @ (Value::Object(_) | Value::Array(_))) => {
                context_fields(first, format!("{path}[]"), out)
            }
            _ => {
                out.insert(format!("{path}[]"));
            }
        },
        _ => {
            out.insert(path);
        }
    }
}

#[test]
fn every_field_of_the_context_is_documented() {
    let plan = Plan::resolve(&full_design()).unwrap();
    let mut fields = BTreeSet::new();
    context_fields(
        &serde_json::to_value(&plan).unwrap(),
        "plan".into(),
        &mut fields,
    );
    let documented = plan_rows();
    let kind_of = |name: &str| {
        documented
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.kind.as_str())
    };
    let shapes = shape_rows();
    for field in &fields {
        if kind_of(field).is_some() {
            continue;
        }
        // A list of pairs is documented as the list.
        if let Some(list) = field.strip_suffix("[][]")
            && kind_of(&format!("{list}[]")) == Some("list of pairs")
        {
            continue;
        }
        // A bind's or an endpoint's fields are documented once, under its shape.
        let (parent, leaf) = field.rsplit_once('.').unwrap();
        let shape = kind_of(parent).and_then(|k| k.split_whitespace().next());
        if let Some(shape @ ("bind" | "endpoint")) = shape
            && shapes.iter().any(|r| r.name == format!("{shape}.{leaf}"))
        {
            continue;
        }
        panic!("{field} is in the context but not in docs/templates.md");
    }
}

#[test]
fn every_filter_is_documented_with_an_example_that_holds() {
    let documented = rows("The escaping filters");
    let names: Vec<&str> = documented.iter().map(|r| r.name.as_str()).collect();
    let built_in: Vec<&str> = FILTERS.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, built_in);
    let t = full_design();
    for row in &documented {
        // `{{ "x" \| f }}` gives `y`
        let example = row.last.replace("\\|", "|");
        let (template, gives) = example
            .split_once(" gives ")
            .unwrap_or_else(|| panic!("{}: no example", row.name));
        let template = template.trim_matches('`');
        // A code span: `y`, or `` y `` when y holds a backquote.
        let gives = gives.trim();
        let expected = gives
            .strip_prefix("`` ")
            .and_then(|e| e.strip_suffix(" ``"))
            .or_else(|| gives.strip_prefix('`').and_then(|e| e.strip_suffix('`')))
            .unwrap_or_else(|| panic!("{}: the example gives no code", row.name));
        let out = render_readme(&t, &format!("{template}\n")).unwrap();
        assert_eq!(out.trim_end(), expected, "{}", row.name);
    }
}
