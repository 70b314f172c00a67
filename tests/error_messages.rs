//! Errors about input quote at most an excerpt of a value and never name a Rust type: every
//! reader goes through `json::from_str_located`, which words serde's messages for people.

mod common;

use journey_studio::simulate::scenario::parse_scenarios;
use journey_studio::template::Template;
use journey_studio::{Document, Error};
use regex::Regex;
use serde_json::Value;

/// How serde names Rust types in its messages (serde 1.0's `expecting` of derives and primitives).
fn rust_type_name() -> Regex {
    Regex::new(r"\b(struct|enum|tuple struct|unit struct|untagged enum|internally tagged enum) [A-Z]\w*|\bexpected (u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|f32|f64|option|unit|a sequence|a map|variant identifier|field identifier)\b|an object \([A-Z]\w*\)").unwrap()
}

#[test]
fn a_10_mb_string_where_an_object_belongs_is_located_and_quoted_by_an_excerpt() {
    let big = "x".repeat(10_000_000);
    let text = format!("{{\"state\": {{\n  \"blocks\": \"{big}\",\n  \"edges\": []}}}}");
    let err = Document::parse("big.json", &text)
        .map(|_| ())
        .expect_err("a string accepted as the blocks");
    let location = err.location().expect("no location");
    assert_eq!(location.path.to_string(), "state.blocks");
    assert_eq!(location.line, Some(2));
    let message = err.to_string();
    assert!(
        message.len() < 300,
        "{} bytes: {}",
        message.len(),
        &message[..300]
    );
    assert!(message.contains("(10000000 characters)"), "{message}");
    assert!(!rust_type_name().is_match(&message), "{message}");

    // The same through the CLI: the whole of standard error is short.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.json");
    std::fs::write(&file, &text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .arg("validate")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr.len() < 500,
        "{} bytes of stderr",
        out.stderr.len()
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("big.json:2:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A long value quoted by a check of the reader's own is cut too.
    let journey =
        std::fs::read_to_string(common::repo().join("fixtures/journeys/refund-request.json"))
            .unwrap();
    let mut doc: Value = serde_json::from_str(&journey).unwrap();
    doc["format"] = Value::String("y".repeat(1_000_000));
    let err = Document::parse("j.json", &doc.to_string())
        .map(|_| ())
        .expect_err("an unknown format was accepted");
    assert!(err.to_string().len() < 400, "{}", &err.to_string()[..400]);
}

/// Every path of a value (the root's included), at most `limit`.
fn paths(value: &Value, limit: usize) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    let mut stack: Vec<(Vec<Value>, &Value)> = vec![(Vec::new(), value)];
    while let Some((path, v)) = stack.pop() {
        if out.len() >= limit {
            break;
        }
        out.push(path.clone());
        match v {
            Value::Object(map) => stack.extend(
                map.iter()
                    .map(|(k, c)| ([path.clone(), vec![Value::String(k.clone())]].concat(), c)),
            ),
            Value::Array(items) => stack.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, c)| ([path.clone(), vec![Value::from(i)]].concat(), c)),
            ),
            _ => {}
        }
    }
    out
}

