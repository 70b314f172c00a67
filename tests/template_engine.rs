//! The template engine: parameter types and constraints, sections, placeholders, `extends`,
//! `composes`, and each error case, on small templates written here.

use journey_studio::template::{self, Library, Problem, Source, Template};
use journey_studio::{Document, Error};
use serde_json::{json, Map, Value};

fn tpl(value: Value) -> Template {
    let mut value = value;
    let obj = value.as_object_mut().unwrap();
    obj.entry("format")
        .or_insert(json!("journey-studio-template"));
    obj.entry("version").or_insert(json!("1.0.0"));
    obj.entry("name").or_insert(json!("test"));
    Template::parse("test.json", &value.to_string()).unwrap()
}

/// A journey body: root → the given nodes/edges (each node a chat state unless it says).
fn journey(nodes: Value, edges: Value) -> Value {
    let mut all = vec![json!({"id": "root", "action": null, "tools": [], "metadata": {}})];
    all.extend(nodes.as_array().unwrap().iter().cloned());
    json!({"format": "parlant-journey", "version": 1,
        "journey": {"title": "T", "description": "D", "conditions": ["the customer needs help"], "root_id": "root"},
        "nodes": all, "edges": edges})
}

fn chat(id: &str, action: &str) -> Value {
    json!({"id": id, "action": action, "tools": [], "metadata": {"journey_node": {"kind": "chat"}}})
}

fn edge(id: &str, s: &str, t: &str, c: Option<&str>) -> Value {
    json!({"id": id, "source": s, "target": t, "condition": c})
}

