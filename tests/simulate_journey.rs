//! The journey preview: fixture scenarios, the step API, snapshots, and hostile input.

mod common;

use journey_studio::parlant::JourneyDocument;
use journey_studio::simulate::journey::{Event, Session, Snapshot};
use journey_studio::simulate::scenario::{parse_scenarios, run_journey, run_workflow};
use journey_studio::simulate::Mocks;
use journey_studio::Document;
use serde_json::json;

fn journey(name: &str) -> JourneyDocument {
    match Document::load(&common::repo().join("fixtures/journeys").join(name)).unwrap() {
        Document::Journey(j) => j,
        _ => panic!("{name} is not a journey"),
    }
}

#[test]
fn every_fixture_journey_has_scenarios_and_they_pass() {
    for path in common::fixtures("journeys") {
        let name = path.file_name().unwrap().to_str().unwrap();
        let scenario_path = common::repo().join("fixtures/scenarios").join(name);
        let text = std::fs::read_to_string(&scenario_path)
            .unwrap_or_else(|_| panic!("no scenarios for {name} in fixtures/scenarios"));
        let scenarios = parse_scenarios(&scenario_path.display().to_string(), &text).unwrap();
        assert!(!scenarios.is_empty());
        let doc = journey(name);
        for s in &scenarios {
            let result = run_journey(&doc, s).unwrap();
            assert!(
                result.passed,
                "{name} / {}: {:#?}\npath: {:?}",
                s.name, result.failures, result.path
            );
        }
    }
}

#[test]
fn fixture_workflow_scenarios_pass() {
    for path in common::fixtures("scenarios/sim") {
        let name = path.file_name().unwrap().to_str().unwrap();
        let Document::Sim(doc) =
            Document::load(&common::repo().join("fixtures/sim").join(name)).unwrap()
        else {
            panic!()
        };
        let scenarios = parse_scenarios(name, &std::fs::read_to_string(&path).unwrap()).unwrap();
        for s in &scenarios {
            let result = run_workflow(doc.state(), s).unwrap();
            assert!(result.passed, "{name} / {}: {:#?}", s.name, result.failures);
        }
    }
}

#[test]
fn a_failed_expectation_is_reported_not_hidden() {
    let doc = journey("refund-request.json");
    let text = json!({"turns": ["SW-1"], "expect": {"path": ["start", "ask-email"], "messages_contain": ["no such text"], "final_state": "end"}}).to_string();
    let s = &parse_scenarios("inline", &text).unwrap()[0];
    let result = run_journey(&doc, s).unwrap();
    assert!(!result.passed);
    assert_eq!(result.failures.len(), 3, "{:#?}", result.failures);
    assert!(
        result.failures[0].contains("first difference at step 2"),
        "{}",
        result.failures[0]
    );
}

#[test]
fn steps_explain_transitions_and_snapshots_survive_json() {
    let doc = journey("refund-request.json");
    let mut session = Session::new(&doc, Mocks::default()).unwrap();
    let events = session.start().unwrap();
    assert!(
        matches!(&events[..], [Event::Matcher { .. }, Event::Transition { edge, .. }, Event::AgentMessage { state, canned: true, .. }] if edge == "t1" && state == "ask-order"),
        "{events:#?}"
    );

    let events = session.send("I can't find my order number").unwrap();
    let Some(Event::Transition {
        edge,
        score,
        reason,
        candidates,
        ..
    }) = events
        .iter()
        .find(|e| matches!(e, Event::Transition { .. }))
    else {
        panic!("{events:#?}")
    };
    assert_eq!(edge, "t3");
    assert!(
        *score >= 0.5 && reason.contains("matched"),
        "{score} {reason}"
    );
    assert_eq!(
        candidates.len(),
        2,
        "both edges are shown with their scores"
    );

    // The UI holds the state as JSON between calls.
    let text = serde_json::to_string(&session.snapshot()).unwrap();
    let mut other = Session::new(&doc, Mocks::default()).unwrap();
    other
        .restore(serde_json::from_str::<Snapshot>(&text).unwrap())
        .unwrap();
    assert_eq!(other.current(), Some("ask-email"));
    let a = session.send("dana@example.com").unwrap();
    let b = other.send("dana@example.com").unwrap();
    assert_eq!(
        a, b,
        "a restored session continues exactly like the original"
    );

    assert!(other.back());
    assert_eq!(other.current(), Some("ask-email"));
    assert!(other.back());
    assert_eq!(other.current(), Some("ask-order"));
}

