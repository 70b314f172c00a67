//! The template library: the built-ins (each instantiates with its defaults into a sound
//! journey), versions side by side, search, user folders, save-as-template.

mod common;

use journey_studio::parlant::{JourneyDocument, NodeKind, END_NODE_ID};
use journey_studio::template::{
    self, Library, ParamChoice, Query, SaveOptions, Source, Template, BUILTINS,
};
use journey_studio::{Document, Error};
use serde_json::{json, Map};
use std::collections::BTreeSet;

#[test]
fn every_file_in_fixtures_templates_is_a_builtin() {
    let files: BTreeSet<String> = common::fixtures("templates")
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = BUILTINS.iter().map(|(name, _)| name.to_string()).collect();
    assert_eq!(
        files, listed,
        "src/template/library.rs BUILTINS must list every file of fixtures/templates/"
    );
    for (name, _) in BUILTINS {
        let t = Template::load(&common::repo().join("fixtures/templates").join(name)).unwrap();
        assert_eq!(
            name.to_string(),
            format!("{}.json", t.key()),
            "a built-in's file is named id@version.json"
        );
    }
}

#[test]
fn builtins_are_sound_and_realistic() {
    let lib = Library::builtin().unwrap();
    let ids: BTreeSet<&str> = lib
        .entries()
        .iter()
        .map(|e| e.template.id.as_str())
        .collect();
    for wanted in [
        "support-triage",
        "appointment-booking",
        "refund-request",
        "lead-qualification",
        "onboarding",
        "faq-escalation",
        "order-status",
        "subscription-cancellation",
    ] {
        assert!(ids.contains(wanted), "missing built-in {wanted}");
    }
    for entry in lib.entries() {
        let t = &entry.template;
        let problems = template::lint(&lib, t);
        assert!(problems.is_empty(), "{}: {problems:#?}", t.key());
        assert!(
            !t.description.is_empty() && !t.category.is_empty() && !t.tags.is_empty(),
            "{}",
            t.key()
        );
    }
}

/// The structural rules Parlant itself enforces on a journey (parlant.md §1), checked here until
/// the validator lands: reachability, `end` reachable, edge shapes, forks all conditional.
fn assert_sound_journey(key: &str, j: &JourneyDocument) {
    let view = journey_studio::graph::GraphView::of_journey(j);
    assert!(
        view.dangling.is_empty(),
        "{key}: dangling edges {:?}",
        view.dangling
    );
    let reachable = view.reachable_from([j.journey.root_id.as_str()]);
    let reaching_end = view.reaching(END_NODE_ID);
    for node in &j.nodes {
        assert!(
            reachable.contains(node.id.as_str()),
            "{key}: `{}` is unreachable",
            node.id
        );
        assert!(
            reaching_end.contains(node.id.as_str()),
            "{key}: `end` cannot be reached from `{}`",
            node.id
        );
        let out: Vec<_> = j.edges.iter().filter(|e| e.source == node.id).collect();
        assert!(
            !out.is_empty(),
            "{key}: `{}` has no outgoing transition",
            node.id
        );
        let unconditional = out.iter().filter(|e| e.condition_text().is_none()).count();
        assert!(
            (unconditional == 1 && out.len() == 1) || unconditional == 0,
            "{key}: `{}` mixes conditional and unconditional transitions",
            node.id
        );
        let kind = j.kind_of(&node.id).unwrap();
        if kind == NodeKind::Fork {
            assert_eq!(
                unconditional, 0,
                "{key}: fork `{}` has an unconditional edge",
                node.id
            );
        }
        if kind == NodeKind::Tool {
            assert!(
                !node.tool_ids().is_empty(),
                "{key}: tool state `{}` names no tool",
                node.id
            );
            assert!(node
                .tool_ids()
                .iter()
                .all(|t| !t.service_name.is_empty() && !t.tool_name.is_empty()));
        }
        if kind == NodeKind::Chat {
            assert!(
                node.action_text().is_some_and(|a| a.len() > 10),
                "{key}: chat state `{}` says nothing",
                node.id
            );
        }
    }
    assert!(
        !j.journey.conditions.is_empty() && (1..=100).contains(&j.journey.title.chars().count()),
        "{key}"
    );
    assert!(
        !j.journey.description.contains("{{") && !j.to_json().contains("{{"),
        "{key}: a placeholder is left"
    );
}