fn params(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn library(templates: &[&Template]) -> Library {
    let mut lib = Library::empty();
    for t in templates {
        lib.add(
            (*t).clone(),
            Source::File(format!("{}.json", t.key()).into()),
        );
    }
    lib
}

fn journey_of(
    result: Result<template::Instance, Error>,
) -> journey_studio::parlant::JourneyDocument {
    match result.unwrap_or_else(|e| panic!("{e}")).document {
        Document::Journey(j) => j,
        other => panic!("not a journey: {:?}", other.kind()),
    }
}

fn problems(result: Result<template::Instance, Error>) -> Vec<Problem> {
    match result {
        Err(Error::Template { problems, .. }) => problems,
        Err(other) => panic!("not a template error: {other}"),
        Ok(_) => panic!("instantiated, but problems were expected"),
    }
}

fn has(problems: &[Problem], at: &str, text: &str) -> bool {
    problems
        .iter()
        .any(|p| p.at.contains(at) && p.message.contains(text))
}

/// One template using a parameter of every type, each in a chat state's action.
fn every_type() -> Template {
    tpl(json!({
        "id": "every-type",
        "parameters": [
            {"name": "company", "type": "string", "required": true, "min": 2, "max": 10, "pattern": "[A-Z][a-z]+"},
            {"name": "hours", "type": "number", "integer": true, "min": 1, "max": 72, "default": 24},
            {"name": "callback", "type": "boolean", "default": false},
            {"name": "tier", "type": "enum", "values": ["free", "pro"], "default": "free"},
            {"name": "teams", "type": "list", "min": 1, "max": 3, "items": {"type": "string", "min": 2}, "default": ["billing"]},
            {"name": "faqs", "type": "list", "default": [], "items": {"type": "object", "fields": [
                {"name": "q", "type": "string", "required": true}, {"name": "level", "type": "enum", "values": ["a", "b"]}]}}
        ],
        "body": journey(json!([
            chat("greet", "Hello from {{company}}, we reply within {{hours}} hours ({{tier}}; callback {{callback}})"),
            chat("teams", "Teams: {{teams}}"),
            {"$each": "faqs", "$as": "f", "$do": [chat("faq-{{f.q|slug}}", "{{f.q}} ({{f.level}})")]}
        ]), json!([edge("e1", "root", "greet", None), edge("e2", "greet", "teams", None), edge("e3", "teams", "end", None)]))
    }))
}

#[test]
fn every_parameter_type_is_substituted() {
    let t = every_type();
    let lib = library(&[&t]);
    let j = journey_of(template::instantiate(
        &lib,
        &t,
        &params(json!({"company": "Acme", "callback": true, "teams": ["billing", "tech"]})),
    ));
    assert_eq!(
        j.node("greet").unwrap().action_text(),
        Some("Hello from Acme, we reply within 24 hours (free; callback true)")
    );
    assert_eq!(
        j.node("teams").unwrap().action_text(),
        Some("Teams: billing, tech")
    );
}

#[test]
fn every_constraint_is_checked_and_all_problems_come_at_once() {
    let t = every_type();
    let lib = library(&[&t]);
    let found = problems(template::instantiate(
        &lib,
        &t,
        &params(json!({
            "company": "acme corporation",       // too long, and does not match the pattern
            "hours": 2.5,                        // not whole
            "callback": "yes",                   // not a boolean
            "tier": "gold",                      // not an allowed value
            "teams": ["billing", "x", "ab", "cd"], // too many, and "x" too short
            "faqs": [{"level": "c", "extra": 1}],// missing q, bad enum, unknown field
            "colour": "red"                      // unknown parameter
        })),
    ));
    assert!(
        has(&found, "parameters.company", "more than the maximum 10"),
        "{found:#?}"
    );
    assert!(
        has(&found, "parameters.company", "does not match the pattern"),
        "{found:#?}"
    );
    assert!(
        has(&found, "parameters.hours", "not a whole number"),
        "{found:#?}"
    );
    assert!(
        has(
            &found,
            "parameters.callback",
            "expected a boolean, got a string"
        ),
        "{found:#?}"
    );
    assert!(
        has(
            &found,
            "parameters.tier",
            "not one of the allowed values: free, pro"
        ),
        "{found:#?}"
    );
    assert!(
        has(
            &found,
            "parameters.teams",
            "4 items is more than the maximum 3"
        ),
        "{found:#?}"
    );
    assert!(
        has(&found, "parameters.teams[1]", "less than the minimum 2"),
        "{found:#?}"
    );
    assert!(
        has(&found, "parameters.faqs[0].q", "a value is required"),
        "{found:#?}"
    );
    assert!(
        has(
            &found,
            "parameters.faqs[0].level",
            "not one of the allowed values"
        ),
        "{found:#?}"
    );
    assert!(
        has(&found, "parameters.faqs[0]", "unknown field `extra`"),
        "{found:#?}"
    );
    assert!(
        has(&found, "parameters.colour", "no parameter `colour`"),
        "{found:#?}"
    );
    assert_eq!(found.len(), 11, "{found:#?}");

    let found = problems(template::instantiate(
        &lib,
        &t,
        &params(json!({"hours": 0, "teams": []})),
    ));
    assert!(
        has(&found, "parameters.company", "a value is required"),
        "{found:#?}"
    );
    assert!(
        has(&found, "parameters.hours", "less than the minimum 1"),
        "{found:#?}"
    );
    assert!(
        has(
            &found,
            "parameters.teams",
            "0 items is less than the minimum 1"
        ),
        "{found:#?}"
    );
    // The error message lists every problem.
    let message = template::instantiate(&lib, &t, &Map::new())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("template `every-type@1.0.0`: 1 problem:")
            && message.contains("a value is required"),
        "{message}"
    );
}

#[test]
fn command_line_values_are_read_by_type() {
    let t = every_type();
    let spec = |n: &str| t.param(n);
    assert_eq!(template::value_from_text(spec("hours"), "8"), json!(8));
    assert_eq!(
        template::value_from_text(spec("callback"), "yes"),
        json!(true)
    );
    assert_eq!(
        template::value_from_text(spec("teams"), "billing, tech"),
        json!(["billing", "tech"])
    );
    assert_eq!(
        template::value_from_text(spec("teams"), "[\"a, b\"]"),
        json!(["a, b"])
    );
    assert_eq!(
        template::value_from_text(spec("company"), "42"),
        json!("42")
    );
    // A number that is not one stays text, and the parameter check then says so.
    assert_eq!(
        template::value_from_text(spec("hours"), "soon"),
        json!("soon")
    );
}

