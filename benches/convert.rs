//! Conversion speed: a synthetic workflow of 100, 1,000 and 10,000 blocks converted to a journey
//! and back, beside serde_json parsing and serialising the same file in the same run.
//! Target: conversion both ways <= 3x the serde round trip, growing linearly.
//!
//! Run: `cargo bench --bench convert` (prints a table after criterion's own report).

use criterion::{criterion_group, criterion_main, Criterion};
use journey_studio::convert::{journey_to_workflow, workflow_to_journey, ConvertOptions};
use journey_studio::sim::SimDocument;
use serde_json::Value;
use std::hint::black_box;
use std::time::{Duration, Instant};

// The same allocator as the `journey-studio` binary and the desktop app, for both sides of the ratio.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: [usize; 3] = [100, 1_000, 10_000];

fn serde_round_trip(text: &str) -> String {
    let value: Value = serde_json::from_str(text).unwrap();
    serde_json::to_string(&value).unwrap()
}

fn convert_both_ways(doc: &SimDocument, opts: &ConvertOptions) -> SimDocument {
    let journey = workflow_to_journey(doc, opts).unwrap().output;
    journey_to_workflow(&journey, opts).unwrap().output
}

/// Times serde and conversion alternately, `runs` times each, so that load from other work on
/// the machine falls on both sides alike. Returns the median of each and the median of the
/// per-pair ratios.
fn interleaved(
    text: &str,
    doc: &SimDocument,
    opts: &ConvertOptions,
    runs: usize,
) -> (Duration, Duration, f64) {
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    let (mut serde, mut convert, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let s = time(&mut || drop(black_box(serde_round_trip(text))));
        let c = time(&mut || drop(black_box(convert_both_ways(doc, opts))));
        ratios.push(c.as_secs_f64() / s.as_secs_f64());
        serde.push(s);
        convert.push(c);
    }
    serde.sort();
    convert.sort();
    ratios.sort_by(f64::total_cmp);
    (serde[runs / 2], convert[runs / 2], ratios[runs / 2])
}

fn bench(c: &mut Criterion) {
    let opts = ConvertOptions::default();
    let mut table = Vec::new();
    for n in SIZES {
        let text = journey_studio::testing::realistic_workflow(n);
        let doc = SimDocument::parse("synthetic", &text).unwrap();
        // The round trip is exact: measure the real thing, not a shortcut.
        assert_eq!(convert_both_ways(&doc, &opts), doc);
        let mut group = c.benchmark_group(format!("convert_{n}_blocks"));
        group.sample_size(10);
        group.bench_function("serde_json parse+serialize", |b| {
            b.iter(|| serde_round_trip(black_box(&text)))
        });
        group.bench_function("convert both ways", |b| {
            b.iter(|| convert_both_ways(black_box(&doc), &opts))
        });
        group.finish();
        let runs = if n >= 10_000 { 11 } else { 31 };
        let (serde, convert, ratio) = interleaved(&text, &doc, &opts, runs);
        table.push((n, text.len(), serde, convert, ratio));
    }
    println!("\nmedians of alternating runs; ratio = median of the per-pair ratios");
    println!("blocks   file bytes   serde parse+serialize   convert both ways   ratio   convert per block");
    for (n, bytes, serde, convert, ratio) in table {
        println!(
            "{n:>6}   {bytes:>10}   {:>18.2} ms   {:>14.2} ms   {:>5.2}x   {:>10.1} µs",
            serde.as_secs_f64() * 1e3,
            convert.as_secs_f64() * 1e3,
            ratio,
            convert.as_secs_f64() * 1e6 / n as f64
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