#[test]
fn every_builtin_instantiates_with_its_defaults_into_a_sound_journey() {
    let lib = Library::builtin().unwrap();
    let mut with_tools_and_forks = 0;
    for entry in lib.entries() {
        let key = entry.template.key();
        let instance = template::instantiate(&lib, &entry.template, &Map::new())
            .unwrap_or_else(|e| panic!("{e}"));
        let Document::Journey(j) = &instance.document else {
            panic!("{key}: not a journey")
        };
        assert_sound_journey(&key, j);
        let tools = j
            .nodes
            .iter()
            .filter(|n| j.kind_of(&n.id) == Some(NodeKind::Tool))
            .count();
        let conditional = j
            .edges
            .iter()
            .filter(|e| e.condition_text().is_some())
            .count();
        if tools > 0 && conditional >= 2 {
            with_tools_and_forks += 1;
        }
        // Written out and read back, the document is the same.
        let again = Document::parse("again", &instance.document.to_json()).unwrap();
        assert_eq!(again, instance.document, "{key}");
    }
    assert_eq!(
        with_tools_and_forks,
        lib.entries().len(),
        "every built-in has tool states and conditional transitions"
    );
}

#[test]
fn builtins_change_with_their_parameters() {
    let lib = Library::builtin().unwrap();
    let get = |r: &str| lib.find(r).unwrap().template.clone();
    let journey = |t: &Template, p: serde_json::Value| match template::instantiate(
        &lib,
        t,
        p.as_object().unwrap(),
    )
    .unwrap()
    .document
    {
        Document::Journey(j) => j,
        _ => panic!(),
    };
    let triage = get("support-triage");
    let j = journey(
        &triage,
        json!({"company": "Contoso Energy", "ask_order_number": true, "sla_hours": 8,
        "categories": [{"name": "Meter readings", "team": "Metering", "about": "a meter reading or an estimated bill", "details": "the meter number and today's reading"}]}),
    );
    assert_sound_journey("support-triage (custom)", &j);
    assert!(j.node("ask-order-number").is_some());
    assert!(j.node("details-meter-readings").is_some());
    assert_eq!(
        j.edges.iter().filter(|e| e.source == "classify").count(),
        2,
        "one category plus the fallback"
    );
    assert!(j
        .node("confirm")
        .unwrap()
        .action_text()
        .unwrap()
        .contains("within 8 hours"));

    let booking = get("appointment-booking");
    let plain = journey(&booking, json!({}));
    let deposit = journey(
        &booking,
        json!({"require_deposit": true, "deposit_amount": 40, "currency": "GBP", "reminder_channel": "none"}),
    );
    assert_sound_journey("appointment-booking (deposit)", &deposit);
    assert!(plain.node("take-deposit").is_none() && plain.node("schedule-reminder").is_some());
    assert!(deposit
        .node("take-deposit")
        .unwrap()
        .action_text()
        .unwrap()
        .contains("40 GBP"));
    assert!(deposit.node("schedule-reminder").is_none());

    let lead = get("lead-qualification");
    let j = journey(
        &lead,
        json!({"questions": [{"key": "seats", "question": "Ask how many seats they need"}]}),
    );
    assert_sound_journey("lead-qualification (one question)", &j);
    let errors = template::instantiate(
        &lib,
        &lead,
        json!({"meeting_link": "http://insecure", "min_seats": 0})
            .as_object()
            .unwrap(),
    )
    .unwrap_err();
    let Error::Template { problems, .. } = errors else {
        panic!()
    };
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

#[test]
fn builtins_use_extends_and_composes() {
    let lib = Library::builtin().unwrap();
    let vip = lib.find("vip-support-triage").unwrap();
    let instance = template::instantiate(&lib, &vip.template, &Map::new()).unwrap();
    assert_eq!(
        instance.parents,
        ["support-triage@1.1.0"],
        "the newest 1.x triage"
    );
    let Document::Journey(j) = instance.document else {
        panic!()
    };
    assert!(j
        .node("greet")
        .unwrap()
        .action_text()
        .unwrap()
        .contains("priority customer"));
    assert!(j
        .node("confirm")
        .unwrap()
        .action_text()
        .unwrap()
        .contains("within 4 hours"));
    assert_eq!(
        j.edges.iter().find(|e| e.id == "finish").unwrap().target,
        "offer-callback"
    );

    let refund = lib.find("refund-request").unwrap();
    let Document::Journey(j) = template::instantiate(&lib, &refund.template, &Map::new())
        .unwrap()
        .document
    else {
        panic!()
    };
    assert_eq!(
        j.edges.iter().find(|e| e.source == "root").unwrap().target,
        "verify-ask-identifier"
    );
    assert_eq!(
        j.edges
            .iter()
            .find(|e| e.id == "verify-verified-done")
            .unwrap()
            .target,
        "ask-order"
    );
    assert_eq!(
        j.edges
            .iter()
            .find(|e| e.id == "verify-failed-done")
            .unwrap()
            .target,
        END_NODE_ID
    );
    assert!(
        j.node("verify-ask-identifier")
            .unwrap()
            .action_text()
            .unwrap()
            .contains("email"),
        "`with` passes the host's choice"
    );
}

#[test]
fn versions_live_side_by_side_and_the_newest_in_range_wins() {
    let lib = Library::builtin().unwrap();
    let versions: Vec<String> = lib
        .versions("support-triage")
        .iter()
        .map(|e| e.template.version.to_string())
        .collect();
    assert_eq!(versions, ["1.1.0", "1.0.0"]);
    assert_eq!(
        lib.find("support-triage")
            .unwrap()
            .template
            .version
            .to_string(),
        "1.1.0"
    );
    assert_eq!(
        lib.find("support-triage@~1.0")
            .unwrap()
            .template
            .version
            .to_string(),
        "1.0.0"
    );
    assert_eq!(
        lib.find("support-triage@>=1.0, <1.1")
            .unwrap()
            .template
            .version
            .to_string(),
        "1.0.0"
    );
    let err = lib.find("support-triage@^2").unwrap_err().to_string();
    assert!(
        err.contains("has versions 1.1.0, 1.0.0; none matches the range `^2`"),
        "{err}"
    );
    let err = lib.find("support-triaj").unwrap_err().to_string();
    assert!(
        err.contains("no template `support-triaj`") && err.contains("known templates"),
        "{err}"
    );
    let err = lib.find("Support Triage").unwrap_err().to_string();
    assert!(err.contains("does not name a template"), "{err}");
    // The old version still instantiates.
    let old = lib.find("support-triage@=1.0.0").unwrap();
    assert!(template::instantiate(&lib, &old.template, &Map::new()).is_ok());
}

#[test]
fn search_by_text_category_and_tag() {
    let lib = Library::builtin().unwrap();
    let ids = |q: Query| {
        lib.search(&q)
            .iter()
            .map(|e| e.template.key())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(Query {
            text: Some("Store CREDIT".into()),
            ..Default::default()
        }),
        ["refund-request@1.0.0"]
    );
    assert_eq!(
        ids(Query {
            category: Some("sales".into()),
            ..Default::default()
        }),
        ["lead-qualification@1.0.0"]
    );
    assert_eq!(
        ids(Query {
            tag: Some("composable".into()),
            ..Default::default()
        }),
        ["faq-escalation@1.0.0", "identity-verification@1.0.0"]
    );
    assert_eq!(
        ids(Query {
            text: Some("triage".into()),
            category: Some("support".into()),
            ..Default::default()
        }),
        ["support-triage@1.1.0", "vip-support-triage@1.0.0"]
    );
    assert_eq!(
        ids(Query {
            text: Some("triage".into()),
            all_versions: true,
            ..Default::default()
        })
        .len(),
        3
    );
    assert_eq!(
        ids(Query {
            text: Some("refund".into()),
            ..Default::default()
        }),
        ["identity-verification@1.0.0", "refund-request@1.0.0"]
    );
    assert!(
        ids(Query {
            text: Some("refund quantum".into()),
            ..Default::default()
        })
        .is_empty(),
        "every word must match"
    );
    let all = lib.search(&Query::default());
    assert_eq!(
        all.len(),
        10,
        "the newest version of each of the 10 built-ins"
    );
}

#[test]
fn user_folders_add_templates_and_shadow_builtins() {
    let dir = tempfile::tempdir().unwrap();
    let mut triage: serde_json::Value =
        common::read_json(&common::repo().join("fixtures/templates/support-triage@1.1.0.json"));
    triage["name"] = json!("Support triage (our edition)");
    std::fs::write(dir.path().join("triage.json"), triage.to_string()).unwrap();
    let mut newer = triage.clone();
    newer["version"] = json!("1.2.0");
    std::fs::write(dir.path().join("triage-1.2.json"), newer.to_string()).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a template").unwrap();

    let mut lib = Library::builtin().unwrap();
    assert_eq!(lib.add_dir(dir.path()).unwrap(), 2);
    assert_eq!(
        lib.shadowed,
        ["support-triage@1.1.0 (built-in support-triage@1.1.0.json)"]
    );
    assert_eq!(
        lib.find("support-triage@=1.1.0").unwrap().template.name,
        "Support triage (our edition)"
    );
    assert!(matches!(
        lib.find("support-triage").unwrap().source,
        Source::File(_)
    ));
    assert_eq!(
        lib.find("support-triage")
            .unwrap()
            .template
            .version
            .to_string(),
        "1.2.0"
    );

    // A broken user template is an error naming the file, not a silent skip.
    std::fs::write(
        dir.path().join("broken.json"),
        r#"{"format": "journey-studio-template", "id": "x"}"#,
    )
    .unwrap();
    let err = Library::builtin()
        .unwrap()
        .add_dir(dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("broken.json") && err.contains("missing field `version`"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("broken.json"),
        r#"{"format": "journey-studio-template", "id": "Bad Id", "version": "1.0.0", "name": "x"}"#,
    )
    .unwrap();
    let err = Library::builtin()
        .unwrap()
        .add_dir(dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("broken.json:1:") && err.contains("must be lowercase letters"),
        "{err}"
    );
    std::fs::write(dir.path().join("broken.json"), r#"{"format": "journey-studio-template", "id": "x", "version": "1.0.0", "name": "x", "paramters": []}"#).unwrap();
    let err = Library::builtin()
        .unwrap()
        .add_dir(dir.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `paramters`"), "{err}");
}

#[test]
fn save_as_template_round_trips_every_fixture_journey() {
    for file in common::fixtures("journeys") {
        let doc = Document::load(&file).unwrap();
        let Document::Journey(j) = &doc else { continue };
        let title = j.journey.title.clone();
        let first_action = j
            .nodes
            .iter()
            .filter_map(|n| n.action_text())
            .next()
            .unwrap()
            .to_string();
        let options = SaveOptions {
            id: "saved".into(),
            version: semver::Version::new(1, 0, 0),
            name: "Saved".into(),
            description: String::new(),
            category: "test".into(),
            tags: vec![],
            params: vec![
                ParamChoice {
                    name: "title".into(),
                    text: title.clone(),
                    description: String::new(),
                },
                ParamChoice {
                    name: "first_action".into(),
                    text: first_action.clone(),
                    description: String::new(),
                },
            ],
        };
        let saved = template::save_as_template(&doc, &options)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(saved.to_json().contains("{{title}}"), "{}", file.display());
        let mut lib = Library::empty();
        lib.add(saved.clone(), Source::File("saved.json".into()));
        assert!(
            template::lint(&lib, &saved).is_empty(),
            "{}: {:#?}",
            file.display(),
            template::lint(&lib, &saved)
        );
        // With its defaults, the template gives the original document back.
        let back = template::instantiate(&lib, &saved, &Map::new())
            .unwrap()
            .document;
        assert_eq!(back, doc, "{}", file.display());
        // With other values, the chosen texts change and nothing else.
        let other = json!({"title": "Another title", "first_action": "Say \"hi\" {{literally}}"});
        let Document::Journey(changed) =
            template::instantiate(&lib, &saved, other.as_object().unwrap())
                .unwrap()
                .document
        else {
            panic!()
        };
        assert_eq!(changed.journey.title, "Another title");
        assert!(changed
            .nodes
            .iter()
            .any(|n| n.action_text() == Some("Say \"hi\" {{literally}}")));
        assert_eq!(changed.nodes.len(), j.nodes.len());
    }
}

#[test]
fn save_as_template_keeps_literal_braces_and_refuses_bad_choices() {
    let mut doc = JourneyDocument::new(
        "Reset a password",
        "Uses {{RESET_URL}} verbatim",
        vec!["The customer forgot their password".into()],
    );
    doc.nodes.push(journey_studio::parlant::JourneyNode::new(
        "ask",
        &NodeKind::Chat,
        Some("Ask for the email of the account".into()),
    ));
    doc.edges.push(journey_studio::parlant::JourneyEdge::new(
        "e1", "root", "ask", None,
    ));
    doc.edges.push(journey_studio::parlant::JourneyEdge::new(
        "e2", "ask", "end", None,
    ));
    let doc = Document::Journey(doc);
    let choose = |params: Vec<(&str, &str)>| SaveOptions {
        id: "reset".into(),
        version: semver::Version::new(1, 0, 0),
        name: "Reset".into(),
        description: String::new(),
        category: String::new(),
        tags: vec![],
        params: params
            .into_iter()
            .map(|(n, t)| ParamChoice {
                name: n.into(),
                text: t.into(),
                description: String::new(),
            })
            .collect(),
    };
    let saved = template::save_as_template(&doc, &choose(vec![("thing", "password")])).unwrap();
    let mut lib = Library::empty();
    lib.add(saved.clone(), Source::File("x".into()));
    let Document::Journey(j) =
        template::instantiate(&lib, &saved, json!({"thing": "PIN"}).as_object().unwrap())
            .unwrap()
            .document
    else {
        panic!()
    };
    assert_eq!(j.journey.title, "Reset a PIN");
    assert_eq!(j.journey.conditions, ["The customer forgot their PIN"]);
    assert_eq!(j.journey.description, "Uses {{RESET_URL}} verbatim");
    // Ids are not texts: choosing `ask` changes no id.
    let saved = template::save_as_template(&doc, &choose(vec![("verb", "Ask")])).unwrap();
    assert!(
        saved.body["nodes"][1]["id"] == "ask"
            && saved.body["nodes"][1]["action"] == "{{verb}} for the email of the account"
    );

    let err = template::save_as_template(
        &doc,
        &choose(vec![("x", "not in the document"), ("bad name", "password")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("not a valid parameter name"), "{err}");
    let err = template::save_as_template(&doc, &choose(vec![("x", "not in the document")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("appears in no title"), "{err}");
}