#[test]
fn values_with_quotes_backslashes_and_newlines_stay_inside_their_string() {
    let t = every_type();
    let lib = library(&[&t]);
    let t2 = tpl(
        json!({"id": "esc", "parameters": [{"name": "text", "type": "string"}],
        "body": journey(json!([chat("a", "Say: {{text}}")]), json!([edge("e1", "root", "a", None), edge("e2", "a", "end", None)]))}),
    );
    let lib2 = library(&[&t2]);
    let hostile = "\", \"injected\": true, \"x\": \"\\\n}{{nope}}";
    let j = journey_of(template::instantiate(
        &lib2,
        &t2,
        &params(json!({"text": hostile})),
    ));
    assert_eq!(
        j.node("a").unwrap().action_text(),
        Some(format!("Say: {hostile}").as_str())
    );
    assert!(
        j.node("a").unwrap().extra.is_empty(),
        "nothing was injected beside the action"
    );
    // The document written out reads back the same.
    let text = j.to_json();
    let back = journey_studio::parlant::JourneyDocument::parse("x", &text).unwrap();
    assert_eq!(back, j);
    drop(lib);
}

#[test]
fn when_sections_choose_items_and_else_branches() {
    let t = tpl(json!({"id": "cond",
    "parameters": [{"name": "callback", "type": "boolean", "default": false},
                   {"name": "tier", "type": "enum", "values": ["free", "pro", "vip"], "default": "free"}],
    "body": journey(json!([
        chat("a", "Hello"),
        {"$when": "callback && tier != 'free'", "$then": [chat("cb", "Offer a callback")]}
    ]), json!([
        edge("e1", "root", "a", None),
        {"$when": "callback and (tier == 'pro' or tier == 'vip')",
         "$then": [edge("e2", "a", "cb", None), edge("e3", "cb", "end", None)],
         "$else": [edge("e2", "a", "end", None)]}
    ]))}));
    let lib = library(&[&t]);
    let j = journey_of(template::instantiate(&lib, &t, &Map::new()));
    assert!(j.node("cb").is_none());
    assert_eq!(
        j.edges
            .iter()
            .map(|e| e.target.as_str())
            .collect::<Vec<_>>(),
        ["a", "end"]
    );
    let j = journey_of(template::instantiate(
        &lib,
        &t,
        &params(json!({"callback": true, "tier": "vip"})),
    ));
    assert!(j.node("cb").is_some());
    assert_eq!(
        j.edges
            .iter()
            .map(|e| e.target.as_str())
            .collect::<Vec<_>>(),
        ["a", "cb", "end"]
    );
}

