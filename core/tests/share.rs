//! The share-link decoder faces whatever is pasted into an address bar: it must never
//! panic, and every design must come back from its link unchanged.

use proptest::prelude::*;
use stackwright_core::Topology;
use stackwright_core::defaults::scaled;
use stackwright_core::share::{Secrets, decode, encode};

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_input_never_panics(input in "\\PC{0,200}") {
        let _ = decode(&input);
    }

    #[test]
    fn random_bytes_after_a_valid_prefix_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        use base64::Engine;
        let data = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let _ = decode(&format!("v1.{data}"));
        let _ = decode(&format!("v1s.{data}"));
    }

    /// Flipping, cutting or inserting characters in a real link gives an error or a
    /// design, never a panic.
    #[test]
    fn mutated_links_never_panic(instances in 1usize..20, hosts in 1usize..4, at in any::<prop::sample::Index>(), c in "[A-Za-z0-9_-]", cut in any::<bool>()) {
        let link = encode(&scaled(instances, hosts), Secrets::Include);
        let i = at.index(link.len());
        let mutated = if cut { link[..i].to_string() } else { format!("{}{}{}", &link[..i], c, &link[i + 1..]) };
        let _ = decode(&mutated);
    }

    #[test]
    fn designs_round_trip(instances in 1usize..=64, hosts in 1usize..=8) {
        let t = scaled(instances, hosts);
        prop_assert_eq!(decode(&encode(&t, Secrets::Include)).unwrap().topology, t);
    }
}

/// The figures the share issue asks for, printed by `cargo test -- --nocapture`.
#[test]
fn link_lengths() {
    use base64::Engine;
    let plain = |t: &Topology| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(stackwright_core::format::to_value(t).to_string())
            .len()
    };
    for (name, t) in [
        ("default", Topology::exercise()),
        ("16 instances on 3 hosts", scaled(16, 3)),
    ] {
        let link = encode(&t, Secrets::Omit).len();
        println!(
            "{name}: share link {link} characters, plain JSON in base64 {} ({}x)",
            plain(&t),
            plain(&t) / link.max(1)
        );
        assert!(link < 2000);
    }
}

/// A design whose ids repeat is one the format reads (the validator flags it), so its
/// link opens as that design, not as "damaged" (the address bar follows every design).
#[test]
fn repeated_ids_travel_in_a_link() {
    let mut t = Topology::exercise();
    let first = t.components[0].id.clone();
    t.components[2].id = first.clone();
    t.components[4].id = first.clone();
    // A later id spelled like the key a repeat gets does not take its place.
    t.components[5].id = format!("{first}~2");
    for secrets in [Secrets::Include, Secrets::Omit] {
        let decoded = decode(&encode(&t, secrets)).unwrap().topology;
        let ids = |t: &Topology| {
            t.components
                .iter()
                .map(|c| c.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&decoded), ids(&t));
    }
    assert_eq!(decode(&encode(&t, Secrets::Include)).unwrap().topology, t);
}