#[test]
fn no_match_waits_and_ties_are_reported() {
    let mut doc = journey("refund-request.json");
    let mut session = Session::new(&doc, Mocks::default()).unwrap();
    session.start().unwrap();
    let events = session.send("hmm").unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::NoMatch { state, .. } if state == "ask-order")),
        "{events:#?}"
    );
    // Parlant's pace: the step is not complete, so the agent asks again.
    assert!(
        matches!(events.last(), Some(Event::AgentMessage { state, .. }) if state == "ask-order"),
        "{events:#?}"
    );
    assert_eq!(session.current(), Some("ask-order"));

    // Two edges with the same condition tie; the first in document order wins, and it is said.
    for e in doc
        .edges
        .iter_mut()
        .filter(|e| e.id == "t2" || e.id == "t3")
    {
        e.condition =
            journey_studio::json::Maybe::Value("The customer provided an order number".into());
    }
    let mut session = Session::new(&doc, Mocks::default()).unwrap();
    session.start().unwrap();
    let events = session.send("SW-20931").unwrap();
    let tie = events.iter().find_map(|e| match e {
        Event::Tie { edges, chosen, .. } => Some((edges.clone(), chosen.clone())),
        _ => None,
    });
    assert_eq!(
        tie,
        Some((vec!["t2".to_string(), "t3".to_string()], "t2".to_string()))
    );
}

#[test]
fn misuse_and_hostile_snapshots_are_clear_errors() {
    let doc = journey("faq-escalation.json");
    let mut session = Session::new(&doc, Mocks::default()).unwrap();
    assert!(session
        .send("hi")
        .unwrap_err()
        .to_string()
        .contains("has not started"));
    session.start().unwrap();
    let err = session.choose("nope").unwrap_err().to_string();
    assert!(
        err.contains("does not leave state `answer`") && err.contains("f2"),
        "{err}"
    );
    let mut bad = session.snapshot();
    bad.position.current = Some("ghost".into());
    let err = session.restore(bad).unwrap_err().to_string();
    assert!(err.contains("ghost"), "{err}");
    assert_eq!(
        session.current(),
        Some("answer"),
        "a refused restore changes nothing"
    );
    session.choose("f2").unwrap();
    session.choose("f3").unwrap();
    assert!(session.ended());
    // At Parlant's pace a message after the end may resume the journey; this one does not.
    let events = session.send("more").unwrap();
    assert!(
        matches!(
            events.last(),
            Some(Event::Pacing {
                decision: journey_studio::simulate::Pace::Exited,
                ..
            })
        ),
        "{events:#?}"
    );
    assert!(session.ended());
    // Without it, the ended journey refuses messages.
    let plain = journey_studio::simulate::SessionOptions {
        parlant_pace: false,
        ..Default::default()
    };
    let mut session = Session::with_options(&doc, Mocks::default(), plain).unwrap();
    session.start().unwrap();
    session.choose("f2").unwrap();
    session.choose("f3").unwrap();
    assert!(session
        .send("more")
        .unwrap_err()
        .to_string()
        .contains("ended"));
}

#[test]
fn a_cycle_of_states_that_never_wait_is_stopped() {
    let text = json!({
        "format": "parlant-journey", "version": 1,
        "journey": {"title": "loop", "description": "", "conditions": [], "root_id": "root"},
        "nodes": [
            {"id": "root"},
            {"id": "t1", "tools": [{"service_name": "s", "tool_name": "a"}], "metadata": {"journey_node": {"kind": "tool"}}},
            {"id": "t2", "tools": [{"service_name": "s", "tool_name": "b"}], "metadata": {"journey_node": {"kind": "tool"}}}
        ],
        "edges": [{"id": "e0", "source": "root", "target": "t1"}, {"id": "e1", "source": "t1", "target": "t2"}, {"id": "e2", "source": "t2", "target": "t1"}]
    })
    .to_string();
    let Document::Journey(doc) = Document::parse("loop.json", &text).unwrap() else {
        panic!()
    };
    // At Parlant's pace the tool rounds stop after 3 (max_engine_iterations) ...
    let mut session = Session::new(&doc, Mocks::default()).unwrap();
    let events = session.start().unwrap();
    assert!(
        matches!(
            events.last(),
            Some(Event::Pacing {
                decision: journey_studio::simulate::Pace::Paused,
                ..
            })
        ),
        "{events:#?}"
    );
    // ... and as a plain state machine the endless cycle is an error.
    let plain = journey_studio::simulate::SessionOptions {
        parlant_pace: false,
        ..Default::default()
    };
    let mut session = Session::with_options(&doc, Mocks::default(), plain).unwrap();
    let err = session.start().unwrap_err().to_string();
    assert!(err.contains("keeps moving without waiting"), "{err}");
}

#[test]
fn bad_scenarios_name_where_they_are_wrong() {
    let err = parse_scenarios("s.json", r#"{"scenarios": [{"turns": [{"shout": "x"}]}]}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("s.json") && err.contains("scenarios[0]"),
        "{err}"
    );
    let err = parse_scenarios("s.json", r#"{"expect": {"pathh": []}}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("pathh"), "{err}");
}
