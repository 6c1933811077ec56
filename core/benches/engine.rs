//! Native benchmarks of the engine: validate, render every file, build the zip.
//! Run with `cargo bench -p stackwright-core` (or `make bench`); criterion prints the figures.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use stackwright_core::bundle::{Timestamp, zip};
use stackwright_core::defaults::scaled;
use stackwright_core::share::{Secrets, decode, encode};
use stackwright_core::{Topology, render, validate};

/// A design that renders: the exercise's passwords ("secret") are refused since they
/// would be reachable, so each preset gets its own users and fixed random passwords.
fn ready(t: Topology) -> Topology {
    stackwright_core::defaults::production(t, &[42; stackwright_core::defaults::NEW_DESIGN_RANDOM])
        .expect("enough random bytes")
}

fn designs() -> Vec<(&'static str, Topology)> {
    vec![
        ("default", ready(Topology::exercise())),
        ("16-instances", ready(scaled(16, 1))),
        ("64-instances", ready(scaled(64, 8))),
    ]
}

fn engine(c: &mut Criterion) {
    let designs = designs();
    let mut group = c.benchmark_group("validate");
    for (name, t) in &designs {
        group.bench_with_input(BenchmarkId::from_parameter(name), t, |b, t| {
            b.iter(|| validate(black_box(t)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("render");
    for (name, t) in &designs {
        group.bench_with_input(BenchmarkId::from_parameter(name), t, |b, t| {
            b.iter(|| render(black_box(t)).unwrap())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("zip");
    for (name, t) in &designs {
        let bundle = render(t).unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(name), &bundle, |b, bundle| {
            b.iter(|| zip(black_box(bundle), Timestamp::EPOCH).unwrap())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("share-encode");
    for (name, t) in &designs {
        group.bench_with_input(BenchmarkId::from_parameter(name), t, |b, t| {
            b.iter(|| encode(black_box(t), Secrets::Include))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("share-decode");
    for (name, t) in &designs {
        let link = encode(t, Secrets::Include);
        group.bench_with_input(BenchmarkId::from_parameter(name), &link, |b, link| {
            b.iter(|| decode(black_box(link)).unwrap())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("render-scaling");
    for instances in [1, 4, 16, 64] {
        let t = ready(scaled(instances, 1));
        group.bench_with_input(BenchmarkId::from_parameter(instances), &t, |b, t| {
            b.iter(|| render(black_box(t)).unwrap())
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = engine
}
criterion_main!(benches);
