//! Issue 14 against a REAL Parlant 3.3.2 server (started once for this binary): a journey with
//! validation errors is refused before any request; a journey's guidelines, context variables
//! and tags are pushed through Parlant's REST API, re-pushed without a change, edited in place,
//! pulled back equal, and a failed push leaves none of them behind.

#[path = "common/servers.rs"]
mod servers;

use journey_studio::json::Maybe;
use journey_studio::parlant::{ContextVariable, Guideline, JourneyDocument};
use journey_studio::store::{Remote, RemoteKind, Store};
use journey_studio::sync::engine::{self, PullOutcome, PushOptions, PushOutcome};
use journey_studio::sync::parlant::{projection_hash, ParlantClient};
use journey_studio::Document;
use serde_json::{json, Value};
use servers::{fault_proxy, Fault};

/// Tests in this file that use the server (the last one to finish stops it).
const USERS: usize = 3;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn workspace(url: &str, agent: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("ws.db")).unwrap();
    let mut options = serde_json::Map::new();
    options.insert("agent".into(), agent.into());
    store
        .add_remote(&Remote {
            name: "parlant".into(),
            kind: RemoteKind::Parlant,
            url: url.into(),
            options,
        })
        .unwrap();
    (dir, store)
}

fn get(url: &str, path: &str) -> Value {
    rt().block_on(async {
        reqwest::get(format!("{url}{path}"))
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    })
}

fn status(url: &str, path: &str) -> u16 {
    rt().block_on(async {
        reqwest::get(format!("{url}{path}"))
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

/// A journey relying on a tag, two guidelines (one with an id) and two context variables.
fn journey(title: &str) -> JourneyDocument {
    let text = json!({
        "format": "parlant-journey", "version": 1,
        "journey": {"title": title, "description": "Helps with a refund", "conditions": ["The customer wants a refund"],
                    "root_id": "root", "tags": ["vip"]},
        "nodes": [
            {"id": "root", "action": null, "tools": [], "metadata": {}},
            {"id": "ask", "action": "Ask for the order number", "tools": [], "metadata": {"journey_node": {"kind": "chat"}}},
            {"id": "lookup", "action": "Use the tool get_order", "tools": [{"service_name": "shop", "tool_name": "get_order"}],
             "metadata": {"journey_node": {"kind": "tool"}}},
            {"id": "tell", "action": "Tell the customer what happens next", "tools": [], "metadata": {"journey_node": {"kind": "chat"}}}
        ],
        "edges": [
            {"id": "e1", "source": "root", "target": "ask", "condition": null},
            {"id": "e2", "source": "ask", "target": "lookup", "condition": "the customer gave the order number"},
            {"id": "e3", "source": "lookup", "target": "tell", "condition": null}
        ],
        "tags": [{"id": "vip", "name": "vip customers"}],
        "guidelines": [
            {"id": "chargeback", "condition": "The customer threatens a chargeback", "action": "Offer to escalate to billing",
             "criticality": "high", "tags": ["vip"], "metadata": {"owner": "billing-ops"}},
            {"condition": "The customer asks how long a refund takes", "action": "Say 5-7 business days"}
        ],
        "context_variables": [
            {"name": "tier", "description": "Loyalty tier", "freshness_rules": "0 8 * * *", "tags": ["vip"], "value": "gold"},
            {"name": "return_window_days", "description": "Days to ask for a refund", "value": 30}
        ]
    });
    JourneyDocument::parse("entities.json", &text.to_string()).unwrap()
}

fn agent_id(url: &str, name: &str) -> String {
    rt().block_on(
        ParlantClient::new("check", url, None)
            .unwrap()
            .ensure_agent(name),
    )
    .unwrap()
}

/// The journey's guidelines on the server (those depending on its tag), read from the guideline
/// list (Parlant 3.3.2's `GET /guidelines/{id}` of such a guideline answers 404, and the
/// relationship's own copy leaves out the criticality).
fn server_guidelines(url: &str, jid: &str) -> Vec<Value> {
    let rels = get(
        url,
        &format!("/relationships?tag_id=journey:{jid}&kind=dependency&indirect=false"),
    );
    let ids: Vec<Value> = rels
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target_tag"]["id"] == format!("journey:{jid}"))
        .map(|r| r["source_guideline"]["id"].clone())
        .collect();
    get(url, "/guidelines")
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| ids.contains(&g["id"]))
        .cloned()
        .collect()
}

fn guideline<'a>(list: &'a [Value], condition: &str) -> Option<&'a Value> {
    list.iter().find(|g| g["condition"] == condition)
}

