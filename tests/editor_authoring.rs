//! Authoring through `api::dispatch`, as the editor does it: the palette, new documents, adding
//! steps from the block registry (connected in one undoable step, into containers), the typed
//! inspector with the problems at each field, `<block.path>` completions, and templates saved
//! from the open document.

mod common;

use journey_studio::api::{dispatch, AppState, JsonFileSettings};
use serde_json::{json, Value};
use std::path::Path;

fn state(dir: &Path) -> AppState {
    let settings = dir.join("settings.json");
    std::fs::write(&settings, json!({"autosave": false}).to_string()).unwrap();
    AppState::open(&dir.join("w.db"), Box::new(JsonFileSettings::new(settings))).unwrap()
}

fn call(state: &AppState, command: &str, args: Value) -> Value {
    dispatch(state, command, args).unwrap_or_else(|e| panic!("{command}: {e}"))
}

fn fails(state: &AppState, command: &str, args: Value) -> String {
    match dispatch(state, command, args) {
        Ok(v) => panic!("{command} should fail, answered {v}"),
        Err(e) => e.to_string(),
    }
}

/// Opens a new document of `kind`; answers (session, opened).
fn create(state: &AppState, kind: &str, name: &str) -> (String, Value) {
    let doc = call(
        state,
        "create_document",
        json!({"kind": kind, "name": name}),
    );
    let opened = call(state, "open_document", json!({"id": doc["id"]}));
    (opened["session"].as_str().unwrap().to_string(), opened)
}

fn edit(state: &AppState, session: &str, edits: Value) -> Value {
    call(
        state,
        "apply_edits",
        json!({"session": session, "edits": edits}),
    )
}

fn add(
    state: &AppState,
    session: &str,
    kind: &str,
    x: f64,
    y: f64,
    from: Option<(&str, &str)>,
) -> Vec<String> {
    let mut e = json!({"op": "add_node", "kind": kind, "position": {"x": x, "y": y}});
    if let Some((source, handle)) = from {
        e["from"] = json!({"source": source, "source_handle": handle});
    }
    let r = edit(state, session, json!([e]));
    r["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn inspect(state: &AppState, session: &str, target: &str) -> Value {
    call(
        state,
        "inspect",
        json!({"session": session, "target": target}),
    )
}

fn field<'a>(view: &'a Value, path: &[&str]) -> &'a Value {
    view["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == json!(path))
        .unwrap_or_else(|| panic!("no field {path:?} in {view:#}"))
}

fn set(state: &AppState, session: &str, target: &str, path: &[&str], value: Value) -> Value {
    edit(
        state,
        session,
        json!([{"op": "set_field", "target": target, "path": path, "value": value}]),
    )
}

