//! `docs/topology.schema.json` describes the saved format: the default design and every
//! fixture validate against it, and what the loader refuses, the schema refuses too.

use serde_json::Value;
use stackwright_core::{Topology, format};

fn schema() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("../../docs/topology.schema.json")).unwrap();
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

/// The design as the app saves it, read back by serde_json for the schema validator.
fn saved(t: &Topology) -> Value {
    serde_json::from_str(&format::to_json(t)).unwrap()
}

fn errors(validator: &jsonschema::Validator, design: &Value) -> Vec<String> {
    validator
        .iter_errors(design)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn defaults_and_fixtures_match_the_schema() {
    let validator = schema();
    let default = saved(&Topology::exercise());
    assert_eq!(errors(&validator, &default), Vec::<String>::new());
    let mut count = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).unwrap()
    {
        let path = entry.unwrap().path();
        let design: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            errors(&validator, &design),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
        count += 1;
    }
    assert!(count >= 7, "the fixtures were found");
}

#[test]
fn the_schema_refuses_what_the_loader_refuses() {
    let validator = schema();
    type Edit = (&'static str, fn(&mut Value));
    let edits: [Edit; 11] = [
        ("unknown setting", |d| {
            d["settings"]["colour"] = "red".into()
        }),
        ("unknown kind", |d| {
            d["components"][0]["kind"] = "apache".into()
        }),
        ("unknown component setting", |d| {
            d["components"][0]["settings"]["listen"] = 1.into()
        }),
        ("newer version", |d| {
            d["version"] = (format::VERSION + 1).into()
        }),
        ("upload limit in version 3", |d| {
            d["components"][0]["settings"]["upload_limit_mb"] = 512.into()
        }),
        ("purge port in version 3", |d| {
            d["components"][1]["settings"]["purge_port"] = 9101.into()
        }),
        ("admin networks in version 1", |d| {
            d["settings"]["platform"] = "debian-12".into();
            d["version"] = 1.into();
            d["settings"]["admin_networks"] = serde_json::json!(["192.0.2.0/24"])
        }),
        ("template in version 1", |d| {
            d["settings"]["platform"] = "debian-12".into();
            d["version"] = 1.into();
            d["templates"] = serde_json::json!({ "nginx.conf.j2": "daemon off;\n" })
        }),
        ("debian-13 in version 2", |d| d["version"] = 2.into()),
        ("debian-13 in version 1", |d| d["version"] = 1.into()),
        ("overlong template name", |d| {
            d["version"] = 2.into();
            d["templates"] = serde_json::json!({ "x".repeat(65): "Listen 80\n" })
        }),
    ];
    for (what, edit) in edits {
        let mut design = saved(&Topology::exercise());
        edit(&mut design);
        assert!(
            !validator.is_valid(&design),
            "the schema accepts a design with an {what}"
        );
        assert!(
            format::from_json(&design.to_string()).is_err(),
            "the loader accepts a design with an {what}"
        );
    }
}

/// Reading a fixture and writing it again gives the same bytes.
#[test]
fn fixtures_are_written_back_byte_for_byte() {
    let mut count = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).unwrap()
    {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let design = format::from_json(&text).unwrap();
        assert_eq!(format::to_json(&design), text, "{}", path.display());
        count += 1;
    }
    assert!(count >= 7, "the fixtures were found");
}

/// A design with a production setting away from its default is version 4; the schema and
/// the loader take it, and it is written back as it was read. At the defaults it stays in
/// the version it had.
#[test]
fn production_settings_are_version_4() {
    use stackwright_core::model::ComponentKind;
    let validator = schema();
    let cases: [fn(&mut Topology); 4] = [
        |t| t.settings.admin_networks = vec!["192.0.2.0/24".into()],
        |t| {
            if let ComponentKind::Nginx(n) = &mut t.components[0].kind {
                n.upload_limit_mb = "512".into();
            }
        },
        |t| {
            if let ComponentKind::Nginx(n) = &mut t.components[0].kind {
                n.hsts = false;
            }
        },
        |t| {
            if let ComponentKind::Varnish(v) = &mut t.components[1].kind {
                v.purge_port = "9101".into();
            }
        },
    ];
    for edit in cases {
        let mut t = Topology::exercise();
        t.settings.platform = stackwright_core::model::Platform::Debian12;
        edit(&mut t);
        assert_ne!(t, Topology::exercise(), "the edit changed the design");
        let design = saved(&t);
        assert_eq!(design["version"], 4);
        assert_eq!(errors(&validator, &design), Vec::<String>::new());
        assert_eq!(format::from_json(&format::to_json(&t)).unwrap(), t);
    }
    assert_eq!(saved(&Topology::exercise())["version"], 3);
}

/// A design with templates is version 2; the schema and the loader take it, and it is
/// written back as it was read.
#[test]
fn templates_are_version_2() {
    let validator = schema();
    let mut t = Topology::exercise();
    t.templates.insert(
        "nginx.conf.j2".into(),
        "# mine\n{{ plan.site.name }}\n".into(),
    );
    t.settings.platform = stackwright_core::model::Platform::Debian12;
    let design = saved(&t);
    assert_eq!(design["version"], 2);
    assert_eq!(errors(&validator, &design), Vec::<String>::new());
    assert_eq!(format::from_json(&format::to_json(&t)).unwrap(), t);
    // The schema bounds templates as the reader does.
    let schema: Value =
        serde_json::from_str(include_str!("../../docs/topology.schema.json")).unwrap();
    let templates = &schema["properties"]["templates"];
    assert_eq!(templates["maxProperties"], format::MAX_TEMPLATES);
    assert_eq!(
        templates["propertyNames"]["maxLength"],
        format::MAX_TEMPLATE_NAME
    );
    assert_eq!(
        templates["additionalProperties"]["maxLength"],
        format::MAX_TEMPLATE
    );
    // A name this Stackwright does not have is read (the validator flags it).
    let mut t = t.clone();
    t.templates
        .insert("apache.conf.j2".into(), "Listen 80\n".into());
    let design = saved(&t);
    assert_eq!(errors(&validator, &design), Vec::<String>::new());
    assert_eq!(format::from_json(&format::to_json(&t)).unwrap(), t);
}