#[test]
fn each_sections_repeat_with_position_next_and_filter() {
    let t = tpl(json!({"id": "steps",
    "parameters": [{"name": "steps", "type": "list", "items": {"type": "object", "fields": [
        {"name": "key", "type": "string", "required": true}, {"name": "text", "type": "string", "required": true},
        {"name": "optional", "type": "boolean"}]}}],
    "body": journey(json!([
        {"$each": "steps", "$as": "s", "$position": "n", "$do": [chat("step-{{s.key}}", "Step {{n}}: {{s.text}}")]}
    ]), json!([
        {"$each": "steps", "$as": "s", "$position": "n", "$when": "n == 1", "$do": [edge("first", "root", "step-{{s.key}}", Some("the customer starts at the beginning"))]},
        {"$each": "steps", "$as": "s", "$next": "after", "$do": [
            {"$when": "after", "$then": [edge("{{s.key}}-next", "step-{{s.key}}", "step-{{after.key}}", None)],
             "$else": [edge("{{s.key}}-end", "step-{{s.key}}", "end", None)]}]},
        {"$each": "steps", "$as": "s", "$when": "s.optional", "$do": [edge("skip-{{s.key}}", "root", "step-{{s.key}}", Some("the customer wants to skip ahead"))]}
    ]))}));
    let lib = library(&[&t]);
    let j = journey_of(template::instantiate(
        &lib,
        &t,
        &params(json!({"steps": [
        {"key": "install", "text": "Install the app"}, {"key": "sync", "text": "Sync", "optional": true}, {"key": "share", "text": "Share"}]})),
    ));
    let actions: Vec<_> = j.nodes.iter().filter_map(|n| n.action_text()).collect();
    assert_eq!(
        actions,
        ["Step 1: Install the app", "Step 2: Sync", "Step 3: Share"]
    );
    let edges: Vec<_> = j
        .edges
        .iter()
        .map(|e| format!("{}:{}->{}", e.id, e.source, e.target))
        .collect();
    assert_eq!(
        edges,
        [
            "first:root->step-install",
            "install-next:step-install->step-sync",
            "sync-next:step-sync->step-share",
            "share-end:step-share->end",
            "skip-sync:root->step-sync"
        ]
    );
}

#[test]
fn whole_string_placeholders_keep_their_type_and_escapes_stay_literal() {
    let t = tpl(json!({"id": "typed",
        "parameters": [{"name": "priority", "type": "number", "default": 3}, {"name": "conds", "type": "list", "items": {"type": "string"}, "default": ["a", "b"]}],
        "body": {"format": "parlant-journey", "version": 1,
            "journey": {"title": "T", "description": "Priority {{priority}}, key \\{{OPENAI_API_KEY}}", "conditions": "{{conds}}", "root_id": "root", "priority": "{{priority}}"},
            "nodes": [{"id": "root"}], "edges": [{"id": "done", "source": "root", "target": "end"}]}}));
    let lib = library(&[&t]);
    let j = journey_of(template::instantiate(&lib, &t, &Map::new()));
    assert_eq!(j.journey.conditions, ["a", "b"]);
    assert_eq!(j.journey.priority.get().and_then(|n| n.as_i64()), Some(3));
    assert_eq!(j.journey.description, "Priority 3, key {{OPENAI_API_KEY}}");
}

#[test]
fn sim_workflow_bodies_take_sections_in_the_blocks_map() {
    let block = |id: &str, kind: &str, name: &str| {
        json!({"id": id, "type": kind, "name": name, "position": {"x": 0, "y": 0},
        "subBlocks": {}, "outputs": {}, "enabled": true})
    };
    let mut agent = block("agent-1", "agent", "{{agent_name}}");
    agent["subBlocks"] =
        json!({"apiKey": {"id": "apiKey", "type": "short-input", "value": "\\{{OPENAI_API_KEY}}"}});
    let t = tpl(json!({"id": "wf",
        "parameters": [{"name": "agent_name", "type": "string", "default": "Support agent"}, {"name": "notify", "type": "boolean", "default": true}],
        "body": {"blocks": {"start": block("start", "start_trigger", "Start"), "agent-1": agent,
                            "$slack": {"$when": "notify", "$then": {"slack-1": block("slack-1", "slack", "Notify")}}},
                 "edges": [{"id": "e1", "source": "start", "target": "agent-1"},
                           {"$when": "notify", "$then": [{"id": "e2", "source": "agent-1", "target": "slack-1"}]}],
                 "loops": {}, "parallels": {}}}));
    let lib = library(&[&t]);
    let instance = template::instantiate(&lib, &t, &Map::new()).unwrap();
    let Document::Sim(doc) = &instance.document else {
        panic!("not a workflow")
    };
    let text = doc.to_json();
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["blocks"]["agent-1"]["name"], "Support agent");
    assert_eq!(
        value["blocks"]["agent-1"]["subBlocks"]["apiKey"]["value"],
        "{{OPENAI_API_KEY}}"
    );
    assert!(value["blocks"].get("slack-1").is_some() && value["blocks"].get("$slack").is_none());
    let instance = template::instantiate(&lib, &t, &params(json!({"notify": false}))).unwrap();
    let value: Value = serde_json::from_str(&instance.document.to_json()).unwrap();
    assert!(value["blocks"].get("slack-1").is_none());
    assert_eq!(value["edges"].as_array().unwrap().len(), 1);
}

