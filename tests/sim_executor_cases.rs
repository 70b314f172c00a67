//! Sim v0.8.9's own executor tests and source, ported case by case
//! (`fixtures/scenarios/sim-executor/`): each `<case>.json` scenarios file names its workflow
//! (`<case>.workflow.json`) and every scenario names the Sim test or source lines it comes from.
//! This runs every case and reports each one that fails.

use journey_studio::simulate::scenario::{load_scenarios, run_workflow};
use journey_studio::Document;
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/sim-executor")
}

#[test]
fn every_ported_sim_executor_case_runs_as_sim_does() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("fixtures/scenarios/sim-executor")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p.to_string_lossy().ends_with(".workflow.json")
        })
        .collect();
    files.sort();
    let mut total = 0;
    let mut failed: Vec<String> = Vec::new();
    for file in &files {
        let shown = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let set = match load_scenarios(file) {
            Ok(set) => set,
            Err(e) => {
                failed.push(format!("{shown}: cannot load: {e}"));
                continue;
            }
        };
        let workflow = set
            .workflow
            .clone()
            .unwrap_or_else(|| panic!("{shown} names no `workflow`"));
        let doc = Document::load(&workflow).unwrap_or_else(|e| panic!("{shown}: {e}"));
        let Document::Sim(sim) = doc else {
            panic!("{shown}: the workflow is not a Sim workflow")
        };
        for scenario in &set.scenarios {
            total += 1;
            assert!(
                scenario
                    .source
                    .as_deref()
                    .is_some_and(|s| s.contains("sim v0.8.9")),
                "{shown} › {}: every case names its Sim source",
                scenario.name
            );
            match run_workflow(sim.state(), scenario) {
                Ok(result) if result.passed => {}
                Ok(result) => failed.push(format!(
                    "{shown} › {}:\n      {}",
                    scenario.name,
                    result.failures.join("\n      ")
                )),
                Err(e) => failed.push(format!("{shown} › {}: {e}", scenario.name)),
            }
        }
    }
    eprintln!(
        "{total} Sim executor cases from {} files, {} failed",
        files.len(),
        failed.len()
    );
    assert!(total >= 100, "at least 100 ported cases, found {total}");
    assert!(
        failed.is_empty(),
        "{} of {total} ported Sim cases failed:\n  {}",
        failed.len(),
        failed.join("\n  ")
    );
}

/// The cases cover every area the port promises.
#[test]
fn the_ported_cases_cover_every_area() {
    let names: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && !n.ends_with(".workflow.json"))
        .collect();
    for area in [
        "dispatch-",
        "condition-",
        "router-v2-",
        "router-legacy-",
        "join-",
        "error-",
        "disabled-",
        "loop-for-",
        "loop-for-each-",
        "loop-while",
        "loop-do-while",
        "parallel-count",
        "parallel-collection",
        "parallel-nested",
        "dispatch-terminal-response",
        "variables-",
        "hitl-",
        "wait-",
        "workflow-block-",
        "loop-ends-the-workflow",
        "parallel-ends-the-workflow",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(area)),
            "no case for `{area}`"
        );
    }
}
