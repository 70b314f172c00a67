//! Golden conversations: a workspace's scenarios run all at once (the app's run-all and
//! `journey-studio simulate --all` share `app::scenarios`), the first failed expectation named,
//! and the JUnit XML a CI system reads.

mod common;

use journey_studio::app::scenarios::{self, SuiteOutcome};
use journey_studio::store::Store;
use journey_studio::Document;
use quick_xml::events::Event as XmlEvent;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(common::repo().join(rel)).unwrap()
}

/// The first scenario of book-flight's fixture (it passes), under another name.
fn passing() -> Value {
    let all: Value = serde_json::from_str(&fixture("fixtures/scenarios/book-flight.json")).unwrap();
    let mut s = all["scenarios"][0].clone();
    s["mocks"] = all["mocks"].clone();
    s.as_object_mut().unwrap().remove("name");
    s
}

/// A workspace with book-flight and three scenarios: one passes, one misses a message (and
/// then a final state), one cannot be read.
fn workspace(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("w.db");
    let mut store = Store::open(&file).unwrap();
    let doc = Document::parse(
        "book-flight",
        &fixture("fixtures/journeys/book-flight.json"),
    )
    .unwrap();
    store.save("book-flight", &doc, "import").unwrap();
    store
        .save_scenario("book-flight", "books Lisbon", &passing())
        .unwrap();
    let mut failing = passing();
    failing["expect"]["messages_contain"] = json!(["a refund <now> & \"later\""]);
    failing["expect"]["final_state"] = json!("ask-destination");
    store
        .save_scenario("book-flight", "promises a refund", &failing)
        .unwrap();
    store
        .save_scenario("book-flight", "broken", &json!({"turns": 3}))
        .unwrap();
    file
}

fn case<'a>(suite: &'a SuiteOutcome, name: &str) -> &'a scenarios::CaseOutcome {
    suite.cases.iter().find(|c| c.name == name).unwrap()
}

#[test]
fn run_all_names_the_first_failed_expectation() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&workspace(dir.path())).unwrap();
    let suites = scenarios::run_workspace(&store).unwrap();
    assert_eq!(suites.len(), 1);
    let suite = &suites[0];
    assert_eq!(suite.name, "book-flight");
    assert_eq!(suite.cases.len(), 3);
    assert_eq!(suite.failed(), 2);
    let ok = case(suite, "books Lisbon");
    assert!(ok.passed, "{:?}", ok.failures);
    assert_eq!(ok.path.last().map(String::as_str), Some("end"));
    let bad = case(suite, "promises a refund");
    assert!(!bad.passed);
    assert_eq!(
        bad.first_failure(),
        Some("messages: no agent message contains `a refund <now> & \"later\"`")
    );
    assert_eq!(bad.failures.len(), 2, "{:?}", bad.failures);
    assert!(
        bad.failures[1].contains("final state"),
        "{:?}",
        bad.failures
    );
    let broken = case(suite, "broken");
    assert!(!broken.passed);
    assert!(
        broken.failures[0].contains("scenario `broken` is not a scenario"),
        "{:?}",
        broken.failures
    );

    // One scenario by name; an unknown name is an error naming the document.
    let doc = store
        .head("book-flight")
        .unwrap()
        .document("book-flight")
        .unwrap();
    let one = scenarios::run_stored(&store, "book-flight", &doc, Some("books Lisbon")).unwrap();
    assert_eq!(one.cases.len(), 1);
    let err = scenarios::run_stored(&store, "book-flight", &doc, Some("nope")).unwrap_err();
    assert!(
        err.to_string()
            .contains("`book-flight` has no scenario named `nope`"),
        "{err}"
    );

    // Editing the expectations makes the failing one pass.
    let mut expect = scenarios::summaries(&store, "book-flight")
        .unwrap()
        .into_iter()
        .find(|s| s.name == "promises a refund")
        .unwrap()
        .expect;
    expect.messages_contain = vec!["booking reference".into()];
    expect.final_state = Some("end".into());
    scenarios::set_expectations(&store, "book-flight", "promises a refund", expect).unwrap();
    let again =
        scenarios::run_stored(&store, "book-flight", &doc, Some("promises a refund")).unwrap();
    assert!(again.cases[0].passed, "{:?}", again.cases[0].failures);
}

/// An element of the XML with its attributes (unescaped) and depth.
#[derive(Debug)]
struct Element {
    name: String,
    depth: usize,
    attrs: Vec<(String, String)>,
    text: String,
}

impl Element {
    fn attr(&self, key: &str) -> &str {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{} has no {key}", self.name))
    }
}