#[test]
fn lint_reports_undeclared_unused_and_malformed_at_once() {
    let t = tpl(json!({"id": "broken",
        "parameters": [
            {"name": "unused", "type": "string"},
            {"name": "tier", "type": "enum", "values": []},
            {"name": "code", "type": "string", "pattern": "([a-z", "default": "x"},
            {"name": "n", "type": "number", "min": 5, "max": 1},
            {"name": "size", "type": "number", "max": 3, "default": 9},
            {"name": "word", "type": "string"},
            {"name": "items", "type": "list", "items": {"type": "object", "fields": [{"name": "a", "type": "string"}]}}
        ],
        "body": journey(json!([
            chat("a", "{{company}} {{tier}} {{code}} {{n}} {{size}} {{word}}"),
            chat("b", "{{open"),
            {"$when": "tier = 'x'", "$then": [chat("c", "C")]},
            {"$each": "word", "$do": [chat("d", "D")]},
            {"$each": "items", "$as": "i", "$do": [chat("e-{{i.b}}", "E")]},
            {"$when": "true", "$then": [], "$unknown": 1}
        ]), json!([]))}));
    let found = template::lint(&library(&[&t]), &t);
    assert!(
        has(
            &found,
            "body.nodes[1].action",
            "`company` is not a declared parameter"
        ),
        "{found:#?}"
    );
    assert!(
        has(&found, "parameters.unused", "declared but never used"),
        "{found:#?}"
    );
    assert!(
        has(&found, "parameters.tier", "non-empty list of `values`"),
        "{found:#?}"
    );
    assert!(
        has(&found, "parameters.code", "not a valid regular expression"),
        "{found:#?}"
    );
    assert!(
        has(&found, "parameters.n", "min 5 is greater than max 1"),
        "{found:#?}"
    );
    assert!(
        has(&found, "parameters.size.default", "more than the maximum 3"),
        "{found:#?}"
    );
    assert!(
        has(&found, "body.nodes[2].action", "not closed"),
        "{found:#?}"
    );
    assert!(
        has(&found, "body.nodes[3][\"$when\"]", "compare with `==`"),
        "{found:#?}"
    );
    assert!(
        has(
            &found,
            "body.nodes[4][\"$each\"]",
            "needs a list, but `word` is string"
        ),
        "{found:#?}"
    );
    assert!(
        has(&found, "body.nodes[5]", "`i.b` has no field `b`"),
        "{found:#?}"
    );
    assert!(
        has(&found, "body.nodes[6]", "`$unknown` does not belong here"),
        "{found:#?}"
    );
    assert!(found.len() >= 11);
    // Instantiation refuses a template with lint problems, listing them.
    assert!(matches!(
        template::instantiate(&library(&[&t]), &t, &Map::new()),
        Err(Error::Template { .. })
    ));
}

#[test]
fn bodies_that_are_not_documents_and_broken_results_are_refused() {
    let t = tpl(json!({"id": "nobody", "body": {"hello": 1}}));
    assert!(has(
        &template::lint(&library(&[&t]), &t),
        "body",
        "must be a journey document"
    ));
    let t = tpl(
        json!({"id": "dangling", "body": journey(json!([chat("a", "A")]), json!([edge("e1", "root", "a", None), edge("e2", "a", "nowhere", None)]))}),
    );
    let found = problems(template::instantiate(&library(&[&t]), &t, &Map::new()));
    assert!(
        has(&found, "edges[1] (e2)", "target `nowhere` is not a state"),
        "{found:#?}"
    );
    let t = tpl(
        json!({"id": "dup", "parameters": [{"name": "x", "type": "list", "items": {"type": "string"}, "default": ["a", "a"]}],
        "body": journey(json!([{"$each": "x", "$do": [chat("s-{{item}}", "S")]}]), json!([]))}),
    );
    let err = template::instantiate(&library(&[&t]), &t, &Map::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("duplicate node id `s-a`"), "{err}");
}