fn at<'v>(value: &'v mut Value, path: &[Value]) -> &'v mut Value {
    path.iter().fold(value, |v, step| match step {
        Value::String(k) => &mut v[k.as_str()],
        Value::Number(i) => &mut v[i.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

/// Replaces each value of each fixture by values of other types and reads the result with the
/// reader for its kind: no message names a Rust type or quotes more than an excerpt.
#[test]
fn mutated_fixtures_never_leak_type_names() {
    type Reader = fn(&str) -> Result<(), Error>;
    let read_document: Reader = |t| Document::parse("f.json", t).map(|_| ());
    let read_template: Reader = |t| Template::parse("t.json", t).map(|_| ());
    let read_scenarios: Reader = |t| parse_scenarios("s.json", t).map(|_| ());
    let mut sets: Vec<(Vec<std::path::PathBuf>, Reader)> = vec![
        (common::fixtures("sim"), read_document),
        (common::fixtures("journeys"), read_document),
        (common::fixtures("scenarios"), read_scenarios),
        (common::fixtures("templates"), read_template),
    ];
    sets.push((
        common::fixtures("sim-real").into_iter().take(1).collect(),
        read_document,
    ));
    let long = "z".repeat(5_000);
    let replacements = [
        Value::Null,
        Value::from(-7),
        Value::from(long.as_str()),
        serde_json::json!([1, "a"]),
        serde_json::json!({"k": 1.5}),
    ];
    let names = rust_type_name();
    let (mut runs, mut errors) = (0, 0);
    let mut leaks = Vec::new();
    for (files, read) in sets {
        for file in files {
            let original = common::read_json(&file);
            for path in paths(&original, 120) {
                for replacement in &replacements {
                    let mut doc = original.clone();
                    *at(&mut doc, &path) = replacement.clone();
                    runs += 1;
                    if let Err(e) = read(&doc.to_string()) {
                        errors += 1;
                        let message = e.to_string();
                        if names.is_match(&message) || message.contains(&long[..200]) {
                            leaks.push(format!(
                                "{} at {path:?}: {}",
                                file.display(),
                                &message[..message.len().min(300)]
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!("{runs} mutations, {errors} refused");
    assert!(
        errors > 500,
        "only {errors} of {runs} mutations were refused: the test reaches too little"
    );
    assert!(
        leaks.is_empty(),
        "{} of {errors} errors leak (of {runs} runs):\n{}",
        leaks.len(),
        leaks[..leaks.len().min(20)].join("\n")
    );
}

/// Finds of the long fuzz run (scripts/fuzz, seeds 1796262932–3): each command's error names
/// where the problem is and quotes no more than an excerpt of a huge value.
#[test]
fn fuzz_finds_errors_are_located_and_short() {
    use journey_studio::api::{dispatch, AppState, JsonFileSettings};
    use journey_studio::testing::hostile::error_problem;
    use serde_json::json;

    let dir = tempfile::tempdir().unwrap();
    let state = AppState::open(
        &dir.path().join("w.db"),
        Box::new(JsonFileSettings::new(dir.path().join("settings.json"))),
    )
    .unwrap();
    let huge = "x".repeat(1 << 20);
    let calls = [
        ("delete_document", json!({"id": -1})),
        ("export_document", json!({"id": i64::MIN})),
        ("import_document", json!({"name": "n", "content": "x"})),
        (
            "import_document",
            json!({"name": huge.clone(), "content": "{"}),
        ),
        ("convert", json!({"session": huge.clone(), "to": "journey"})),
        ("template_texts", json!({"session": huge.clone()})),
        ("run_start", json!({"session": huge.clone()})),
        // The 1,000,000-case run's finds: ids and names quoted whole, or no place named.
        ("template_show", json!({"id": huge.clone()})),
        ("template_lint", json!({"id": huge.clone()})),
        ("sim_restart", json!({"sim": huge.clone()})),
        ("sim_send", json!({"sim": huge.clone(), "message": "hi"})),
        ("sim_stop", json!({"sim": huge.clone()})),
        ("sim_back", json!({"sim": huge.clone()})),
        (
            "sim_choose",
            json!({"sim": huge.clone(), "edge_id": huge.clone()}),
        ),
        (
            "sim_save_scenario",
            json!({"sim": huge.clone(), "name": huge.clone()}),
        ),
        (
            "sim_run_stream",
            json!({"remote": huge.clone(), "workflow": "w"}),
        ),
        (
            "template_instantiate",
            json!({"id": huge.clone(), "params": {}}),
        ),
        ("template_check", json!({"id": huge.clone(), "params": {}})),
        ("create_document", json!({"kind": "journey", "name": ""})),
        (
            "create_document",
            json!({"kind": "workflow", "name": huge.clone()}),
        ),
        ("import_document", json!({"content": "x"})),
        (
            "import_document",
            json!({"name": "n", "content": json!({"format": (0..5000).collect::<Vec<_>>()}).to_string()}),
        ),
    ];
    for (command, args) in calls {
        let err = dispatch(&state, command, args).expect_err(command);
        let message = err.to_string();
        assert!(
            error_problem(&message).is_none(),
            "{command}: {:?}: {}",
            error_problem(&message),
            &message[..message.len().min(300)]
        );
    }

    // A journey whose edge names a 64 KiB state that is not there, previewed.
    let mut journey: Value =
        common::read_json(&common::repo().join("fixtures/journeys/book-flight.json"));
    journey["edges"][5]["source"] = Value::String("y".repeat(1 << 16));
    let doc = Document::parse("book-flight.json", &journey.to_string()).unwrap();
    let Document::Journey(doc) = doc else {
        panic!("book-flight is a journey")
    };
    let err = journey_studio::simulate::journey::Session::new(&doc, Default::default())
        .map(|_| ())
        .expect_err("a dangling edge previewed");
    let message = err.to_string();
    assert!(
        error_problem(&message).is_none(),
        "{}",
        &message[..message.len().min(300)]
    );
    assert!(message.contains("edges[5].source"), "{message}");

    // A template parameter named by a 1 MiB string.
    let mut template: Value =
        common::read_json(&common::repo().join("fixtures/templates/faq-escalation@1.0.0.json"));
    template["parameters"][0]["name"] = Value::String(huge.clone());
    let library = journey_studio::template::Library::builtin().unwrap();
    if let Err(err) =
        Template::parse("faq-escalation@1.0.0.json", &template.to_string()).and_then(|t| {
            journey_studio::template::instantiate(&library, &t, &Default::default()).map(|_| ())
        })
    {
        let message = err.to_string();
        assert!(
            error_problem(&message).is_none(),
            "{:?}: {}",
            error_problem(&message),
            &message[..message.len().min(300)]
        );
    } else {
        panic!("a template whose parameter is renamed still instantiates")
    }

    // A scenario named by a 1 MiB string, whose turn forces a branch named by another.
    let mut scenarios: Value =
        common::read_json(&common::repo().join("fixtures/scenarios/refund-request.json"));
    scenarios["scenarios"][2]["turns"][0]["choose"] = Value::String(huge.clone());
    let journey = common::read_json(&common::repo().join("fixtures/journeys/refund-request.json"));
    let Document::Journey(journey) =
        Document::parse("refund-request.json", &journey.to_string()).unwrap()
    else {
        panic!("refund-request is a journey")
    };
    let forced = parse_scenarios("refund-request.json", &scenarios.to_string()).unwrap();
    scenarios["scenarios"][2]["name"] = Value::String(huge);
    let named = parse_scenarios("refund-request.json", &scenarios.to_string()).unwrap();
    for scenario in [&forced[2], &named[2]] {
        let err = journey_studio::simulate::scenario::run_journey(&journey, scenario)
            .map(drop)
            .expect_err("a branch named by 1 MiB is forced");
        let message = err.to_string();
        assert!(
            error_problem(&message).is_none(),
            "{:?}: {}",
            error_problem(&message),
            &message[..message.len().min(300)]
        );
    }
}