/// Diagnostics of an open session now (close and open again answers them whole).
fn diagnostics(state: &AppState, session: &str) -> Vec<Value> {
    let doc_id = {
        let list = call(state, "list_documents", json!({}));
        list["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    for id in doc_id {
        let opened = call(state, "open_document", json!({"id": id}));
        if opened["session"] == session {
            return opened["diagnostics"].as_array().unwrap().clone();
        }
    }
    panic!("session {session} is not open")
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| {
            format!(
                "{} {} {}",
                d["severity"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect()
}

fn no_errors_or_warnings(diags: &[Value]) {
    let bad: Vec<String> = codes(diags)
        .into_iter()
        .filter(|c| !c.starts_with("info"))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn the_palette_is_a_light_list_and_one_item_comes_whole_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let list = call(&s, "palette", json!({"kind": "workflow"}));
    let bytes = list.to_string().len();
    let whole = serde_json::to_string(&journey_studio::sim::registry::palette(
        journey_studio::sim::registry::PaletteKind::Workflow,
    ))
    .unwrap()
    .len();
    assert!(
        bytes * 20 < whole,
        "the list ({bytes} B) is far smaller than the whole palette ({whole} B)"
    );
    assert!(bytes < 60_000, "{bytes}");
    eprintln!("palette list: {bytes} bytes; the whole palette: {whole} bytes");
    let items = list["items"].as_array().unwrap();
    let types: Vec<&str> = items.iter().map(|i| i["type"].as_str().unwrap()).collect();
    for t in [
        "agent",
        "condition",
        "router_v2",
        "api",
        "function",
        "response",
        "loop",
        "parallel",
        "start_trigger",
    ] {
        assert!(types.contains(&t), "{t} offered");
    }
    assert!(
        items.iter().all(|i| i.get("fields").is_none()),
        "no fields in the list"
    );
    assert_eq!(list["sim"]["version"], "v0.8.9");
    let agent = call(
        &s,
        "palette_item",
        json!({"kind": "workflow", "type": "agent"}),
    );
    assert!(agent["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "messages" && f["type"] == "messages-input"));
    assert!(agent["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["path"] == "content"));
    assert!(fails(
        &s,
        "palette_item",
        json!({"kind": "workflow", "type": "nope"})
    )
    .contains("`nope`"));
    let journey = call(&s, "palette", json!({"kind": "journey"}));
    let kinds: Vec<&str> = journey["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["chat", "tool", "fork", "end"]);
}

#[test]
fn new_documents_blank_or_from_a_template() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let (_, wf) = create(&s, "workflow", "Triage");
    let nodes = wf["view"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!(
        (nodes[0]["type"].as_str(), nodes[0]["label"].as_str()),
        (Some("start_trigger"), Some("Start"))
    );
    assert_eq!(wf["counts"]["errors"], 0, "{:#}", wf["diagnostics"]);
    assert_eq!(wf["kind"], "sim_workflow");
    let (_, j) = create(&s, "journey", "Book a flight");
    assert_eq!(j["view"]["nodes"][0]["kind"], "root");
    assert_eq!(j["view"]["nodes"][0]["label"], "Book a flight");
    // A blank journey has no activation condition yet: that is the problem it shows.
    assert!(codes(j["diagnostics"].as_array().unwrap())
        .iter()
        .any(|c| c.contains("J014")));
    let t = call(
        &s,
        "create_document",
        json!({"kind": "template", "name": "", "template": "refund-request", "params": {"company": "Harbor & Pine"}}),
    );
    assert_eq!(t["kind"], "parlant_journey");
    // A taken name gets a number, never overwrites.
    let again = call(
        &s,
        "create_document",
        json!({"kind": "workflow", "name": "Triage"}),
    );
    assert_eq!(again["name"], "Triage (2)");
    assert!(fails(
        &s,
        "create_document",
        json!({"kind": "journey", "name": "  "})
    )
    .contains("needs a name"));
    assert!(fails(
        &s,
        "create_document",
        json!({"kind": "journey", "name": "x".repeat(150)})
    )
    .contains("1 to 100"));
    assert!(fails(
        &s,
        "create_document",
        json!({"kind": "template", "name": "x"})
    )
    .contains("`template`"));
    assert!(fails(&s, "create_document", json!({"kind": "template", "name": "x", "template": "refund-request", "params": {"company": "X"}})).contains("company"));
}

#[test]
fn adding_blocks_uses_the_registry_and_a_dropped_connection_is_one_undoable_step() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let (session, opened) = create(&s, "workflow", "W");
    let start = opened["view"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let first = add(&s, &session, "agent", 300.0, 0.0, None);
    let r = edit(
        &s,
        &session,
        json!([{"op": "add_node", "kind": "agent", "position": {"x": 300, "y": 200}, "from": {"source": start, "source_handle": "source"}}]),
    );
    let created: Vec<&str> = r["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(created.len(), 2, "the block, then the edge");
    let delta = &r["delta"];
    let node = delta["added_nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == created[0])
        .unwrap();
    assert_eq!(node["label"], "Agent 2", "Sim numbers the second of a kind");
    assert_eq!(node["type_name"], "Agent");
    assert!(
        node["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["label"] == "model"),
        "{node:#}"
    );
    let e = &delta["added_edges"][0];
    assert_eq!(
        (
            e["id"].as_str(),
            e["source"].as_str(),
            e["target"].as_str(),
            e["source_handle"].as_str()
        ),
        (
            Some(created[1]),
            Some(start.as_str()),
            Some(created[0]),
            Some("source")
        )
    );
    // The registry's defaults: the agent's model and an empty message list the inspector shows.
    let view = inspect(&s, &session, created[0]);
    assert_eq!(
        field(&view, &["subBlocks", "model", "value"])["kind"],
        "combobox"
    );
    assert!(field(&view, &["subBlocks", "model", "value"])["value"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    // One undo takes the block and its edge away together.
    let undone = call(&s, "undo", json!({"session": session}));
    assert_eq!(undone["delta"]["removed_nodes"], json!([created[0]]));
    assert_eq!(undone["delta"]["removed_edges"], json!([created[1]]));
    let redone = call(&s, "redo", json!({"session": session}));
    assert_eq!(redone["delta"]["added_nodes"].as_array().unwrap().len(), 1);
    assert_eq!(redone["delta"]["added_edges"].as_array().unwrap().len(), 1);
    // Bad requests name what is wrong, and change nothing.
    assert!(fails(&s, "apply_edits", json!({"session": session, "edits": [{"op": "add_node", "kind": "teleporter", "position": {"x": 0, "y": 0}}]})).contains("unknown block type `teleporter`"));
    let resp = add(
        &s,
        &session,
        "response",
        600.0,
        0.0,
        Some((&first[0], "source")),
    );
    assert!(fails(&s, "apply_edits", json!({"session": session, "edits": [{"op": "add_node", "kind": "agent", "position": {"x": 0, "y": 0}, "from": {"source": resp[0], "source_handle": "source"}}]})).contains("no output"));
    assert!(fails(&s, "apply_edits", json!({"session": session, "edits": [{"op": "add_node", "kind": "start_trigger", "position": {"x": 0, "y": 0}, "from": {"source": first[0], "source_handle": "source"}}]})).contains("takes no incoming"));
    assert!(fails(&s, "apply_edits", json!({"session": session, "edits": [{"op": "add_node", "kind": "agent", "name": "agent 2", "position": {"x": 0, "y": 0}}]})).contains("already named"));
    assert!(fails(&s, "apply_edits", json!({"session": session, "edits": [{"op": "add_node", "kind": "agent", "position": {"x": 1e300, "y": 0}}]})).contains("outside the canvas"));
}

#[test]
fn blocks_dropped_on_a_loop_go_inside_it_and_the_loops_table_follows() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let (session, opened) = create(&s, "workflow", "L");
    let start = opened["view"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let lp = add(&s, &session, "loop", 400.0, 100.0, Some((&start, "source")))[0].clone();
    // Dropped inside the loop's 500 x 300 box: it goes in, placed relative to the loop.
    let inner = add(&s, &session, "function", 450.0, 180.0, None)[0].clone();
    let node = call(
        &s,
        "open_document",
        json!({"id": call(&s, "list_documents", json!({}))["documents"][0]["id"]}),
    )["view"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == inner)
        .cloned()
        .unwrap();
    assert_eq!(node["parent"], json!(lp));
    assert_eq!(node["position"], json!({"x": 50.0, "y": 80.0}));
    // Connected from the loop's start: inside it too.
    let second = add(
        &s,
        &session,
        "agent",
        1200.0,
        900.0,
        Some((&lp, "loop-start-source")),
    )[0]
    .clone();
    call(&s, "save_now", json!({"session": session}));
    let exported: Value = serde_json::from_str(
        call(
            &s,
            "export_document",
            json!({"id": call(&s, "list_documents", json!({}))["documents"][0]["id"]}),
        )["text"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let state_json = exported.get("state").unwrap_or(&exported);
    let nodes: Vec<&str> = state_json["loops"][&lp]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        nodes.contains(&inner.as_str()) && nodes.contains(&second.as_str()),
        "{nodes:?}"
    );
    assert_eq!(state_json["blocks"][&second]["data"]["parentId"], json!(lp));
    // Undo takes the block out of the loops table again.
    call(&s, "undo", json!({"session": session}));
    call(&s, "save_now", json!({"session": session}));
    let exported: Value = serde_json::from_str(
        call(
            &s,
            "export_document",
            json!({"id": call(&s, "list_documents", json!({}))["documents"][0]["id"]}),
        )["text"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let state_json = exported.get("state").unwrap_or(&exported);
    let nodes: Vec<&str> = state_json["loops"][&lp]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(nodes, [inner.as_str()]);
}

#[test]
fn journey_states_come_from_the_palette_and_connect_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let (session, opened) = create(&s, "journey", "J");
    let root = opened["view"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let made = add(&s, &session, "chat", 0.0, 200.0, Some((&root, "source")));
    assert_eq!(made.len(), 2);
    let view = inspect(&s, &session, &made[0]);
    assert_eq!(
        field(&view, &["metadata", "journey_node", "kind"])["value"],
        "chat"
    );
    assert_eq!(field(&view, &["action"])["kind"], "long_text");
    let undone = call(&s, "undo", json!({"session": session}));
    assert_eq!(undone["delta"]["removed_nodes"], json!([made[0]]));
    assert!(fails(&s, "apply_edits", json!({"session": session, "edits": [{"op": "add_node", "kind": "end", "position": {"x": 0, "y": 0}}]})).contains("virtual end"));
    assert!(fails(&s, "apply_edits", json!({"session": session, "edits": [{"op": "add_node", "kind": "chat", "position": {"x": 0, "y": 0}, "from": {"source": "ghost"}}]})).contains("ghost"));
}

#[test]
fn the_inspector_is_typed_by_the_registry_and_shows_problems_at_their_field() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let (session, opened) = create(&s, "workflow", "W");
    let start = opened["view"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let agent = add(&s, &session, "agent", 300.0, 0.0, Some((&start, "source")))[0].clone();
    let cond = add(
        &s,
        &session,
        "condition",
        600.0,
        0.0,
        Some((&agent, "source")),
    )[0]
    .clone();
    let api = add(&s, &session, "api", 900.0, 0.0, None)[0].clone();
    let func = add(&s, &session, "function", 900.0, 300.0, None)[0].clone();

    let a = inspect(&s, &session, &agent);
    assert_eq!(
        (
            a["what"].as_str(),
            a["type_name"].as_str(),
            a["icon"].as_str()
        ),
        (Some("block"), Some("Agent"), Some("AgentIcon"))
    );
    assert_eq!(field(&a, &["name"])["kind"], "text");
    assert_eq!(
        field(&a, &["subBlocks", "messages", "value"])["kind"],
        "messages"
    );
    assert!(
        a["fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["path"] != json!(["subBlocks", "temperature", "value"])),
        "advanced fields wait for the toggle"
    );
    set(&s, &session, &agent, &["advancedMode"], json!(true));
    let a = inspect(&s, &session, &agent);
    let t = field(&a, &["subBlocks", "temperature", "value"]);
    assert_eq!(t["kind"], "slider");
    assert!(
        t["max"].as_f64().is_some() && t["min"].as_f64().is_some(),
        "{t:#}"
    );

    let c = inspect(&s, &session, &cond);
    let branches = field(&c, &["subBlocks", "conditions", "value"]);
    assert_eq!(branches["kind"], "branches");
    assert_eq!(
        branches["text_encoded"], true,
        "Sim stores branches as JSON text"
    );
    let titles: Vec<&str> = branches["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["if", "else"]);

    let p = inspect(&s, &session, &api);
    let headers = field(&p, &["subBlocks", "headers", "value"]);
    assert_eq!(headers["kind"], "table");
    let columns: Vec<&str> = headers["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["Key", "Value"]);
    let method = field(&p, &["subBlocks", "method", "value"]);
    assert_eq!(method["kind"], "select");
    assert!(method["options"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["id"] == "POST"));

    let st = inspect(&s, &session, &start);
    assert_eq!(
        field(&st, &["subBlocks", "inputFormat", "value"])["kind"],
        "rows"
    );

    // A JavaScript error in a branch is reported at the branches field.
    let mut list = branches["value"].clone();
    list[0]["value"] = json!("<agent.content> === ");
    set(
        &s,
        &session,
        &cond,
        &["subBlocks", "conditions", "value"],
        json!(list.to_string()),
    );
    let c = inspect(&s, &session, &cond);
    let at: Vec<&str> = field(&c, &["subBlocks", "conditions", "value"])["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(at.contains(&"W009"), "{c:#}");
    // And code errors at the code field.
    set(
        &s,
        &session,
        &func,
        &["subBlocks", "code", "value"],
        json!("return (1 +"),
    );
    let f = inspect(&s, &session, &func);
    let code = field(&f, &["subBlocks", "code", "value"]);
    assert_eq!(
        (code["kind"].as_str(), code["language"].as_str()),
        (Some("code"), Some("javascript"))
    );
    // The block has no incoming edge: that problem is the block's, not a field's.
    assert!(
        f["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "W003"),
        "{f:#}"
    );

    // A sub-block the registry does not know is raw JSON, kept.
    let mut block_json = serde_json::to_value(
        journey_studio::sim::registry::new_block(
            "api",
            "b1",
            "Raw",
            journey_studio::sim::Position::new(0.0, 0.0),
        )
        .unwrap(),
    )
    .unwrap();
    block_json["subBlocks"]["futureThing"] =
        json!({"id": "futureThing", "type": "hologram", "value": {"a": [1]}});
    let block: journey_studio::sim::Block = serde_json::from_value(block_json).unwrap();
    let fields = journey_studio::sim::registry::inspector_fields(&block);
    assert!(fields
        .iter()
        .any(|f| f.id == "futureThing" && f.problem.is_some()));

    // A rename through set_field keeps names unique; a field the block lacks is created.
    assert!(fails(&s, "apply_edits", json!({"session": session, "edits": [{"op": "set_field", "target": api, "path": ["name"], "value": "agent"}]})).contains("already named"));
    edit(
        &s,
        &session,
        json!([{"op": "set_field", "target": api, "path": ["subBlocks", "proxyUrl", "value"], "value": null}]),
    );
    let r = dispatch(
        &s,
        "apply_edits",
        json!({"session": session, "edits": [{"op": "set_field", "target": api, "path": ["subBlocks", "nonsense", "value"], "value": 1}]}),
    );
    assert!(r.unwrap_err().to_string().contains("no such field"));
}

#[test]
fn journey_properties_and_their_problems() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let (session, _) = create(&s, "journey", "Book a flight");
    let j = inspect(&s, &session, "journey");
    let conditions = field(&j, &["journey", "conditions"]);
    assert_eq!(conditions["kind"], "text_list");
    assert!(
        conditions["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "J014"),
        "{j:#}"
    );
    assert_eq!(field(&j, &["guidelines"])["kind"], "rows");
    let crit = field(&j, &["guidelines"])["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "criticality")
        .unwrap()
        .clone();
    assert_eq!(crit["options"].as_array().unwrap().len(), 3);
    assert_eq!(field(&j, &["context_variables"])["kind"], "rows");
    set(
        &s,
        &session,
        "journey",
        &["journey", "conditions"],
        json!(["The customer wants to book a flight"]),
    );
    set(
        &s,
        &session,
        "journey",
        &["guidelines"],
        json!([{"condition": "The customer asks about baggage", "action": "Explain the allowance", "criticality": "medium"}]),
    );
    set(
        &s,
        &session,
        "journey",
        &["context_variables"],
        json!([{"name": "home_airport", "description": "IATA code"}]),
    );
    let j = inspect(&s, &session, "journey");
    assert!(field(&j, &["journey", "conditions"])["diagnostics"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        field(&j, &["guidelines"])["value"][0]["criticality"],
        "medium"
    );
    assert_eq!(
        field(&j, &["context_variables"])["value"][0]["name"],
        "home_airport"
    );
    // A tool state's tools are rows of service and tool name.
    let root = call(
        &s,
        "open_document",
        json!({"id": call(&s, "list_documents", json!({}))["documents"][0]["id"]}),
    )["view"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let tool = add(&s, &session, "tool", 0.0, 200.0, Some((&root, "source")))[0].clone();
    let t = inspect(&s, &session, &tool);
    let tools = field(&t, &["tools"]);
    assert_eq!(tools["kind"], "rows");
    assert!(
        tools["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "J009"),
        "{t:#}"
    );
    set(
        &s,
        &session,
        &tool,
        &["tools"],
        json!([{"service_name": "travel", "tool_name": "search_flights"}]),
    );
    let t = inspect(&s, &session, &tool);
    assert!(field(&t, &["tools"])["diagnostics"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn references_offer_what_runs_before_a_block() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let (session, opened) = create(&s, "workflow", "W");
    let start = opened["view"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    set(
        &s,
        &session,
        &start,
        &["subBlocks", "inputFormat", "value"],
        json!([{"id": "f1", "name": "email", "type": "string", "value": "", "collapsed": false}]),
    );
    let agent = add(&s, &session, "agent", 300.0, 0.0, Some((&start, "source")))[0].clone();
    let cond = add(
        &s,
        &session,
        "condition",
        600.0,
        0.0,
        Some((&agent, "source")),
    )[0]
    .clone();
    let after = add(&s, &session, "function", 900.0, 0.0, None)[0].clone();
    let refs = call(&s, "references", json!({"session": session, "block": cond}));
    let texts: Vec<&str> = refs["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    for want in [
        "<agent.content>",
        "<agent.model>",
        "<start.email>",
        "<start.input>",
    ] {
        assert!(texts.contains(&want), "{want} in {texts:?}");
    }
    assert!(
        !texts
            .iter()
            .any(|t| t.starts_with("<condition.") || t.starts_with("<function.")),
        "nothing from itself or downstream: {texts:?}"
    );
    // The agent is nearer than the start: offered first.
    assert!(
        texts.iter().position(|t| *t == "<agent.content>")
            < texts.iter().position(|t| *t == "<start.email>")
    );
    let none = call(
        &s,
        "references",
        json!({"session": session, "block": after}),
    );
    assert!(
        none["references"].as_array().unwrap().is_empty(),
        "an unconnected block reads nothing"
    );
    // Inside a loop: the loop's variables, and what runs before the loop.
    let lp = add(&s, &session, "loop", 400.0, 600.0, Some((&agent, "source")))[0].clone();
    set(&s, &session, &lp, &["data", "loopType"], json!("forEach"));
    let inner = add(
        &s,
        &session,
        "function",
        0.0,
        0.0,
        Some((&lp, "loop-start-source")),
    )[0]
    .clone();
    let refs = call(
        &s,
        "references",
        json!({"session": session, "block": inner}),
    );
    let texts: Vec<&str> = refs["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    for want in [
        "<loop.index>",
        "<loop.currentItem>",
        "<loop.items>",
        "<agent.content>",
    ] {
        assert!(texts.contains(&want), "{want} in {texts:?}");
    }
    assert!(fails(
        &s,
        "references",
        json!({"session": session, "block": "ghost"})
    )
    .contains("ghost"));
    let (jsession, _) = create(&s, "journey", "J");
    assert!(fails(
        &s,
        "references",
        json!({"session": jsession, "block": "root"})
    )
    .contains("journey"));
}

#[test]
fn a_workflow_built_from_a_blank_canvas_validates_clean() {
    // start → agent → condition (two branches) → api / response, with typed fields.
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let (session, opened) = create(&s, "workflow", "Support triage");
    let start = opened["view"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    set(
        &s,
        &session,
        &start,
        &["subBlocks", "inputFormat", "value"],
        json!([{"id": "f1", "name": "message", "type": "string", "value": "", "collapsed": false}]),
    );
    let agent = add(&s, &session, "agent", 300.0, 0.0, Some((&start, "source")))[0].clone();
    set(
        &s,
        &session,
        &agent,
        &["subBlocks", "messages", "value"],
        json!([{"role": "system", "content": "Classify the message as billing or other."}, {"role": "user", "content": "<start.message>"}]),
    );
    let cond = add(
        &s,
        &session,
        "condition",
        650.0,
        0.0,
        Some((&agent, "source")),
    )[0]
    .clone();
    let branches = field(
        &inspect(&s, &session, &cond),
        &["subBlocks", "conditions", "value"],
    )["value"]
        .clone();
    let mut list = branches.clone();
    list[0]["value"] = json!("<agent.content>.includes('billing')");
    set(
        &s,
        &session,
        &cond,
        &["subBlocks", "conditions", "value"],
        json!(list.to_string()),
    );
    let if_handle = format!("condition-{}", list[0]["id"].as_str().unwrap());
    let else_handle = format!("condition-{}", list[1]["id"].as_str().unwrap());
    let api = add(
        &s,
        &session,
        "api",
        1000.0,
        -100.0,
        Some((&cond, &if_handle)),
    )[0]
    .clone();
    set(
        &s,
        &session,
        &api,
        &["subBlocks", "url", "value"],
        json!("https://billing.example.com/tickets"),
    );
    set(
        &s,
        &session,
        &api,
        &["subBlocks", "method", "value"],
        json!("POST"),
    );
    set(
        &s,
        &session,
        &api,
        &["subBlocks", "headers", "value"],
        json!([{"id": "h1", "cells": {"Key": "Content-Type", "Value": "application/json"}}]),
    );
    set(
        &s,
        &session,
        &api,
        &["subBlocks", "body", "value"],
        json!("{\"text\": \"<start.message>\"}"),
    );
    let resp = add(
        &s,
        &session,
        "response",
        1000.0,
        200.0,
        Some((&cond, &else_handle)),
    )[0]
    .clone();
    let _ = resp;
    let diags = diagnostics(&s, &session);
    no_errors_or_warnings(&diags);
    // The canvas draws the condition's branches and the API call on the nodes.
    let view = call(
        &s,
        "open_document",
        json!({"id": call(&s, "list_documents", json!({}))["documents"][0]["id"]}),
    )["view"]
        .clone();
    let cnode = view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == cond)
        .unwrap()
        .clone();
    assert!(
        cnode["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["label"] == "if" && f["value"].as_str().unwrap().contains("billing")),
        "{cnode:#}"
    );
    let anode = view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == api)
        .unwrap()
        .clone();
    assert_eq!(
        anode["fields"][0],
        json!({"label": "POST", "value": "https://billing.example.com/tickets"})
    );
    let labels: Vec<&str> = view["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["label"].as_str())
        .collect();
    assert!(
        labels.contains(&"if") && labels.contains(&"else"),
        "{labels:?}"
    );
}

#[test]
fn templates_saved_from_the_open_journey_are_listed_linted_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let text =
        std::fs::read_to_string(common::repo().join("fixtures/journeys/book-flight.json")).unwrap();
    let id = call(
        &s,
        "import_document",
        json!({"name": "flight", "content": text}),
    )["id"]
        .clone();
    let session = call(&s, "open_document", json!({"id": id}))["session"]
        .as_str()
        .unwrap()
        .to_string();
    let texts = call(&s, "template_texts", json!({"session": session}));
    let texts: Vec<&str> = texts["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&"Book Flight") && texts.contains(&"Ask if they have a destination in mind"),
        "{texts:?}"
    );
    assert!(
        !texts.contains(&"ask-destination"),
        "ids are not texts to parameterise"
    );
    let saved = call(
        &s,
        "template_save",
        json!({"session": session, "id": "flight-booking", "name": "Flight booking", "params": [{"name": "title", "text": "Book Flight", "description": "the journey's title"}]}),
    );
    assert_eq!(saved["entry"]["version"], "1.0.0");
    assert_eq!(saved["problems"], json!([]), "{saved:#}");
    let path = Path::new(saved["path"].as_str().unwrap());
    assert!(path.is_file() && path.starts_with(dir.path()), "{path:?}");
    let list = call(&s, "templates_list", json!({"query": "flight"}));
    assert!(list["templates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == "flight-booking" && t["source"] != "built-in"));
    assert!(fails(
        &s,
        "template_save",
        json!({"session": session, "id": "flight-booking", "params": []})
    )
    .contains("already exists"));
    assert!(fails(
        &s,
        "template_save",
        json!({"session": session, "id": "Bad Id", "params": []})
    )
    .contains("lowercase"));
    assert!(fails(
        &s,
        "template_save",
        json!({"session": session, "id": "x", "version": "one", "params": []})
    )
    .contains("semantic version"));
    assert!(fails(&s, "template_save", json!({"session": session, "id": "y", "params": [{"name": "p", "text": "not in the journey"}]})).contains("appears in no"));
    // Instantiated with its defaults it gives the journey back; with a value, the title changes.
    let made = call(
        &s,
        "create_document",
        json!({"kind": "template", "name": "", "template": "flight-booking", "params": {"title": "Book a trip"}}),
    );
    let opened = call(&s, "open_document", json!({"id": made["id"]}));
    let root = opened["view"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "root")
        .unwrap()
        .clone();
    assert_eq!(root["label"], "Book a trip");
    // Versions side by side; parameters checked as typed.
    let all = call(
        &s,
        "templates_list",
        json!({"query": "support-triage", "all_versions": true}),
    );
    let versions: Vec<&str> = all["templates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["id"] == "support-triage")
        .map(|t| t["version"].as_str().unwrap())
        .collect();
    assert!(
        versions.contains(&"1.0.0") && versions.contains(&"1.1.0"),
        "{versions:?}"
    );
    let checked = call(
        &s,
        "template_check",
        json!({"id": "refund-request", "params": {"company": "X"}}),
    );
    assert!(
        checked["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["at"] == "parameters.company"),
        "{checked:#}"
    );
    let ok = call(
        &s,
        "template_check",
        json!({"id": "refund-request", "params": {"company": "Harbor & Pine"}}),
    );
    assert_eq!(ok["problems"], json!([]));
    assert_eq!(
        call(&s, "template_lint", json!({"id": "flight-booking"}))["problems"],
        json!([])
    );
}
