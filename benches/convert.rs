//! Conversion speed: a synthetic workflow of 100, 1,000 and 10,000 blocks converted to a journey
//! and back, beside serde_json parsing and serialising the same file in the same run.
//! Target: conversion both ways <= 3x the serde round trip, growing linearly.
//!
//! Run: `cargo bench --bench convert` (prints a table after criterion's own report).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use journey_studio::convert::{journey_to_workflow, workflow_to_journey, ConvertOptions};
use journey_studio::sim::SimDocument;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

// The same allocator as the `journey-studio` binary and the desktop app, for both sides of the ratio.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: [usize; 3] = [100, 1_000, 10_000];

/// A workflow of `n` blocks shaped like real ones: a start trigger, then a chain of agents,
/// functions and api calls, with a Condition every 10 blocks branching to the next two blocks,
/// a router every 25, and an error path every 7; every block carries Sim's usual sub-blocks.
fn workflow(n: usize) -> String {
    let mut blocks = serde_json::Map::new();
    let mut edges = Vec::new();
    let id = |i: usize| format!("b{i:05}-0000-4000-8000-000000000000");
    for i in 0..n {
        let (kind, sub_blocks) = match i {
            0 => ("start_trigger", json!({"inputFormat": {"id": "inputFormat", "type": "input-format", "value": [{"id": "f1", "name": "input", "type": "string", "value": "", "collapsed": false}]}})),
            i if i % 10 == 0 => ("condition", json!({"conditions": {"id": "conditions", "type": "condition-input", "value": serde_json::to_string(&json!([
                {"id": format!("{}-if", id(i)), "title": "if", "value": format!("<block{}.content> === 'yes' && <start.input>.length > {i}", i - 1)},
                {"id": format!("{}-else", id(i)), "title": "else", "value": ""}])).unwrap()}})),
            i if i % 25 == 1 => ("router_v2", json!({"context": {"id": "context", "type": "long-input", "value": "<start.input>"}, "routes": {"id": "routes", "type": "router-input", "value": serde_json::to_string(&json!([
                {"id": format!("{}-route1", id(i)), "title": "route1", "value": "The customer asks about billing"}])).unwrap()}, "model": {"id": "model", "type": "combobox", "value": "claude-sonnet-4-5"}})),
            i if i % 3 == 0 => ("function", json!({"language": {"id": "language", "type": "dropdown", "value": "javascript"}, "code": {"id": "code", "type": "code", "value": format!("return {{ step: {i}, input: <start.input> }}")}})),
            i if i % 3 == 1 => ("api", json!({"url": {"id": "url", "type": "short-input", "value": "https://example.com/api"}, "method": {"id": "method", "type": "dropdown", "value": "POST"}, "headers": {"id": "headers", "type": "table", "value": [{"id": "h1", "cells": {"Key": "Accept", "Value": "application/json"}}]}, "body": {"id": "body", "type": "code", "value": "{\"q\": \"<start.input>\"}"}})),
            _ => ("agent", json!({"messages": {"id": "messages", "type": "messages-input", "value": [{"role": "system", "content": format!("You are step {i}. Summarise the input and answer politely in two sentences.")}, {"role": "user", "content": "<start.input>"}]}, "model": {"id": "model", "type": "combobox", "value": "claude-sonnet-4-5"}, "temperature": {"id": "temperature", "type": "slider", "value": 0.3}, "apiKey": {"id": "apiKey", "type": "short-input", "value": null}})),
        };
        blocks.insert(id(i), json!({
            "id": id(i), "type": kind, "name": format!("block{i}"),
            "position": {"x": i * 400, "y": (i % 7) * 180},
            "subBlocks": sub_blocks,
            "outputs": {"content": {"type": "string", "description": "Generated response content"}},
            "enabled": true, "horizontalHandles": true, "advancedMode": false, "triggerMode": false, "height": 120, "data": {}, "locked": false
        }));
        if i + 1 < n {
            let handle = match kind {
                "condition" => format!("condition-{}-if", id(i)),
                "router_v2" => format!("router-{}-route1", id(i)),
                _ => "source".to_string(),
            };
            edges.push(json!({"id": format!("e{i:05}-next"), "source": id(i), "target": id(i + 1), "sourceHandle": handle, "targetHandle": "target", "type": "default", "data": {}}));
            if kind == "condition" && i + 2 < n {
                edges.push(json!({"id": format!("e{i:05}-else"), "source": id(i), "target": id(i + 2), "sourceHandle": format!("condition-{}-else", id(i)), "targetHandle": "target", "type": "default", "data": {}}));
            }
            if kind == "api" && i % 7 == 0 && i + 2 < n {
                edges.push(json!({"id": format!("e{i:05}-error"), "source": id(i), "target": id(i + 2), "sourceHandle": "error", "targetHandle": "target", "type": "default", "data": {}}));
            }
        }
    }
    json!({"version": "1.0", "exportedAt": "2026-03-09T21:40:19.010Z", "state": {"blocks": blocks, "edges": edges, "loops": {}, "parallels": {}, "variables": {}, "metadata": {"name": format!("synthetic-{n}"), "description": "benchmark"}}}).to_string()
}

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
fn interleaved(text: &str, doc: &SimDocument, opts: &ConvertOptions, runs: usize) -> (Duration, Duration, f64) {
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
        let text = workflow(n);
        let doc = SimDocument::parse("synthetic", &text).unwrap();
        // The round trip is exact: measure the real thing, not a shortcut.
        assert_eq!(convert_both_ways(&doc, &opts), doc);
        let mut group = c.benchmark_group(format!("convert_{n}_blocks"));
        group.sample_size(10);
        group.bench_function("serde_json parse+serialize", |b| b.iter(|| serde_round_trip(black_box(&text))));
        group.bench_function("convert both ways", |b| b.iter(|| convert_both_ways(black_box(&doc), &opts)));
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