fn parse_xml(xml: &str) -> Vec<Element> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out: Vec<Element> = Vec::new();
    let mut depth = 0;
    let mut open: Vec<usize> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            XmlEvent::Start(e) => {
                out.push(element(&e, depth));
                open.push(out.len() - 1);
                depth += 1;
            }
            XmlEvent::Empty(e) => out.push(element(&e, depth)),
            XmlEvent::End(_) => {
                open.pop();
                depth -= 1;
            }
            XmlEvent::Text(t) => {
                if let Some(&i) = open.last() {
                    out[i]
                        .text
                        .push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0));
                }
            }
            XmlEvent::GeneralRef(r) => {
                if let Some(&i) = open.last() {
                    let name = r.as_ref().to_string();
                    let c = match name.as_str() {
                        "amp" => "&".to_string(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        "#10" => "\n".into(),
                        other => panic!("unexpected reference {other}"),
                    };
                    out[i].text.push_str(&c);
                }
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    out
}

fn element(e: &quick_xml::events::BytesStart, depth: usize) -> Element {
    Element {
        name: e.name().as_ref().to_string(),
        depth,
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    a.key.as_ref().to_string(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect(),
        text: String::new(),
    }
}

fn simulate_all(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .arg("simulate")
        .arg("--all")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn simulate_all_on_a_workspace_exits_1_and_writes_junit() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let junit = dir.path().join("out.xml");
    let (code, out, err) =
        simulate_all(&[ws.to_str().unwrap(), "--junit", junit.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("FAIL promises a refund"), "{out}");
    assert!(
        out.contains("3 scenario(s) in 1 suite(s), 1 passed, 2 failed"),
        "{out}"
    );

    let xml = std::fs::read_to_string(&junit).unwrap();
    let elements = parse_xml(&xml);
    let root = &elements[0];
    assert_eq!((root.name.as_str(), root.depth), ("testsuites", 0));
    assert_eq!(root.attr("tests"), "3");
    assert_eq!(root.attr("failures"), "2");
    let suites: Vec<_> = elements.iter().filter(|e| e.name == "testsuite").collect();
    assert_eq!(suites.len(), 1);
    assert_eq!(suites[0].attr("name"), "book-flight");
    assert_eq!(suites[0].depth, 1);
    let cases: Vec<_> = elements.iter().filter(|e| e.name == "testcase").collect();
    assert_eq!(cases.len(), 3);
    assert!(cases
        .iter()
        .all(|c| c.depth == 2 && c.attr("classname") == "book-flight"));
    let failures: Vec<_> = elements.iter().filter(|e| e.name == "failure").collect();
    assert_eq!(failures.len(), 2);
    let refund = failures
        .iter()
        .find(|f| f.attr("message").contains("refund"))
        .unwrap();
    assert_eq!(
        refund.attr("message"),
        "messages: no agent message contains `a refund <now> & \"later\"`",
        "the message comes back exactly once unescaped"
    );
    assert!(
        refund
            .text
            .contains("\nfinal state: expected `ask-destination`"),
        "{:?}",
        refund.text
    );

    // JSON output carries the same outcome.
    let (code, out, _) = simulate_all(&[ws.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    let body: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(body["passed"], json!(false));
    assert_eq!(body["suites"][0]["cases"].as_array().unwrap().len(), 3);
}

#[test]
fn simulate_all_on_a_folder_runs_every_scenario_file() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("cases");
    std::fs::create_dir_all(folder.join("nested")).unwrap();
    std::fs::copy(
        common::repo().join("fixtures/journeys/book-flight.json"),
        folder.join("book-flight.journey.json"),
    )
    .unwrap();
    std::fs::write(
        folder.join("book-flight.scenarios.json"),
        json!({"workflow": "book-flight.journey.json", "scenarios": [
            {"name": "books", "mocks": passing()["mocks"], "turns": passing()["turns"], "expect": passing()["expect"]}
        ]})
        .to_string(),
    )
    .unwrap();
    std::fs::copy(
        common::repo().join("fixtures/sim/refund-router.json"),
        folder.join("nested/refund-router.workflow.json"),
    )
    .unwrap();
    let mut sim: Value =
        serde_json::from_str(&fixture("fixtures/scenarios/sim/refund-router.json")).unwrap();
    sim["workflow"] = json!("refund-router.workflow.json");
    std::fs::write(
        folder.join("nested/refund-router.scenarios.json"),
        sim.to_string(),
    )
    .unwrap();
    let junit = dir.path().join("folder.xml");

    let (code, out, err) =
        simulate_all(&[folder.to_str().unwrap(), "--junit", junit.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let elements = parse_xml(&std::fs::read_to_string(&junit).unwrap());
    let names: Vec<_> = elements
        .iter()
        .filter(|e| e.name == "testsuite")
        .map(|e| e.attr("name").to_string())
        .collect();
    assert_eq!(
        names,
        [
            "book-flight.scenarios.json",
            "nested/refund-router.scenarios.json"
        ]
    );
    assert!(elements.iter().all(|e| e.name != "failure"));

    // A scenario file that names no document fails, saying what to add.
    std::fs::write(
        folder.join("orphan.json"),
        r#"{"turns": ["hi"], "expect": {}}"#,
    )
    .unwrap();
    let (code, out, _) = simulate_all(&[folder.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("orphan.json names no document"), "{out}");

    let (code, _, err) = simulate_all(&[dir.path().join("missing").to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no such workspace file or folder"), "{err}");
}
