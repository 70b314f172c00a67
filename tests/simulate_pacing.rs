//! Issue 15: the journey preview walks at Parlant 3.3.2's pace. fixtures/scenarios/pacing/ has a
//! scenario per rule, each naming the Parlant source it follows; several journeys in one
//! conversation; and hostile snapshots (issue 17).

mod common;

use journey_studio::parlant::JourneyDocument;
use journey_studio::simulate::conversation::Conversation;
use journey_studio::simulate::journey::{Event, Session, SessionOptions};
use journey_studio::simulate::scenario::{parse_scenarios, run_journey};
use journey_studio::simulate::{Mocks, Pace};
use journey_studio::Document;

fn journey_at(path: &std::path::Path) -> JourneyDocument {
    match Document::load(path).unwrap() {
        Document::Journey(j) => j,
        _ => panic!("{} is not a journey", path.display()),
    }
}

fn journey(name: &str) -> JourneyDocument {
    journey_at(&common::repo().join("fixtures/journeys").join(name))
}

#[test]
fn every_pacing_scenario_passes_and_names_its_parlant_source() {
    let dir = common::repo().join("fixtures/scenarios/pacing");
    let mut rules = std::collections::BTreeSet::new();
    for path in common::fixtures("scenarios/pacing") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".journey.json") {
            continue;
        }
        let stem = name.trim_end_matches(".json");
        let own = dir.join(format!("{stem}.journey.json"));
        let doc = if own.exists() {
            journey_at(&own)
        } else {
            journey(&name)
        };
        let scenarios = parse_scenarios(
            &path.display().to_string(),
            &std::fs::read_to_string(&path).unwrap(),
        )
        .unwrap();
        for s in &scenarios {
            let source = s.description.as_deref().unwrap_or("");
            assert!(
                source.contains("Parlant 3.3.2") && source.contains(".py"),
                "{name} / {}: name the Parlant source",
                s.name
            );
            let result =
                run_journey(&doc, s).unwrap_or_else(|e| panic!("{name} / {}: {e}", s.name));
            assert!(
                result.passed,
                "{name} / {}: {:#?}\npath: {}\nevents: {:#?}",
                s.name,
                result.failures,
                result.path.join(" -> "),
                result.steps
            );
            rules.extend(s.expect.pacing.iter().cloned());
        }
    }
    for rule in [
        "stayed",
        "skipped",
        "went_back",
        "exited",
        "resumed",
        "last_step",
        "paused",
        "activated",
        "not_activated",
    ] {
        assert!(rules.contains(rule), "no pacing scenario expects `{rule}`");
    }
}

