//! The block registry against real Sim workflows: every block of every real export and
//! hand-written fixture is a type the registry knows, and every sub-block it holds is a field of
//! that type with a value of a shape the field's editor can show; new blocks of every type
//! validate and survive conversion to a journey and back; docs/blocks.md is the registry.

mod common;

use journey_studio::convert::{journey_to_workflow, workflow_to_journey, ConvertOptions};
use journey_studio::parlant::JourneyDocument;
use journey_studio::sim::registry::{
    add_block, blank_workflow, block_spec, inspector_fields, is_display_only, new_block,
    new_block_with, palette, registry, unique_block_name, FieldLocation, FieldType,
    NewBlockOptions, PaletteKind,
};
use journey_studio::sim::{Block, BlockFamily, Edge, Position, SimDocument};
use journey_studio::validate::{validate, Severity};
use journey_studio::Document;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn sim_files() -> Vec<PathBuf> {
    let mut files = common::fixtures("sim-real");
    files.extend(common::fixtures("sim"));
    files.extend(common::shared_sim_real());
    files
}

/// The sub-blocks no Sim version has: `fixtures/sim/unknown-fields.json` holds one on purpose
/// (a field a newer Sim might add), to show it is kept and offered as raw JSON.
const DELIBERATELY_UNKNOWN: &[(&str, &str, &str)] =
    &[("unknown-fields.json", "start_trigger", "legacyNotes")];

