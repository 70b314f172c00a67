//! Golden conversations: the scenarios kept with a workspace's documents (or in scenario files
//! of a folder), run one or all with the first failed expectation named, and written as JUnit
//! XML for CI systems. The app's Scenarios panel and `journey-studio simulate --all` both run
//! them through `run_suite`, so the app and CI judge a scenario the same way.

use crate::document::Document;
use crate::error::{Error, Result};
use crate::simulate::scenario::{self, Expectations, Scenario, Step, Turn};
use crate::store::Store;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Instant;
use ts_rs::TS;

/// A scenario kept with a document, as the Scenarios panel lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ScenarioSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// The turns as one line each (`customer: …`, `choose edge …`, `back`, `restart`).
    pub turns: Vec<String>,
    pub expect: Expectations,
    /// Why the stored scenario cannot be read (it then fails when run).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// One scenario's run: passed or the expectations it missed, first one first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseOutcome {
    pub name: String,
    pub passed: bool,
    /// Every missed expectation (or the error that stopped the run), in the order checked.
    pub failures: Vec<String>,
    /// The states / blocks visited.
    pub path: Vec<String>,
    /// The agent's messages (journeys).
    pub messages: Vec<String>,
    #[ts(type = "number")]
    pub time_ms: u64,
}

impl CaseOutcome {
    /// The first failed expectation, if any.
    pub fn first_failure(&self) -> Option<&str> {
        self.failures.first().map(String::as_str)
    }
}

/// The scenarios of one document, run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SuiteOutcome {
    /// The document's name (workspace) or the scenario file (folder).
    pub name: String,
    pub cases: Vec<CaseOutcome>,
}

impl SuiteOutcome {
    pub fn failed(&self) -> usize {
        self.cases.iter().filter(|c| !c.passed).count()
    }
}

/// A stored scenario's content as a scenario. Scenarios saved before they had the scenario
/// format (`{mocks, transcript, path}` from the chat preview) read as their customer turns
/// with the path they took as the expectation.
pub fn parse_stored(name: &str, content: &Value) -> Result<Scenario> {
    let at = format!("scenario `{name}`");
    let mut scenario: Scenario = if content.get("transcript").is_some() {
        let turns = content["transcript"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t.get("role").and_then(Value::as_str) == Some("customer"))
            .filter_map(|t| t.get("text").and_then(Value::as_str))
            .map(|t| Turn::Text(t.to_string()))
            .collect();
        let mocks = match content.get("mocks") {
            None | Some(Value::Null) => Default::default(),
            Some(m) => serde_json::from_value(m.clone())
                .map_err(|e| Error::Simulation(format!("{at}: mocks: {e}")))?,
        };
        let path = serde_json::from_value(content.get("path").cloned().unwrap_or(Value::Null))
            .unwrap_or(None);
        Scenario {
            mocks,
            turns,
            expect: Expectations {
                path,
                ..Default::default()
            },
            ..Default::default()
        }
    } else {
        serde_json::from_value(content.clone()).map_err(|e| {
            Error::Simulation(format!(
                "{at} is not a scenario: {}",
                crate::json::serde_message(&e)
            ))
        })?
    };
    scenario.name = name.to_string();
    Ok(scenario)
}

/// One line per turn, for lists.
pub fn describe_turn(turn: &Turn) -> String {
    match turn {
        Turn::Text(t) | Turn::Step(Step::Customer(t)) => format!("customer: {t}"),
        Turn::Step(Step::Choose(edge)) => format!("choose edge {edge}"),
        Turn::Step(Step::Back(_)) => "back".into(),
        Turn::Step(Step::Restart(_)) => "restart".into(),
        Turn::Step(Step::Resume(r)) => format!("resume {} with {}", r.pause, r.input),
    }
}

/// The scenarios stored with `document`, each parsed (or the reason it cannot be).
pub fn stored(store: &Store, document: &str) -> Result<Vec<(i64, String, Result<Scenario>)>> {
    Ok(store
        .scenarios(document)?
        .into_iter()
        .map(|s| {
            let parsed = parse_stored(&s.name, &s.content);
            (s.id, s.name, parsed)
        })
        .collect())
}

/// The panel's list of `document`'s scenarios.
pub fn summaries(store: &Store, document: &str) -> Result<Vec<ScenarioSummary>> {
    Ok(stored(store, document)?
        .into_iter()
        .map(|(id, name, parsed)| match parsed {
            Ok(s) => ScenarioSummary {
                id,
                name,
                turns: s.turns.iter().map(describe_turn).collect(),
                expect: s.expect,
                problem: None,
            },
            Err(e) => ScenarioSummary {
                id,
                name,
                turns: Vec::new(),
                expect: Expectations::default(),
                problem: Some(e.to_string()),
            },
        })
        .collect())
}