fn tags_named(url: &str, name: &str) -> Vec<Value> {
    get(url, &format!("/tags?name={}", name.replace(' ', "%20")))
        .as_array()
        .unwrap()
        .clone()
}

fn variable<'a>(list: &'a [Value], name: &str) -> Option<&'a Value> {
    list.iter().find(|v| v["name"] == name)
}

fn local(store: &Store, name: &str) -> JourneyDocument {
    match store.head(name).unwrap().document(name).unwrap() {
        Document::Journey(j) => j,
        Document::Sim(_) => unreachable!(),
    }
}

/// What two sides must agree on, agent tags and preview values aside.
fn entities_of(doc: &JourneyDocument, agent_tag: &str) -> Value {
    let strip = |tags: &Maybe<Vec<String>>| -> Vec<String> {
        let names: std::collections::HashMap<&str, &str> = doc
            .tags
            .get()
            .into_iter()
            .flatten()
            .map(|t| (t.id.as_str(), t.name.as_str()))
            .collect();
        let mut v: Vec<String> = tags
            .get()
            .into_iter()
            .flatten()
            .filter(|t| *t != agent_tag)
            .map(|t| names.get(t.as_str()).map_or(t.clone(), |n| n.to_string()))
            .collect();
        v.sort();
        v
    };
    let guidelines: Vec<Value> = doc
        .guidelines
        .get()
        .into_iter()
        .flatten()
        .map(|g: &Guideline| {
            json!([
                g.id.get(),
                g.condition,
                g.action.get(),
                g.criticality.get().map_or("medium", String::as_str),
                g.metadata.get(),
                strip(&g.tags)
            ])
        })
        .collect();
    let variables: Vec<Value> = doc
        .context_variables()
        .iter()
        .map(|v: &ContextVariable| {
            json!([
                v.name,
                v.description.get(),
                v.tool_id.get().map(|t| t.to_string()),
                v.freshness_rules.get(),
                strip(&v.tags)
            ])
        })
        .collect();
    json!({"guidelines": guidelines, "variables": variables, "journey_tags": strip(&doc.journey.tags)})
}