// ------------------------------------------------------------------------------------------
// extends

fn parent(version: &str, greeting: &str) -> Template {
    tpl(json!({"id": "base", "version": version,
        "parameters": [{"name": "company", "type": "string", "default": "Acme"}, {"name": "hours", "type": "number", "default": 24}],
        "body": journey(json!([chat("greet", greeting), chat("confirm", "We reply within {{hours}} hours")]),
            json!([edge("e1", "root", "greet", None), edge("e2", "greet", "confirm", None), edge("e3", "confirm", "end", None)]))}))
}

#[test]
fn extends_overrides_nodes_edges_and_parameters_and_picks_the_newest_version_in_range() {
    let v1 = parent("1.0.0", "Hello from {{company}}");
    let v12 = parent("1.2.0", "Welcome to {{company}}");
    let v2 = parent("2.0.0", "Hi, {{company}} here");
    let child = tpl(json!({"id": "child", "extends": "base@^1",
        "parameters": [{"name": "hours", "default": 4}, {"name": "manager", "type": "string", "default": "Sam"}],
        "body": {"journey": {"title": "Child"},
            "nodes": [{"id": "confirm", "action": "{{manager}} replies within {{hours}} hours"}, chat("callback", "Offer a callback")],
            "edges": [{"id": "e3", "target": "callback"}, edge("e4", "callback", "end", None)]}}));
    let lib = library(&[&v1, &v12, &v2, &child]);
    let instance = template::instantiate(&lib, &child, &Map::new()).unwrap();
    assert_eq!(instance.parents, ["base@1.2.0"]);
    let Document::Journey(j) = instance.document else {
        panic!()
    };
    assert_eq!(j.journey.title, "Child");
    assert_eq!(
        j.journey.description, "D",
        "fields the child does not set are the parent's"
    );
    assert_eq!(
        j.node("greet").unwrap().action_text(),
        Some("Welcome to Acme"),
        "newest 1.x parent"
    );
    assert_eq!(
        j.node("confirm").unwrap().action_text(),
        Some("Sam replies within 4 hours")
    );
    assert_eq!(
        j.node("confirm").unwrap().declared_kind(),
        Some("chat"),
        "the parent's fields stay"
    );
    let e3 = j.edges.iter().find(|e| e.id == "e3").unwrap();
    assert_eq!(
        (e3.source.as_str(), e3.target.as_str()),
        ("confirm", "callback")
    );
    assert_eq!(j.edges.len(), 4);

    // Removing a parent's node, edge and parameter.
    let trimmed = tpl(json!({"id": "trimmed", "extends": "base@=1.0.0",
        "parameters": [{"name": "hours", "$remove": true}],
        "body": {"nodes": [{"id": "confirm", "$remove": true}],
                 "edges": [{"id": "e2", "target": "end"}, {"id": "e3", "$remove": true}]}}));
    let lib = library(&[&v1, &v12, &trimmed]);
    let j = journey_of(template::instantiate(&lib, &trimmed, &Map::new()));
    assert!(j.node("confirm").is_none());
    assert_eq!(
        j.node("greet").unwrap().action_text(),
        Some("Hello from Acme")
    );
    assert_eq!(j.edges.len(), 2);
    assert!(problems(template::instantiate(
        &lib,
        &trimmed,
        &params(json!({"hours": 1}))
    ))
    .iter()
    .any(|p| p.message.contains("no parameter `hours`")));
}