/// Runs one scenario on `doc`; an error that stops the run is its failure.
pub fn run_case(doc: &Document, scenario: &Scenario) -> CaseOutcome {
    let started = Instant::now();
    let result = match doc {
        Document::Journey(j) => scenario::run_journey(j, scenario),
        Document::Sim(w) => scenario::run_workflow(w.state(), scenario),
    };
    let time_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(r) => CaseOutcome {
            name: r.name,
            passed: r.passed,
            failures: r.failures,
            path: r.path,
            messages: r.messages,
            time_ms,
        },
        Err(e) => failed_case(&scenario.name, e.to_string(), time_ms),
    }
}

fn failed_case(name: &str, why: String, time_ms: u64) -> CaseOutcome {
    CaseOutcome {
        name: name.to_string(),
        passed: false,
        failures: vec![why],
        path: Vec::new(),
        messages: Vec::new(),
        time_ms,
    }
}

/// Runs scenarios on `doc` (an unreadable one fails with its reason) as the suite `name`.
pub fn run_suite(
    name: &str,
    doc: &Document,
    scenarios: Vec<(String, Result<Scenario>)>,
) -> SuiteOutcome {
    let cases = scenarios
        .into_iter()
        .map(|(case, parsed)| match parsed {
            Ok(s) => run_case(doc, &s),
            Err(e) => failed_case(&case, e.to_string(), 0),
        })
        .collect();
    SuiteOutcome {
        name: name.to_string(),
        cases,
    }
}

/// Runs `document`'s stored scenarios (all, or the one named `only`) on `doc`: the document as
/// stored (CLI) or as open in the editor (app).
pub fn run_stored(
    store: &Store,
    document: &str,
    doc: &Document,
    only: Option<&str>,
) -> Result<SuiteOutcome> {
    let scenarios: Vec<_> = stored(store, document)?
        .into_iter()
        .filter(|(_, name, _)| only.is_none_or(|o| o == name))
        .map(|(_, name, parsed)| (name, parsed))
        .collect();
    if let Some(only) = only {
        if scenarios.is_empty() {
            return Err(Error::NotFound(format!(
                "document `{document}` has no scenario named `{only}`"
            )));
        }
    }
    Ok(run_suite(document, doc, scenarios))
}

/// Every stored scenario of every document of the workspace, on each document's head.
pub fn run_workspace(store: &Store) -> Result<Vec<SuiteOutcome>> {
    let mut suites = Vec::new();
    for info in store.documents()? {
        if store.scenarios(&info.name)?.is_empty() {
            continue;
        }
        let doc = store.head(&info.name)?.document(&info.name)?;
        suites.push(run_stored(store, &info.name, &doc, None)?);
    }
    Ok(suites)
}

/// Every scenario file under `dir` (recursively, `*.json` with `scenarios`, `turns` or
/// `expect` at the top), each run on the document its `workflow` names (a journey or a Sim
/// workflow, relative to the file). A file that names no document, or whose document cannot be
/// read, is one failed case saying so.
pub fn run_folder(dir: &Path) -> Result<Vec<SuiteOutcome>> {
    let mut files = Vec::new();
    collect_json(dir, &mut files)?;
    files.sort();
    let mut suites = Vec::new();
    for file in files {
        let shown = file
            .strip_prefix(dir)
            .unwrap_or(&file)
            .display()
            .to_string()
            .replace('\\', "/");
        let Ok(probe) = crate::json::read_text(&file)
            .and_then(|t| crate::json::from_str_located::<Value>(&shown, &t))
        else {
            continue;
        };
        let is_scenarios = probe.is_object()
            && ["scenarios", "turns", "expect"]
                .iter()
                .any(|k| probe.get(*k).is_some());
        if !is_scenarios {
            continue;
        }
        let suite = match scenario::load_scenarios(&file) {
            Err(e) => SuiteOutcome {
                name: shown.clone(),
                cases: vec![failed_case(&shown, e.to_string(), 0)],
            },
            Ok(set) => match &set.workflow {
                None => SuiteOutcome {
                    name: shown.clone(),
                    cases: vec![failed_case(
                        &shown,
                        format!("{shown} names no document: add `\"workflow\": \"<journey or workflow file>\"` (relative to it)"),
                        0,
                    )],
                },
                Some(target) => match Document::load(target) {
                    Err(e) => SuiteOutcome {
                        name: shown.clone(),
                        cases: vec![failed_case(&shown, format!("{shown}: its document: {e}"), 0)],
                    },
                    Ok(doc) => run_suite(
                        &shown,
                        &doc,
                        set.scenarios
                            .into_iter()
                            .map(|s| (s.name.clone(), Ok(s)))
                            .collect(),
                    ),
                },
            },
        };
        suites.push(suite);
    }
    Ok(suites)
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let read_err = |source| Error::Read {
        file: dir.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        if path.is_dir() {
            collect_json(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// Runs every scenario of a workspace file or of the scenario files in a folder.
pub fn run_all(target: &Path) -> Result<Vec<SuiteOutcome>> {
    if target.is_dir() {
        run_folder(target)
    } else if target.is_file() {
        run_workspace(&Store::open(target)?)
    } else {
        Err(Error::NotFound(format!(
            "{}: no such workspace file or folder",
            target.display()
        )))
    }
}

/// Saves `scenario` as `name` of `document` (replacing one of that name).
pub fn save(store: &Store, document: &str, name: &str, scenario: &Scenario) -> Result<i64> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Unsupported("a scenario needs a name".into()));
    }
    let mut scenario = scenario.clone();
    scenario.name = String::new();
    let content = serde_json::to_value(&scenario)
        .map_err(|e| Error::Simulation(format!("scenario `{name}`: {e}")))?;
    store.save_scenario(document, name, &content)
}

/// Replaces the expectations of `document`'s scenario `name` (its turns and mocks stay).
pub fn set_expectations(
    store: &Store,
    document: &str,
    name: &str,
    expect: Expectations,
) -> Result<i64> {
    let (_, _, parsed) = stored(store, document)?
        .into_iter()
        .find(|(_, n, _)| n == name)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "document `{document}` has no scenario named `{name}`"
            ))
        })?;
    let mut scenario = parsed?;
    scenario.expect = expect;
    save(store, document, name, &scenario)
}

fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            // XML 1.0 has no way to write the other control characters.
            c if (c as u32) < 0x20 => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The suites as JUnit XML (`testsuites` / `testsuite` / `testcase` / `failure`), which CI
/// systems read: the failure's `message` is the first failed expectation, its text all of them.
pub fn junit_xml(suites: &[SuiteOutcome]) -> String {
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failed: usize = suites.iter().map(SuiteOutcome::failed).sum();
    let secs = |ms: u64| format!("{:.3}", ms as f64 / 1000.0);
    let total_ms: u64 = suites
        .iter()
        .flat_map(|s| &s.cases)
        .map(|c| c.time_ms)
        .sum();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuites name=\"journey-studio scenarios\" tests=\"{total}\" failures=\"{failed}\" errors=\"0\" time=\"{}\">\n",
        secs(total_ms)
    ));
    for suite in suites {
        let ms: u64 = suite.cases.iter().map(|c| c.time_ms).sum();
        xml.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{}\">\n",
            escape_xml(&suite.name),
            suite.cases.len(),
            suite.failed(),
            secs(ms)
        ));
        for case in &suite.cases {
            let open = format!(
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"",
                escape_xml(&suite.name),
                escape_xml(&case.name),
                secs(case.time_ms)
            );
            match case.first_failure() {
                None => xml.push_str(&format!("{open}/>\n")),
                Some(first) => {
                    xml.push_str(&format!("{open}>\n"));
                    xml.push_str(&format!(
                        "      <failure message=\"{}\" type=\"expectation\">{}</failure>\n",
                        escape_xml(first),
                        escape_xml(&case.failures.join("\n"))
                    ));
                    xml.push_str("    </testcase>\n");
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junit_escapes_what_xml_reserves() {
        let suites = vec![SuiteOutcome {
            name: "a<b>&\"c\"".into(),
            cases: vec![failed_case("it's", "got `<x>` & \u{1}".into(), 5)],
        }];
        let xml = junit_xml(&suites);
        assert!(
            xml.contains("name=\"a&lt;b&gt;&amp;&quot;c&quot;\""),
            "{xml}"
        );
        assert!(xml.contains("name=\"it&apos;s\""), "{xml}");
        assert!(
            xml.contains("message=\"got `&lt;x&gt;` &amp; \u{FFFD}\""),
            "{xml}"
        );
        assert!(xml.contains("tests=\"1\" failures=\"1\""), "{xml}");
    }

    #[test]
    fn legacy_preview_scenarios_read_as_turns_and_path() {
        let content = serde_json::json!({
            "mocks": null,
            "transcript": [{"role": "agent", "text": "hi"}, {"role": "customer", "text": "yes"}],
            "path": ["root", "a"]
        });
        let s = parse_stored("old", &content).unwrap();
        assert_eq!(s.turns, vec![Turn::Text("yes".into())]);
        assert_eq!(s.expect.path, Some(vec!["root".into(), "a".into()]));
        let err = parse_stored("bad", &serde_json::json!({"turns": 3})).unwrap_err();
        assert!(err.to_string().contains("scenario `bad`"), "{err}");
    }
}