#[test]
fn every_block_of_every_export_is_known_and_every_sub_block_fits_its_field() {
    let mut blocks = 0;
    let mut sub_blocks = 0;
    let mut types = BTreeSet::new();
    let mut unknown = BTreeSet::new();
    let mut problems = Vec::new();
    for file in sim_files() {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let doc = SimDocument::parse(&name, &std::fs::read_to_string(&file).unwrap()).unwrap();
        for block in doc.state().blocks.values() {
            blocks += 1;
            types.insert(block.block_type.clone());
            assert!(
                block_spec(&block.block_type).is_some(),
                "{name}: block `{}` has type `{}`, unknown to the registry",
                block.name,
                block.block_type
            );
            let fields = inspector_fields(block);
            for (id, sub) in block.sub_blocks.iter() {
                sub_blocks += 1;
                let view = fields
                    .iter()
                    .find(|f| f.location == FieldLocation::SubBlock && &f.id == id)
                    .unwrap_or_else(|| {
                        panic!(
                            "{name}: `{id}` of `{}` is missing from its inspector fields",
                            block.name
                        )
                    });
                // Nothing is lost: the inspector shows exactly the stored value.
                assert_eq!(
                    view.value,
                    sub.value.get().cloned().unwrap_or(Value::Null),
                    "{name}: {id}"
                );
                match (&view.spec, &view.problem) {
                    (None, _) => {
                        unknown.insert((name.clone(), block.block_type.clone(), id.clone()));
                        assert_eq!(view.field_type, FieldType::Json);
                    }
                    (Some(_), Some(problem)) => problems.push(format!(
                        "{name}: {} `{}`: {problem}",
                        block.block_type, block.name
                    )),
                    (Some(spec), None) => assert_eq!(view.field_type, spec.field_type),
                }
            }
            // A container's settings in `data` fit their fields too.
            for view in fields
                .iter()
                .filter(|f| f.location == FieldLocation::Data && f.present)
            {
                if let Some(problem) = &view.problem {
                    problems.push(format!("{name}: `{}` data: {problem}", block.name));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "sub-blocks whose values do not fit their fields:\n{}",
        problems.join("\n")
    );
    let expected: BTreeSet<_> = DELIBERATELY_UNKNOWN
        .iter()
        .map(|(f, t, i)| (f.to_string(), t.to_string(), i.to_string()))
        .collect();
    assert_eq!(unknown, expected, "sub-blocks unknown to the registry");
    // What was checked, so that a fixture folder that moved cannot pass this vacuously.
    assert!(
        blocks >= 100 && sub_blocks >= 1300 && types.len() >= 20,
        "{blocks} blocks, {sub_blocks} sub-blocks, {} types",
        types.len()
    );
}

#[test]
fn a_value_of_another_shape_falls_back_to_json_and_is_kept() {
    let mut block = new_block("api", "b1", "Fetch", Position::new(0.0, 0.0)).unwrap();
    block.sub_blocks.get_mut("method").unwrap().value =
        journey_studio::json::Maybe::Value(json!({"verb": "GET"}));
    let view = inspector_fields(&block)
        .into_iter()
        .find(|f| f.id == "method")
        .unwrap();
    assert_eq!(view.field_type, FieldType::Json);
    assert_eq!(view.value, json!({"verb": "GET"}));
    assert!(view
        .problem
        .unwrap()
        .contains("an object, which a dropdown field cannot show"));
    // An unknown block type: every sub-block is raw JSON.
    block.block_type = "brand_new_integration".into();
    let views = inspector_fields(&block);
    assert_eq!(views.len(), block.sub_blocks.len());
    assert!(views.iter().all(|v| v.field_type == FieldType::Json
        && v.problem
            .as_deref()
            .unwrap()
            .contains("not a block type the registry knows")));
}

#[test]
fn the_inspector_shows_what_sims_editor_shows() {
    let wait = new_block("wait", "w", "Wait", Position::new(0.0, 0.0)).unwrap();
    let shown = |b: &Block, id: &str| {
        inspector_fields(b)
            .into_iter()
            .find(|f| f.id == id)
            .unwrap()
            .visible
    };
    // `timeUnit` shows while `async` is not true, `timeUnitLong` while it is.
    assert!(shown(&wait, "timeUnit") && !shown(&wait, "timeUnitLong"));
    let mut long = wait.clone();
    long.sub_blocks.get_mut("async").unwrap().value =
        journey_studio::json::Maybe::Value(json!(true));
    assert!(!shown(&long, "timeUnit") && shown(&long, "timeUnitLong"));
    // Advanced fields wait for the block's advanced toggle.
    let api = new_block("api", "a", "API", Position::new(0.0, 0.0)).unwrap();
    assert!(shown(&api, "url") && !shown(&api, "timeout"));
    let mut advanced = api.clone();
    advanced.advanced_mode = journey_studio::json::Maybe::Value(true);
    assert!(shown(&advanced, "timeout"));
    // A basic/advanced pair shows one side: the agent's uploaded files, or file references.
    let agent = new_block("agent", "g", "Agent", Position::new(0.0, 0.0)).unwrap();
    assert!(shown(&agent, "attachmentFiles") && !shown(&agent, "files"));
    let required = |b: &Block, id: &str| {
        inspector_fields(b)
            .into_iter()
            .find(|f| f.id == id)
            .unwrap()
            .required
    };
    assert!(required(&api, "url") && !required(&api, "body"));
    // Loops: settings live in `data`, each shown for its loop type.
    let lp = new_block("loop", "l", "Loop", Position::new(0.0, 0.0)).unwrap();
    let views = inspector_fields(&lp);
    let count = views.iter().find(|f| f.id == "count").unwrap();
    assert_eq!(
        (count.location, count.visible, count.present),
        (FieldLocation::Data, true, false)
    );
    assert!(!views.iter().find(|f| f.id == "collection").unwrap().visible);
}

fn xy() -> Position {
    Position::new(400.0, 120.0)
}

/// A workflow around one new block: alone when it is a trigger, else after Sim's start block.
fn workflow_with(block: Block) -> SimDocument {
    if BlockFamily::of(&block) == BlockFamily::Trigger {
        let mut doc = blank_workflow();
        doc.state_mut().blocks.clear();
        add_block(doc.state_mut(), block).unwrap();
        return doc;
    }
    let mut doc = blank_workflow();
    let start = doc.state().blocks.keys().next().unwrap().clone();
    let connect = BlockFamily::of(&block) != BlockFamily::Note;
    let id = block.id.clone();
    add_block(doc.state_mut(), block).unwrap();
    if connect {
        doc.state_mut()
            .edges
            .push(Edge::new("e1", start, id, "source"));
    }
    doc
}

fn check_new_block(block: Block, what: &str) {
    let id = block.id.clone();
    let doc = workflow_with(block);
    let text = doc.to_json();
    // It reads back as a Sim workflow.
    let doc = SimDocument::parse(what, &text).unwrap_or_else(|e| panic!("{what}: {e}"));
    let report = validate(&Document::Sim(doc.clone())).unwrap();
    // Display-only `text` sub-blocks (Sim's HTML setup instructions) hold `<strong>`: the
    // validator skips them, so no block type reports an unknown reference here.
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
    // Warnings about the new block itself: only a new route's missing description (W013), which
    // is the designer's to write.
    let ours: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning && d.node_ids.contains(&id) && d.code != "W013")
        .collect();
    assert!(ours.is_empty(), "{what}: {ours:#?}");
    let opts = ConvertOptions::default();
    let journey = workflow_to_journey(&doc, &opts).unwrap_or_else(|e| panic!("{what}: {e}"));
    let journey = JourneyDocument::parse("journey", &journey.output.to_json())
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let back = journey_to_workflow(&journey, &opts).unwrap_or_else(|e| panic!("{what}: {e}"));
    let left: Value = serde_json::from_str(&back.output.to_json()).unwrap();
    let right: Value = serde_json::from_str(&text).unwrap();
    let diff = common::json_diff(&left, &right, 8);
    assert!(
        diff.is_empty(),
        "{what} changed in a round trip through a journey: {diff:#?}"
    );
}

#[test]
fn new_blocks_of_every_type_validate_and_convert_both_ways() {
    let mut checked = 0;
    for spec in registry().blocks() {
        let name = unique_block_name(&spec.name, blank_workflow().state());
        let block = new_block(
            &spec.block_type,
            "7c0e4b1a-1f53-4a4e-9e55-0d4c2f6f3a10",
            &name,
            xy(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", spec.block_type));
        check_new_block(block, &spec.block_type);
        checked += 1;
        if spec.trigger_capable && !spec.trigger_mode {
            let opts = NewBlockOptions {
                trigger_mode: Some(true),
                parent_id: None,
            };
            let block = new_block_with(
                &spec.block_type,
                "7c0e4b1a-1f53-4a4e-9e55-0d4c2f6f3a11",
                &name,
                xy(),
                &opts,
            )
            .unwrap();
            check_new_block(block, &format!("{} as a trigger", spec.block_type));
            checked += 1;
        }
    }
    assert!(checked >= 70, "{checked}");
}

#[test]
fn new_blocks_hold_sims_defaults() {
    let agent = new_block("agent", "a1", "Agent", xy()).unwrap();
    let v = |b: &Block, id: &str| {
        b.sub_blocks
            .get(id)
            .and_then(|s| s.value.get().cloned())
            .unwrap_or(Value::Null)
    };
    assert_eq!(v(&agent, "model"), json!("claude-sonnet-5"));
    assert_eq!(v(&agent, "memoryType"), json!("none"));
    assert_eq!(v(&agent, "tools"), json!([]));
    assert_eq!(v(&agent, "messages"), Value::Null);
    assert_eq!(
        agent.sub_blocks.get("messages").unwrap().sub_block_type,
        "messages-input"
    );
    assert!(agent.outputs.contains_key("content") && agent.outputs.contains_key("tokens"));
    assert_eq!(
        serde_json::to_value(agent.data.get().unwrap()).unwrap(),
        json!({"canonicalModes": {"files": "basic", "vertexCredential": "basic"}})
    );
    let json = serde_json::to_value(&agent).unwrap();
    for (k, expected) in [
        ("enabled", json!(true)),
        ("horizontalHandles", json!(true)),
        ("advancedMode", json!(false)),
        ("errorEnabled", json!(false)),
        ("triggerMode", json!(false)),
        ("height", json!(0)),
        ("locked", json!(false)),
    ] {
        assert_eq!(json[k], expected, "{k}");
    }
    // The panel's first-show defaults: the first method, one empty header row.
    let api = new_block("api", "b2", "API", xy()).unwrap();
    assert_eq!(v(&api, "method"), json!("GET"));
    let headers = v(&api, "headers");
    assert_eq!(headers[0]["cells"], json!({"Key": "", "Value": ""}));
    assert_eq!(headers[0]["id"].as_str().unwrap().len(), 36);
    // Branch ids as Sim makes them, so the handles can be connected.
    let cond = new_block("condition", "c3", "Condition", xy()).unwrap();
    let branches: Value = serde_json::from_str(v(&cond, "conditions").as_str().unwrap()).unwrap();
    assert_eq!(
        branches
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["c3-if", "c3-else"]
    );
    // A trigger block from the Triggers tab starts in trigger mode.
    let schedule = new_block("schedule", "s4", "Schedule", xy()).unwrap();
    assert_eq!(schedule.trigger_mode.get(), Some(&true));
    assert_eq!(v(&schedule, "scheduleType"), json!("daily"));
    // A fresh secret each time, never a shared one.
    let a = new_block_with(
        "generic_webhook",
        "h1",
        "Webhook",
        xy(),
        &NewBlockOptions::default(),
    )
    .unwrap();
    let b = new_block_with(
        "generic_webhook",
        "h2",
        "Webhook",
        xy(),
        &NewBlockOptions::default(),
    )
    .unwrap();
    assert_ne!(v(&a, "token"), v(&b, "token"));
    // Containers: Sim's container data, nothing else.
    let lp = new_block("loop", "l5", "Loop", xy()).unwrap();
    assert!(lp.sub_blocks.is_empty() && lp.outputs.is_empty());
    assert_eq!(
        serde_json::to_value(lp.data.get().unwrap()).unwrap(),
        json!({"width": 500, "height": 300, "type": "subflowNode"})
    );
}

#[test]
fn new_blocks_are_named_as_sim_names_them() {
    let mut doc = blank_workflow();
    let state = doc.state_mut();
    assert_eq!(unique_block_name("Agent", state), "Agent");
    add_block(state, new_block("agent", "a1", "Agent", xy()).unwrap()).unwrap();
    assert_eq!(unique_block_name("Agent", state), "Agent 2");
    add_block(state, new_block("agent", "a2", "Agent 7", xy()).unwrap()).unwrap();
    assert_eq!(unique_block_name("Agent", state), "Agent 8");
    assert_eq!(unique_block_name("Starter", state), "Start");
    assert_eq!(unique_block_name("Response", state), "Response");
    // Reserved names are numbered from the first.
    assert_eq!(unique_block_name("Loop", state), "Loop 1");
    add_block(state, new_block("loop", "l1", "Loop 1", xy()).unwrap()).unwrap();
    assert_eq!(unique_block_name("Loop", state), "Loop 2");
    assert_eq!(unique_block_name("Agent2", state), "Agent2");
}

#[test]
fn blocks_go_inside_containers_and_bad_arguments_are_refused() {
    let mut doc = blank_workflow();
    let start = doc.state().blocks.values().next().unwrap().clone();
    assert_eq!(
        (start.block_type.as_str(), start.name.as_str()),
        ("start_trigger", "Start")
    );
    assert_eq!(start.position.xy(), (0.0, 0.0));
    add_block(
        doc.state_mut(),
        new_block("parallel", "p1", "Parallel", xy()).unwrap(),
    )
    .unwrap();
    let inside = NewBlockOptions {
        trigger_mode: None,
        parent_id: Some("p1".into()),
    };
    add_block(
        doc.state_mut(),
        new_block_with(
            "function",
            "f1",
            "Function",
            Position::new(40.0, 60.0),
            &inside,
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(doc.state().parallels.get().unwrap()["p1"].nodes, ["f1"]);
    let err = add_block(
        doc.state_mut(),
        new_block("agent", "f1", "Again", xy()).unwrap(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("already has a block with id `f1`"),
        "{err}"
    );
    let into_agent = NewBlockOptions {
        trigger_mode: None,
        parent_id: Some(start.id.clone()),
    };
    let err = add_block(
        doc.state_mut(),
        new_block_with("agent", "x1", "X", xy(), &into_agent).unwrap(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("not a loop or parallel"), "{err}");

    let err = new_block("no_such_block", "x", "X", xy())
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown block type `no_such_block`"), "{err}");
    assert!(new_block("agent", "", "X", xy())
        .unwrap_err()
        .to_string()
        .contains("block id cannot be empty"));
    assert!(new_block("agent", "x", &"n".repeat(201), xy())
        .unwrap_err()
        .to_string()
        .contains("at most 200"));
    assert!(new_block("agent", "x", "X", Position::new(1.0e12, 0.0))
        .unwrap_err()
        .to_string()
        .contains("outside the canvas"));
    let as_trigger = NewBlockOptions {
        trigger_mode: Some(true),
        parent_id: None,
    };
    assert!(new_block_with("agent", "x", "X", xy(), &as_trigger)
        .unwrap_err()
        .to_string()
        .contains("no trigger mode"));
}

#[test]
fn the_palette_lists_every_type_with_its_look_and_fields() {
    let p = palette(PaletteKind::Workflow);
    assert_eq!(p.sim.as_ref().unwrap().version, "v0.8.9");
    assert!(p.items.len() >= 30);
    let required = [
        "agent",
        "condition",
        "router_v2",
        "router",
        "api",
        "function",
        "response",
        "evaluator",
        "human_in_the_loop",
        "wait",
        "variables",
        "loop",
        "parallel",
        "workflow",
        "workflow_input",
        "knowledge",
        "start_trigger",
        "starter",
        "note",
        "slack",
        "gmail_v2",
        "google_sheets_v2",
        "notion_v2",
        "github_v2",
        "memory",
        "thinking",
        "translate",
        "vision_v2",
        "image_generator_v2",
        "generic_webhook",
        "schedule",
    ];
    for t in required {
        let item = p
            .items
            .iter()
            .find(|i| i.item_type == t)
            .unwrap_or_else(|| panic!("`{t}` is not in the palette"));
        assert!(
            !item.icon.is_empty() && !item.color.is_empty() && !item.description.is_empty(),
            "{t}"
        );
    }
    let agent = p.items.iter().find(|i| i.item_type == "agent").unwrap();
    assert_eq!(agent.icon, "AgentIcon");
    assert!(agent
        .fields
        .iter()
        .any(|f| f.id == "messages" && f.field_type == FieldType::MessagesInput));
    assert!(agent
        .outputs
        .iter()
        .any(|o| o.path == "content" && o.output_type == "string"));
    // Legacy sub-blocks are for reading old exports, not offered on new blocks.
    assert!(!agent.fields.iter().any(|f| f.id == "manualCredential"));
    let api = p.items.iter().find(|i| i.item_type == "api").unwrap();
    let method = api.fields.iter().find(|f| f.id == "method").unwrap();
    assert_eq!(
        method
            .options
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>(),
        ["GET", "POST", "PUT", "DELETE", "PATCH"]
    );
    let headers = api.fields.iter().find(|f| f.id == "headers").unwrap();
    assert_eq!(
        (headers.field_type, headers.columns.clone()),
        (
            FieldType::Table,
            vec!["Key".to_string(), "Value".to_string()]
        )
    );
    let function = p.items.iter().find(|i| i.item_type == "function").unwrap();
    assert_eq!(
        function
            .fields
            .iter()
            .find(|f| f.id == "code")
            .unwrap()
            .field_type,
        FieldType::Code
    );
    assert!(
        p.items
            .iter()
            .find(|i| i.item_type == "router")
            .unwrap()
            .hidden
    );
    // Serialised for the UI as the generated TypeScript describes it.
    let value = serde_json::to_value(&p).unwrap();
    assert_eq!(value["kind"], json!("workflow"));
    assert_eq!(value["items"][0]["type"], json!("agent"));
    assert!(
        value["items"][0]["fields"][0].get("required").is_none()
            || value["items"][0]["fields"][0]["required"].is_boolean()
    );
}

/// docs/blocks.md's registry section is generated from the registry. `UPDATE_DOCS=1` rewrites it.
#[test]
fn documented_registry_matches_the_code() {
    let path = common::repo().join("docs/blocks.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- registry:start -->\n", "<!-- registry:end -->");
    let (Some(a), Some(b)) = (text.find(start), text.find(end)) else {
        panic!("docs/blocks.md lacks the registry markers")
    };
    let documented = &text[a + start.len()..b];
    let expected = journey_studio::sim::registry::docs::markdown();
    if documented != expected && std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(
            &path,
            format!("{}{expected}{}", &text[..a + start.len()], &text[b..]),
        )
        .unwrap();
        return;
    }
    assert!(
        documented == expected,
        "docs/blocks.md is out of date: run UPDATE_DOCS=1 cargo test --test sim_registry"
    );
}

#[test]
fn display_only_setup_instructions_are_not_references() {
    // A generic webhook trigger holds Sim's HTML setup instructions (`<strong>1.</strong>`) in a
    // display-only `text` sub-block: not a reference. The same markup in a text field that Sim
    // resolves is one, and names no block.
    let mut doc = blank_workflow();
    doc.state_mut().blocks.clear();
    let hook = new_block("generic_webhook", "hook", "Webhook", xy()).unwrap();
    let html = hook
        .sub_blocks
        .get("triggerInstructions")
        .and_then(|s| s.value.get())
        .and_then(Value::as_str)
        .unwrap()
        .to_string();
    assert!(
        is_display_only("generic_webhook", "triggerInstructions") && html.contains("<strong>"),
        "{html}"
    );
    add_block(doc.state_mut(), hook).unwrap();
    let mut agent = new_block("api", "a1", "API", Position::new(400.0, 0.0)).unwrap();
    doc.state_mut()
        .edges
        .push(Edge::new("e1", "hook", "a1", "source"));
    let codes = |doc: &SimDocument| -> Vec<String> {
        validate(&Document::Sim(doc.clone()))
            .unwrap()
            .diagnostics
            .iter()
            .filter(|d| d.code == "W014")
            .map(|d| d.path.to_string())
            .collect()
    };
    add_block(doc.state_mut(), agent.clone()).unwrap();
    assert!(codes(&doc).is_empty(), "{:?}", codes(&doc));
    agent.sub_blocks.get_mut("body").unwrap().value =
        journey_studio::json::Maybe::Value(json!(html));
    doc.state_mut().blocks.insert("a1".into(), agent);
    let found = codes(&doc);
    assert!(
        !found.is_empty() && found.iter().all(|p| p.contains(".body.")),
        "{found:?}"
    );
}
