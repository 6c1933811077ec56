//! A template's memory is bounded, not only its instructions: minijinja's fuel is charged
//! for every value it creates (about 64 bytes a unit), and a value whose size is known
//! beforehand (`"x" * n`) is created only if the fuel left can pay for it. A template
//! comes from anywhere a design does (a share link, a dropped file), and the design is
//! autosaved, so one that exhausted the tab's memory would do it again at every load.
//!
//! Each hostile template below is rendered through the path a user's template takes
//! (`set_template`, then `render`) with the allocator capped at [`HEADROOM`] above what is
//! allocated before: an allocation past the cap aborts the test. Each must end in an error
//! naming the template, and the peak is printed.

use cap::Cap;
use stackwright_core::render::{self, FUEL, RenderError};
use std::alloc::System;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// What one render may allocate beyond the design and the built-in templates: the fuel's
/// bound (about 64 bytes a unit) twice over, for the copies a render makes of its output.
const HEADROOM: usize = 2 * 64 * FUEL as usize;

const HOSTILE: &[(&str, &str)] = &[
    ("repetition", r#"{{ "x" * 100000000 }}"#),
    (
        "repetition in steps",
        r#"{% for i in range(1000) %}{{ "x" * 1000000 }}{% endfor %}"#,
    ),
    (
        "doubling with ~",
        r#"{% set s = namespace(v="x") %}{% for i in range(64) %}{% set s.v = s.v ~ s.v %}{% endfor %}{{ s.v }}"#,
    ),
    ("join", r#"{{ range(100000) | join("x" * 1000) }}"#),
    (
        "replace",
        r#"{{ ("x" * 100000) | replace("x", "y" * 10000) }}"#,
    ),
    (
        "a filter on a long list",
        r#"{{ range(100000) | map("string") | list | sort | join(",") * 1000 }}"#,
    ),
    ("repeated list", r#"{{ (range(100000) | list) * 1000 }}"#),
    (
        "repeated list in a list",
        r#"{{ [(range(100000) | list) * 1000] }}"#,
    ),
    (
        "repeated list in a map",
        r#"{{ {"a": (range(100000) | list) * 1000} }}"#,
    ),
    (
        "searched repeated list",
        r#"{{ -1 in ((range(100000) | list) * 1000) }}"#,
    ),
    (
        "repeated list as a string",
        r#"{{ ((range(100000) | list) * 1000) | string }}"#,
    ),
    (
        "repeated list upper-cased",
        r#"{{ ((range(100000) | list) * 1000) | upper }}"#,
    ),
    (
        "repeated list as a joiner",
        r#"{{ [1, 2] | join((range(100000) | list) * 1000) }}"#,
    ),
    (
        "repeated list escaped",
        r#"{{ ((range(100000) | list) * 1000) | shell }}"#,
    ),
    (
        "a big string listed many times",
        r#"{% set s = "x" * 1000000 %}{% set l = namespace(v=[s]) %}{% for i in range(20) %}{% set l.v = l.v + l.v %}{% endfor %}{{ l.v }}"#,
    ),
    (
        "list grown in a loop",
        r#"{% set l = namespace(v=[]) %}{% for i in range(100000) %}{% set l.v = l.v + [i] %}{% endfor %}{{ l.v | length }}"#,
    ),
    ("indent", r#"{{ ("x\n" * 100000) | indent(100000) }}"#),
    ("an escape filter", r#"{{ ("'" * 10000000) | shell }}"#),
    (
        "output of a deep macro",
        r#"{% macro m(n) %}{{ "x" * 100000 }}{% if n %}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(400) }}"#,
    ),
];

#[test]
fn hostile_templates_stay_within_their_memory() {
    let design = stackwright_core::defaults::new_design(
        &[42; stackwright_core::defaults::NEW_DESIGN_RANDOM],
    )
    .unwrap();
    // Warm the built-in environment, so what follows measures the hostile template alone.
    render::render(&design).unwrap();
    let start = ALLOCATOR.allocated();
    for (what, source) in HOSTILE {
        let mut t = design.clone();
        render::set_template(&mut t, "nginx.conf.j2", source.to_string()).unwrap();
        let before = ALLOCATOR.allocated();
        ALLOCATOR.set_limit(before + HEADROOM).unwrap();
        let result = render::render(&t);
        ALLOCATOR.set_limit(usize::MAX).unwrap();
        match result {
            Err(RenderError::Template {
                template, source, ..
            }) => {
                assert_eq!(template, "nginx.conf.j2", "{what}");
                println!("{what}: refused ({source})");
            }
            other => panic!(
                "{what}: rendered, or failed otherwise: {:?}",
                other.map(|_| ())
            ),
        }
    }
    // The cap would have aborted the test; this says how close the worst came to it.
    println!(
        "the most memory in use at once, above the start: {} KiB of the {} KiB allowed",
        ALLOCATOR.max_allocated().saturating_sub(start) >> 10,
        HEADROOM >> 10
    );
}