#[test]
fn an_invalid_journey_is_refused_before_any_request_and_allow_invalid_pushes_it() {
    let Some(lease) = servers::parlant(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let proxy = fault_proxy(lease.server.port, |_, _| Fault::Forward);
    let rt = rt();
    let (dir, mut store) = workspace(&proxy.url, "Validation agent");
    // A fork transition without a condition (the SDK refuses it: J006) and a chat state with no
    // action (Parlant ends the journey there: J001).
    let mut doc = journey("Invalid journey");
    doc.nodes.push(journey_studio::parlant::JourneyNode::new(
        "choose",
        &journey_studio::parlant::NodeKind::Fork,
        None,
    ));
    doc.nodes.push(journey_studio::parlant::JourneyNode::new(
        "silent",
        &journey_studio::parlant::NodeKind::Chat,
        None,
    ));
    doc.edges.push(journey_studio::parlant::JourneyEdge::new(
        "e4", "tell", "choose", None,
    ));
    doc.edges.push(journey_studio::parlant::JourneyEdge::new(
        "e5", "choose", "silent", None,
    ));
    store
        .save("bad", &Document::Journey(doc.clone()), "")
        .unwrap();

    let out = rt
        .block_on(engine::push(&mut store, "bad", "parlant", false))
        .unwrap();
    let PushOutcome::Invalid {
        diagnostics, error, ..
    } = &out
    else {
        panic!("{out:?}")
    };
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert!(
        codes.contains(&"J006") && codes.contains(&"J001"),
        "{codes:?}"
    );
    assert!(error.contains("edges[4].condition: error[J006]"), "{error}");
    assert!(
        proxy.requests.lock().unwrap().is_empty(),
        "nothing sent: {:?}",
        proxy.requests.lock().unwrap()
    );
    assert!(store.outbox().unwrap().is_empty(), "nothing queued either");
    assert!(rt
        .block_on(
            ParlantClient::new("check", &url, None)
                .unwrap()
                .list_journeys()
        )
        .unwrap()
        .iter()
        .all(|(_, t)| t != "Invalid journey"));

    // The CLI lists the errors and exits 1; --allow-invalid pushes on purpose.
    let ws = dir.path().join("ws.db");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_journey-studio"))
            .args(args)
            .env("JOURNEY_STUDIO_WORKSPACE", &ws)
            .output()
            .unwrap()
    };
    let out = run(&["push", "parlant", "bad"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("refused: `bad` has 2 validation error(s); nothing was sent")
            && text.contains("error[J006]")
            && text.contains("hint:"),
        "{text}"
    );
    assert!(proxy.requests.lock().unwrap().is_empty());
    let out = run(&["push", "parlant", "bad", "--allow-invalid"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let pushed = rt
        .block_on(engine::push_with(
            &mut store,
            "bad",
            "parlant",
            PushOptions {
                allow_invalid: true,
                ..PushOptions::default()
            },
        ))
        .unwrap();
    assert!(matches!(pushed, PushOutcome::UpToDate { .. }), "{pushed:?}");
}

#[test]
fn guidelines_variables_and_tags_are_pushed_repushed_edited_and_pulled_back() {
    let Some(lease) = servers::parlant(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let rt = rt();
    let (_dir, mut store) = workspace(&url, "Entities agent");
    let agent = agent_id(&url, "Entities agent");
    let agent_tag = format!("agent:{agent}");
    store
        .save(
            "refund",
            &Document::Journey(journey("Refund with entities")),
            "",
        )
        .unwrap();

    // Push: created with its tag, guidelines (journey-scoped) and variables (the agent's).
    let out = rt
        .block_on(engine::push(&mut store, "refund", "parlant", false))
        .unwrap();
    let PushOutcome::Pushed {
        remote_id: jid,
        created: true,
        ..
    } = out
    else {
        panic!("{out:?}")
    };
    let tags = tags_named(&url, "vip customers");
    assert_eq!(tags.len(), 1, "{tags:?}");
    let vip = tags[0]["id"].as_str().unwrap().to_string();
    let journey_dto = get(&url, &format!("/journeys/{jid}"));
    let journey_tags: Vec<&str> = journey_dto["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        journey_tags.contains(&vip.as_str()) && journey_tags.contains(&agent_tag.as_str()),
        "{journey_tags:?}"
    );
    let guidelines = server_guidelines(&url, &jid);
    assert_eq!(guidelines.len(), 2, "{guidelines:#?}");
    let chargeback = guideline(&guidelines, "The customer threatens a chargeback")
        .unwrap()
        .clone();
    assert_eq!(
        (
            chargeback["action"].as_str(),
            chargeback["criticality"].as_str()
        ),
        (Some("Offer to escalate to billing"), Some("high"))
    );
    assert_eq!(chargeback["metadata"]["owner"], "billing-ops");
    let g_tags: Vec<&str> = chargeback["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        g_tags.contains(&vip.as_str()) && g_tags.contains(&agent_tag.as_str()),
        "{g_tags:?}"
    );
    let variables = get(&url, &format!("/context-variables?tag_id={agent_tag}"));
    let variables = variables.as_array().unwrap();
    let tier = variable(variables, "tier").unwrap().clone();
    assert_eq!(
        (
            tier["description"].as_str(),
            tier["freshness_rules"].as_str()
        ),
        (Some("Loyalty tier"), Some("0 8 * * *"))
    );
    assert!(tier["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == &json!(vip)));
    assert!(variable(variables, "return_window_days").is_some());

    // Re-push: nothing to send, and a push of the same document writes nothing.
    let again = rt
        .block_on(engine::push(&mut store, "refund", "parlant", false))
        .unwrap();
    assert!(matches!(again, PushOutcome::UpToDate { .. }), "{again:?}");
    let client = ParlantClient::new("parlant", &url, None).unwrap();
    let report = rt
        .block_on(client.push(
            &local(&store, "refund"),
            &jid,
            std::slice::from_ref(&agent_tag),
        ))
        .map_err(|f| f.error)
        .unwrap();
    assert_eq!(report.requests, 0, "a re-push writes nothing");
    assert_eq!(server_guidelines(&url, &jid).len(), 2);
    assert_eq!(tags_named(&url, "vip customers").len(), 1);

    // Edit: a guideline's action and criticality, one guideline removed, one added; a variable's
    // description; a variable dropped; a second tag.
    let mut doc = local(&store, "refund");
    {
        let gs = doc.guidelines.get_mut().unwrap();
        gs[0].action = Maybe::Value("Escalate to a billing specialist right away".into());
        gs[0].criticality = Maybe::Value("medium".into());
        gs.remove(1);
        gs.push(Guideline {
            condition: "The order was paid with a gift card".into(),
            id: Maybe::Value("gift-card".into()),
            action: Maybe::Value("Explain the refund goes back to the gift card".into()),
            description: Maybe::Absent,
            criticality: Maybe::Absent,
            enabled: Maybe::Absent,
            metadata: Maybe::Absent,
            tags: Maybe::Value(vec!["vip".into(), "returns".into()]),
            extra: Default::default(),
        });
        let vs = doc.context_variables.get_mut().unwrap();
        vs[0].description = Maybe::Value("The customer's loyalty tier".into());
        vs.remove(1);
        doc.tags
            .get_mut()
            .unwrap()
            .push(journey_studio::parlant::Tag {
                id: "returns".into(),
                name: "returns".into(),
                extra: Default::default(),
            });
    }
    store
        .save("refund", &Document::Journey(doc), "edit")
        .unwrap();
    let out = rt
        .block_on(engine::push(&mut store, "refund", "parlant", false))
        .unwrap();
    assert!(
        matches!(out, PushOutcome::Pushed { created: false, .. }),
        "{out:?}"
    );
    let guidelines = server_guidelines(&url, &jid);
    assert_eq!(guidelines.len(), 2, "{guidelines:#?}");
    let edited = guideline(&guidelines, "The customer threatens a chargeback").unwrap();
    assert_eq!(edited["id"], chargeback["id"], "updated in place");
    assert_eq!(
        (edited["action"].as_str(), edited["criticality"].as_str()),
        (
            Some("Escalate to a billing specialist right away"),
            Some("medium")
        )
    );
    assert!(guideline(&guidelines, "The customer asks how long a refund takes").is_none());
    let marked_here = |g: &&Value| g["metadata"]["journey_studio"]["journey_id"] == json!(jid);
    assert_eq!(
        get(&url, "/guidelines")
            .as_array()
            .unwrap()
            .iter()
            .filter(marked_here)
            .count(),
        2,
        "the removed guideline is deleted"
    );
    let returns = tags_named(&url, "returns");
    assert_eq!(returns.len(), 1);
    let gift = guideline(&guidelines, "The order was paid with a gift card").unwrap();
    assert!(gift["tags"].as_array().unwrap().contains(&returns[0]["id"]));
    let variables = get(&url, &format!("/context-variables?tag_id={agent_tag}"));
    let tier_now = variable(variables.as_array().unwrap(), "tier").unwrap();
    assert_eq!(
        (tier_now["id"].clone(), tier_now["description"].as_str()),
        (tier["id"].clone(), Some("The customer's loyalty tier"))
    );
    assert!(
        variable(variables.as_array().unwrap(), "return_window_days").is_some(),
        "a variable is the agent's: unlinked, not deleted"
    );

    // Pull into another workspace: the same journey, entities included.
    let (_dir2, mut other) = workspace(&url, "Entities agent");
    let got = rt
        .block_on(engine::pull(&mut other, "parlant", &jid, "copy"))
        .unwrap();
    assert!(matches!(got, PullOutcome::Created { .. }), "{got:?}");
    let pulled = local(&other, "copy");
    let mine = local(&store, "refund");
    assert_eq!(
        entities_of(&pulled, &agent_tag),
        entities_of(&mine, &agent_tag)
    );
    assert_eq!(
        projection_hash(&pulled, std::slice::from_ref(&agent_tag)),
        projection_hash(&mine, std::slice::from_ref(&agent_tag))
    );
    assert_eq!(
        pulled.context_variables().len(),
        1,
        "only the variables the journey links"
    );
    // Pulling into the document itself keeps the preview values (Parlant does not hold them).
    let back = rt
        .block_on(engine::pull(&mut store, "parlant", &jid, "refund"))
        .unwrap();
    assert!(matches!(back, PullOutcome::UpToDate { .. }), "{back:?}");
    assert_eq!(
        local(&store, "refund").context_variables()[0].value,
        Maybe::Value(json!("gold"))
    );
}

#[test]
fn a_failed_push_leaves_no_guideline_variable_or_tag_behind() {
    let Some(lease) = servers::parlant(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let port = lease.server.port;
    let rt = rt();
    let agent = agent_id(&url, "Undo agent");
    let agent_tag = format!("agent:{agent}");
    let mut doc = journey("Undone");
    doc.tags.get_mut().unwrap()[0].name = "undo-tag".into();
    doc.context_variables.get_mut().unwrap()[0].name = "undo_tier".into();
    doc.context_variables.get_mut().unwrap()[1].name = "undo_window".into();

    // What Parlant would refuse (a variable's tool no service offers, a tag of an agent that does
    // not exist) stops the push before any write.
    let proxy = fault_proxy(port, |_, _| Fault::Forward);
    let client = ParlantClient::new("parlant", &proxy.url, None).unwrap();
    let mut tooled = doc.clone();
    tooled.context_variables.get_mut().unwrap()[0].tool_id =
        Maybe::Value(journey_studio::parlant::ToolId::new("crm", "get_tier"));
    let failure = rt
        .block_on(client.push(&tooled, "js-undo-refused", std::slice::from_ref(&agent_tag)))
        .unwrap_err();
    assert!(failure.error.to_string().contains("context_variables[0] (`undo_tier`): tool `crm:get_tier`: the server has no tool service `crm`"), "{}", failure.error);
    let mut foreign = doc.clone();
    foreign.guidelines.get_mut().unwrap()[1].tags = Maybe::Value(vec!["agent:nobody".into()]);
    let failure = rt
        .block_on(client.push(
            &foreign,
            "js-undo-refused",
            std::slice::from_ref(&agent_tag),
        ))
        .unwrap_err();
    assert!(
        failure
            .error
            .to_string()
            .contains("guidelines[1]: tag `agent:nobody`"),
        "{}",
        failure.error
    );
    let writes: Vec<String> = proxy
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| !r.starts_with("GET "))
        .cloned()
        .collect();
    assert!(writes.is_empty(), "refused before any write: {writes:?}");

    // Creation fails when the first guideline is linked to the journey: everything goes.
    let proxy = fault_proxy(port, |_, what| {
        if what == "POST /relationships" {
            Fault::Status(422, None)
        } else {
            Fault::Forward
        }
    });
    let client = ParlantClient::new("parlant", &proxy.url, None).unwrap();
    let failure = rt
        .block_on(client.push(&doc, "js-undo-create", std::slice::from_ref(&agent_tag)))
        .unwrap_err();
    assert!(!failure.dirty, "{}", failure.error);
    assert_eq!(status(&url, "/journeys/js-undo-create"), 404);
    assert!(
        tags_named(&url, "undo-tag").is_empty(),
        "the tag it created is deleted"
    );
    let variables = get(&url, &format!("/context-variables?tag_id={agent_tag}"));
    assert!(
        variable(variables.as_array().unwrap(), "undo_tier").is_none()
            && variable(variables.as_array().unwrap(), "undo_window").is_none()
    );
    assert!(get(&url, "/guidelines")
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["metadata"]["journey_studio"]["journey_id"] != "js-undo-create"));
    let requests = proxy.requests.lock().unwrap().clone();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("DELETE /guidelines/")),
        "{requests:?}"
    );

    // An update that fails while writing the graph is reverted: the guideline, variable and
    // tag it added are gone, what was there before is as it was.
    let mut first = doc.clone();
    first.guidelines = Maybe::Value(vec![doc.guidelines.get().unwrap()[1].clone()]);
    first.context_variables = Maybe::Absent;
    first.tags = Maybe::Absent;
    first.journey.tags = Maybe::Value(vec![]);
    first.guidelines.get_mut().unwrap()[0].tags = Maybe::Absent;
    let healthy = ParlantClient::new("parlant", &url, None).unwrap();
    rt.block_on(healthy.push(&first, "js-undo-update", std::slice::from_ref(&agent_tag)))
        .map_err(|f| f.error)
        .unwrap();
    let before = server_guidelines(&url, "js-undo-update");
    assert_eq!(before.len(), 1);
    let proxy = fault_proxy(port, |_, what| {
        if what.starts_with("POST /journey-studio/journeys/") && what.ends_with("/edges") {
            Fault::Status(422, None)
        } else {
            Fault::Forward
        }
    });
    let mut second = doc.clone();
    second.edges.push(journey_studio::parlant::JourneyEdge::new(
        "e9", "tell", "end", None,
    ));
    let client = ParlantClient::new("parlant", &proxy.url, None).unwrap();
    let failure = rt
        .block_on(client.push(&second, "js-undo-update", std::slice::from_ref(&agent_tag)))
        .unwrap_err();
    assert!(!failure.dirty, "{}", failure.error);
    let after = server_guidelines(&url, "js-undo-update");
    assert_eq!(after.len(), 1, "{after:#?}");
    assert_eq!(after[0]["id"], before[0]["id"]);
    assert!(tags_named(&url, "undo-tag").is_empty());
    let variables = get(&url, &format!("/context-variables?tag_id={agent_tag}"));
    assert!(variable(variables.as_array().unwrap(), "undo_tier").is_none());
}