#[test]
fn extends_errors_unknown_template_range_matching_nothing_and_cycles() {
    let v1 = parent("1.0.0", "Hello {{company}} {{hours}}");
    let unknown = tpl(json!({"id": "orphan", "extends": "nope@^1"}));
    let lib = library(&[&v1, &unknown]);
    let found = template::lint(&lib, &unknown);
    assert!(
        has(&found, "extends", "no template `nope` in the library"),
        "{found:#?}"
    );

    let out_of_range = tpl(json!({"id": "future", "extends": "base@^3"}));
    let found = template::lint(&library(&[&v1, &out_of_range]), &out_of_range);
    assert!(
        has(
            &found,
            "extends",
            "has versions 1.0.0; none matches the range `^3`"
        ),
        "{found:#?}"
    );

    let bad_range = tpl(json!({"id": "weird", "extends": "base@not-a-range"}));
    assert!(has(
        &template::lint(&library(&[&v1]), &bad_range),
        "extends",
        "is not a semver range"
    ));

    let a = tpl(json!({"id": "a", "extends": "b"}));
    let b = tpl(json!({"id": "b", "extends": "c"}));
    let c = tpl(json!({"id": "c", "extends": "a"}));
    let lib = library(&[&a, &b, &c]);
    let found = template::lint(&lib, &a);
    assert!(
        found
            .iter()
            .any(|p| p.message.contains("cycle: a → b → c → a")),
        "{found:#?}"
    );
    let err = template::instantiate(&lib, &a, &Map::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("cycle"), "{err}");
}

// ------------------------------------------------------------------------------------------
// composes

fn verification() -> Template {
    tpl(
        json!({"id": "verify", "parameters": [{"name": "channel", "type": "enum", "values": ["sms", "email"], "default": "sms"}],
            "body": journey(json!([
                chat("ask", "Send a code by {{channel}}"),
                chat("ok", "Verified"),
                chat("failed", "Could not verify")
            ]), json!([
                edge("start", "root", "ask", None),
                edge("right", "ask", "ok", Some("the code is correct")),
                edge("wrong", "ask", "failed", Some("the code is wrong")),
                edge("ok-end", "ok", "end", Some("the customer is done")),
                edge("again", "ok", "ask", Some("the customer wants another code")),
                edge("failed-end", "failed", "end", None)
            ])),
        }),
    )
}

fn host(compose: Value) -> Template {
    tpl(
        json!({"id": "host", "parameters": [{"name": "via", "type": "string", "default": "email"}],
        "composes": [compose],
        "body": journey(json!([chat("hello", "Hello, we write by {{via}}"), chat("refund", "Refund the order")]),
            json!([edge("e1", "root", "hello", None), edge("e2", "hello", "check", None), edge("e3", "refund", "end", None)]))}),
    )
}

#[test]
fn composes_embeds_the_sub_journey_at_its_entry_and_exits() {
    let sub = verification();
    let t = host(
        json!({"template": "verify@^1", "as": "check", "with": {"channel": "{{via}}"}, "exit": "refund", "exits": {"failed": "end"}}),
    );
    let lib = library(&[&sub, &t]);
    let j = journey_of(template::instantiate(&lib, &t, &Map::new()));
    let ids: Vec<_> = j.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "root",
            "hello",
            "refund",
            "check-ask",
            "check-ok",
            "check-failed"
        ]
    );
    assert_eq!(
        j.node("check-ask").unwrap().action_text(),
        Some("Send a code by email"),
        "`with` takes the host's values"
    );
    let target = |id: &str| {
        j.edges
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.target.as_str())
    };
    assert_eq!(
        target("e2"),
        Some("check-ask"),
        "the host enters at the sub-journey's entry"
    );
    assert_eq!(
        target("check-ok-end"),
        Some("refund"),
        "the sub-journey's end leads to the exit"
    );
    assert_eq!(
        target("check-failed-end"),
        Some("end"),
        "a named exit goes elsewhere"
    );
    assert!(
        j.edges.iter().all(|e| e.id != "check-start"),
        "the sub-journey's root is dropped"
    );

    // An explicit entry.
    let t = host(json!({"template": "verify", "as": "check", "entry": "ok", "exit": "refund"}));
    let j = journey_of(template::instantiate(
        &library(&[&sub, &t]),
        &t,
        &Map::new(),
    ));
    assert_eq!(
        j.edges.iter().find(|e| e.id == "e2").unwrap().target,
        "check-ok"
    );
}

