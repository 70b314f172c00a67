//! Conversion as users do it, text to text: a Sim workflow file of 100, 1,000 and 10,000 blocks
//! read, converted to a journey and written; then the journey file, with 0%, 1% or 10% of its
//! states edited (their action reworded), read, converted back to a workflow and written. Beside
//! each, in the same run and alternating with it, the baseline: serde_json parsing and
//! serialising the same input file. Target: <= 3x the baseline at every size on the edited path.
//!
//! Run: `cargo bench --bench convert` (or `scripts/bench`). Prints a table, then `README|` lines
//! (`README| what | figure | baseline |`) that `scripts/bench` puts in the README's table.

use journey_studio::convert::{journey_to_workflow, workflow_to_journey, ConvertOptions};
use journey_studio::json::Maybe;
use journey_studio::parlant::JourneyDocument;
use journey_studio::sim::SimDocument;
use serde_json::Value;
use std::hint::black_box;
use std::time::{Duration, Instant};

// The same allocator as the `journey-studio` binary and the desktop app, for both sides of the ratio.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: [usize; 3] = [100, 1_000, 10_000];
const EDITED: [usize; 3] = [0, 1, 10];

fn serde_round_trip(text: &str) -> String {
    let value: Value = serde_json::from_str(text).unwrap();
    serde_json::to_string(&value).unwrap()
}

fn there(text: &str, opts: &ConvertOptions) -> String {
    let doc = SimDocument::parse("w.json", text).unwrap();
    workflow_to_journey(&doc, opts).unwrap().output.to_json()
}

fn back(text: &str, opts: &ConvertOptions) -> String {
    let doc = JourneyDocument::parse("j.json", text).unwrap();
    journey_to_workflow(&doc, opts).unwrap().output.to_json()
}

/// The journey text with `percent`% of its states' actions reworded (spread over the journey).
fn edited(journey_text: &str, percent: usize) -> String {
    let mut doc = JourneyDocument::parse("j.json", journey_text).unwrap();
    if percent == 0 {
        return doc.to_json();
    }
    let n = doc.nodes.len();
    let count = (n * percent).div_ceil(100).max(1);
    // Chosen among the states that have an action (forks have none): picking every n-th state
    // instead landed on forks only at 1% and edited nothing.
    let with_action: Vec<usize> = (0..n)
        .filter(|&i| doc.nodes[i].action.get().is_some())
        .collect();
    let stride = (with_action.len() / count).max(1);
    let chosen: Vec<usize> = with_action
        .iter()
        .skip(stride / 2)
        .step_by(stride)
        .take(count)
        .copied()
        .collect();
    assert_eq!(
        chosen.len(),
        count,
        "{percent}% of {n} states can be edited"
    );
    for i in chosen {
        doc.nodes[i].action =
            Maybe::Value(format!("Reworded step {i}: ask the customer to confirm"));
    }
    doc.to_json()
}

/// Times the baseline and the conversion alternately, `runs` times each, so that load from
/// other work falls on both alike. Answers the medians and the median per-pair ratio.
fn interleaved(
    text: &str,
    convert: &dyn Fn(&str) -> String,
    runs: usize,
) -> (Duration, Duration, f64) {
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    let (mut serde, mut conv, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let s = time(&|| drop(black_box(serde_round_trip(black_box(text)))));
        let c = time(&|| drop(black_box(convert(black_box(text)))));
        ratios.push(c.as_secs_f64() / s.as_secs_f64());
        serde.push(s);
        conv.push(c);
    }
    serde.sort();
    conv.sort();
    ratios.sort_by(f64::total_cmp);
    (serde[runs / 2], conv[runs / 2], ratios[runs / 2])
}

struct Row {
    what: String,
    n: usize,
    bytes: usize,
    serde: Duration,
    convert: Duration,
    ratio: f64,
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported (one table).
    let opts = ConvertOptions::default();
    let mut rows = Vec::new();
    for n in SIZES {
        let runs = if n >= 10_000 { 11 } else { 31 };
        let sim_text = journey_studio::testing::realistic_workflow(n);
        let journey_text = there(&sim_text, &opts);
        // The round trip is exact: measure the real thing, not a shortcut that drops data.
        let round = SimDocument::parse("r", &back(&journey_text, &opts)).unwrap();
        assert_eq!(round, SimDocument::parse("o", &sim_text).unwrap());
        let (serde, convert, ratio) = interleaved(&sim_text, &|t| there(t, &opts), runs);
        rows.push(Row {
            what: "workflow → journey".into(),
            n,
            bytes: sim_text.len(),
            serde,
            convert,
            ratio,
        });
        for percent in EDITED {
            let text = edited(&journey_text, percent);
            let (serde, convert, ratio) = interleaved(&text, &|t| back(t, &opts), runs);
            rows.push(Row {
                what: format!("journey → workflow, {percent}% of states edited"),
                n,
                bytes: text.len(),
                serde,
                convert,
                ratio,
            });
        }
    }
    println!(
        "\nconvert, text to text; medians of alternating runs; ratio = median of per-pair ratios"
    );
    println!(
        "{:<42} {:>6} {:>11} {:>12} {:>12} {:>7}",
        "way", "blocks", "input bytes", "serde", "convert", "ratio"
    );
    for r in &rows {
        println!(
            "{:<42} {:>6} {:>11} {:>9.2} ms {:>9.2} ms {:>6.2}x",
            r.what,
            r.n,
            r.bytes,
            r.serde.as_secs_f64() * 1e3,
            r.convert.as_secs_f64() * 1e3,
            r.ratio
        );
    }
    let mut ways: Vec<&str> = Vec::new();
    for r in &rows {
        if !ways.contains(&r.what.as_str()) {
            ways.push(&r.what);
        }
    }
    for way in ways {
        let of: Vec<&Row> = rows.iter().filter(|r| r.what == way).collect();
        let sizes = of
            .iter()
            .map(|r| format!("{}", r.n))
            .collect::<Vec<_>>()
            .join(" / ");
        let ratios = of
            .iter()
            .map(|r| format!("{:.2}x", r.ratio))
            .collect::<Vec<_>>()
            .join(" / ");
        let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
        let converts = of
            .iter()
            .map(|r| ms(r.convert))
            .collect::<Vec<_>>()
            .join(" / ");
        let serdes = of
            .iter()
            .map(|r| ms(r.serde))
            .collect::<Vec<_>>()
            .join(" / ");
        let worst = of.iter().map(|r| r.ratio).fold(0.0, f64::max);
        println!(
            "README| convert {way}, text to text, {sizes} blocks | {converts} = {ratios} the baseline (target ≤ 3x: {}) | serde_json parse+serialize of the same file: {serdes} |",
            if worst <= 3.0 { "met" } else { "NOT met" }
        );
    }
}