fn pacing(events: &[Event]) -> Vec<Pace> {
    events
        .iter()
        .filter_map(|e| {
            if let Event::Pacing { decision, .. } = e {
                Some(*decision)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn several_journeys_are_active_at_once() {
    let docs = [journey("book-flight.json"), journey("refund-request.json")];
    let mut talk = Conversation::new(&docs, &Mocks::default(), &SessionOptions::default()).unwrap();
    assert!(
        talk.active().is_empty(),
        "no journey is active before a message matches its conditions"
    );
    let out = talk.send("I'd like to book a flight").unwrap();
    assert_eq!(
        pacing(&out[0].events),
        [Pace::Activated],
        "{:#?}",
        out[0].events
    );
    assert_eq!(pacing(&out[1].events), [Pace::NotActivated]);
    assert_eq!(talk.active(), [0]);
    let out = talk
        .send("and I also want a refund for my last order")
        .unwrap();
    assert!(
        pacing(&out[1].events).contains(&Pace::Activated),
        "{:#?}",
        out[1].events
    );
    assert_eq!(talk.active(), [0, 1], "both journeys are active");
    assert_eq!(talk.session(1).unwrap().current(), Some("ask-order"));
}

#[test]
fn the_keyword_matcher_runs_without_the_model_and_says_so() {
    let doc = journey("book-flight.json");
    let options = SessionOptions {
        matcher: journey_studio::simulate::journey::MatcherSetting::Keywords,
        ..SessionOptions::default()
    };
    let mut session = Session::with_options(&doc, Mocks::default(), options).unwrap();
    let events = session.start().unwrap();
    assert!(
        matches!(&events[0], Event::Matcher { matcher: journey_studio::simulate::MatcherKind::Keywords, detail } if detail.contains("keywords")),
        "{events:#?}"
    );
    // Candidates carry both scores; the keyword one alone here.
    let events = session
        .send("I have a destination in mind: Lisbon")
        .unwrap();
    let Some(Event::Transition { candidates, .. }) = events
        .iter()
        .find(|e| matches!(e, Event::Transition { .. }))
    else {
        panic!("{events:#?}")
    };
    assert!(candidates.iter().all(|c| c.semantic.is_none()));
}

#[test]
fn options_are_bounded() {
    let doc = journey("book-flight.json");
    for (options, field) in [
        (
            SessionOptions {
                threshold: 1.5,
                ..SessionOptions::default()
            },
            "options.threshold",
        ),
        (
            SessionOptions {
                threshold: f64::NAN,
                ..SessionOptions::default()
            },
            "options.threshold",
        ),
        (
            SessionOptions {
                max_tool_rounds: 0,
                ..SessionOptions::default()
            },
            "options.max_tool_rounds",
        ),
        (
            SessionOptions {
                max_skip: 10_000,
                ..SessionOptions::default()
            },
            "options.max_skip",
        ),
    ] {
        let err = Session::with_options(&doc, Mocks::default(), options)
            .unwrap_err()
            .to_string();
        assert!(err.contains(field), "{err}");
    }
    let parsed: SessionOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(
        parsed,
        SessionOptions::default(),
        "every option has a default"
    );
}

#[test]
fn hostile_snapshots_are_refused_naming_where() {
    let doc = journey("refund-request.json");
    let mut session = Session::new(&doc, Mocks::default()).unwrap();
    session.start().unwrap();
    session.send("SW-20931").unwrap();
    let good = session.snapshot();

    let mut bad = good.clone();
    bad.position
        .tool_calls
        .insert("shop:get_order".into(), usize::MAX);
    let err = session.restore(bad).unwrap_err().to_string();
    assert!(
        err.contains("position.tool_calls[\"shop:get_order\"]"),
        "{err}"
    );

    let mut bad = good.clone();
    bad.history[0].transcript_len = usize::MAX;
    let err = session.restore(bad).unwrap_err().to_string();
    assert!(err.contains("history[0].transcript_len"), "{err}");

    let mut bad = good.clone();
    bad.history[0].current = Some("ghost".into());
    let err = session.restore(bad).unwrap_err().to_string();
    assert!(
        err.contains("history[0].current") && err.contains("ghost"),
        "{err}"
    );

    let mut bad = good.clone();
    bad.position.path.push("ghost".into());
    let err = session.restore(bad).unwrap_err().to_string();
    assert!(err.contains("position.path["), "{err}");

    let mut bad = good.clone();
    bad.position.journey_from = usize::MAX;
    assert!(session
        .restore(bad)
        .unwrap_err()
        .to_string()
        .contains("position.journey_from"));

    // A counter at the bound keeps counting without overflow.
    let mut near = good.clone();
    near.position.tool_calls.insert(
        "shop:check_refund_eligibility".into(),
        journey_studio::simulate::journey::MAX_TOOL_CALLS,
    );
    session.restore(near).unwrap();
    assert_eq!(
        session.snapshot().position.tool_calls["shop:check_refund_eligibility"],
        journey_studio::simulate::journey::MAX_TOOL_CALLS
    );
}

#[test]
fn a_dangling_edge_is_named_by_its_place() {
    let mut doc = journey("book-flight.json");
    doc.edges[3].target = "nowhere".into();
    let err = Session::new(&doc, Mocks::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("edges[3].target") && err.contains("nowhere"),
        "{err}"
    );
}

#[test]
fn a_session_owns_its_data_and_crosses_threads() {
    fn owned<T: Send + Sync + 'static>() {}
    owned::<Session>();
    owned::<Conversation>();
    let doc = journey("book-flight.json");
    let mut session = Session::new(&doc, Mocks::default()).unwrap();
    session.start().unwrap();
    let moved = std::thread::spawn(move || {
        session.send("I want to go to Lisbon").unwrap();
        session
    })
    .join()
    .unwrap();
    assert_eq!(moved.current(), Some("get-dates"));
}