#[test]
fn composes_errors_are_clear() {
    let sub = verification();
    let cases = [
        (
            json!({"template": "verify", "as": "elsewhere"}),
            "never entered",
        ),
        (
            json!({"template": "verify", "as": "hello"}),
            "also the id of a state of the host",
        ),
        (
            json!({"template": "verify", "as": "check", "exit": "nowhere"}),
            "exit `nowhere` is not a state of the host",
        ),
        (
            json!({"template": "verify", "as": "check", "entry": "root"}),
            "entry `root` is not a state of the embedded journey",
        ),
        (
            json!({"template": "verify", "as": "check", "exits": {"ask": "end"}}),
            "has no transition to `end` to rewire",
        ),
    ];
    for (compose, expected) in cases {
        let t = host(compose.clone());
        let found = problems(template::instantiate(
            &library(&[&sub, &t]),
            &t,
            &Map::new(),
        ));
        assert!(
            found.iter().any(|p| p.message.contains(expected)),
            "{compose}: {found:#?}"
        );
    }
    // Lint-time errors: unknown template, wrong `with` parameter, bad value for the sub-template.
    let t = host(json!({"template": "missing@^1", "as": "check"}));
    assert!(has(
        &template::lint(&library(&[&sub, &t]), &t),
        "composes[0]",
        "no template `missing`"
    ));
    let t = host(json!({"template": "verify", "as": "check", "with": {"colour": "{{via}}"}}));
    assert!(has(
        &template::lint(&library(&[&sub, &t]), &t),
        "composes[0].with.colour",
        "has no parameter `colour`"
    ));
    let t = host(json!({"template": "verify", "as": "check", "with": {"channel": "{{via}}"}}));
    let found = problems(template::instantiate(
        &library(&[&sub, &t]),
        &t,
        &params(json!({"via": "pigeon"})),
    ));
    assert!(
        has(
            &found,
            "composes[0] (verify@1.0.0) > parameters.channel",
            "`pigeon` is not one of the allowed values"
        ),
        "{found:#?}"
    );

    // A journey that composes itself, directly or not.
    let a = tpl(
        json!({"id": "a", "composes": [{"template": "b", "as": "inner"}],
        "body": journey(json!([]), json!([edge("e1", "root", "inner", None)]))}),
    );
    let b = tpl(
        json!({"id": "b", "composes": [{"template": "a", "as": "inner"}],
        "body": journey(json!([]), json!([edge("e1", "root", "inner", None)]))}),
    );
    let lib = library(&[&a, &b]);
    let found = template::lint(&lib, &a);
    assert!(
        found.iter().any(|p| p.message.contains("cycle: a → b → a")),
        "{found:#?}"
    );
}

#[test]
fn nested_repetition_is_bounded() {
    let t = tpl(
        json!({"id": "blowup", "parameters": [{"name": "xs", "type": "list", "items": {"type": "number"}}],
        "body": journey(json!([{"$each": "xs", "$as": "a", "$do": [{"$each": "xs", "$as": "b", "$do": [{"$each": "xs", "$as": "c",
            "$do": [chat("n-{{a}}-{{b}}-{{c}}", "N")]}]}]}]), json!([]))}),
    );
    let xs: Vec<i32> = (0..1000).collect();
    let found = problems(template::instantiate(
        &library(&[&t]),
        &t,
        &params(json!({"xs": xs})),
    ));
    assert!(
        found
            .iter()
            .any(|p| p.message.contains("would repeat more than 10000 times")),
        "{found:?}"
    );
}
