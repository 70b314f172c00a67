//! The hostile-input corpus and the structure-aware fuzzer's mutator (tests and `scripts/fuzz`,
//! not the product): documents made from the real fixtures by structural mutations (wrong types,
//! huge numbers, deep nesting, giant strings, unicode, removed and duplicated members, cut text),
//! the big cases (100,000 states or blocks in a line, a fork of 10,000 branches, Sim loops and
//! parallels over 1,000,000 items), and a runner that puts one input through every command the
//! CLI and the app have, catching panics and timing each command.
//!
//! See docs/fuzzing.md.

use crate::api::{self, AppState, JsonFileSettings};
use crate::simulate::journey::Session;
use crate::simulate::workflow::{self, RunOptions};
use crate::simulate::{parity, scenario, Mocks};
use crate::template::{self, Library, Template};
use crate::{Document, Error};
use serde_json::{json, Map, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A small, seeded, reproducible random source (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What an input is read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A Sim export / state or a journey: every document command.
    Document,
    /// A template file: parse, lint, instantiate.
    Template,
    /// A scenario file (with its mocks), played against a real journey and a real workflow.
    Scenario,
    /// Arguments of one `api::dispatch` command (`name` is the command).
    ApiArgs,
}

/// One input of the corpus.
#[derive(Clone, Debug)]
pub struct Case {
    /// Says how it was made: the fixture and the mutations, or the big case's shape.
    pub name: String,
    pub kind: InputKind,
    pub text: String,
    /// For `ApiArgs`: the command.
    pub command: String,
}

/// Real inputs the mutations start from, read from the repository's fixtures.
pub struct Seeds {
    pub documents: Vec<(String, Value)>,
    pub templates: Vec<(String, Value)>,
    pub scenarios: Vec<(String, Value)>,
}

impl Seeds {
    /// Reads `fixtures/{sim-real,sim,journeys}`, `fixtures/templates` and `fixtures/scenarios`
    /// under `repo`.
    pub fn load(repo: &Path) -> crate::Result<Seeds> {
        let read_dir = |dir: &str| -> crate::Result<Vec<(String, Value)>> {
            let path = repo.join("fixtures").join(dir);
            let mut out = Vec::new();
            let entries = std::fs::read_dir(&path).map_err(|source| Error::Read {
                file: path.display().to_string(),
                source,
            })?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            files.sort();
            for file in files {
                let text = crate::json::read_text(&file)?;
                let value: Value =
                    crate::json::from_str_located(&file.display().to_string(), &text)?;
                out.push((
                    format!(
                        "{dir}/{}",
                        file.file_name().unwrap_or_default().to_string_lossy()
                    ),
                    value,
                ));
            }
            Ok(out)
        };
        let mut documents = read_dir("sim-real")?;
        documents.extend(read_dir("sim")?);
        documents.extend(read_dir("journeys")?);
        let mut scenarios = read_dir("scenarios")?;
        scenarios.extend(read_dir("scenarios/sim")?);
        Ok(Seeds {
            documents,
            templates: read_dir("templates")?,
            scenarios,
        })
    }
}

/// A value of the wrong kind, out of range, huge or strange, for the place of any value.
pub fn hostile_value(rng: &mut Rng) -> Value {
    match rng.below(22) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(1e300),
        4 => json!(-1e300),
        5 => json!(18446744073709551615u64),
        6 => json!(i64::MIN),
        7 => json!(1e18),
        8 => json!(1_000_000_000),
        9 => json!(0.5),
        10 => json!(""),
        11 => json!("x".repeat(1 << (10 + rng.below(11)))),
        12 => json!("\u{202e}ʇxǝʇ 🚀 \u{200b}\u{0000}\u{fffd} 名前 ١٢٣"),
        13 => json!("<start.input> {{SECRET}} <loop.index> <variable.x> <missing.path.deep>"),
        14 => json!("while(true){}"),
        15 => json!([]),
        16 => json!({}),
        17 => deep(rng.below(200) + 1),
        18 => json!((0..rng.below(5000)).collect::<Vec<_>>()),
        19 => json!({"id": "x", "type": "agent", "__proto__": {"a": 1}}),
        20 => json!("1e309"),
        _ => json!("-99999999999999999999999"),
    }
}

/// Arrays nested `depth` deep.
pub fn deep(depth: usize) -> Value {
    let mut v = json!(0);
    for _ in 0..depth {
        v = json!([v]);
    }
    v
}

/// Every path (keys and indexes) to a value inside `v`, at most `limit` of them.
fn paths(v: &Value, limit: usize) -> Vec<Vec<PathStep>> {
    let mut out = Vec::new();
    let mut stack = vec![(v, Vec::new())];
    while let Some((v, path)) = stack.pop() {
        if out.len() >= limit {
            break;
        }
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    let mut p = path.clone();
                    p.push(PathStep::Key(k.clone()));
                    stack.push((child, p));
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    let mut p = path.clone();
                    p.push(PathStep::Index(i));
                    stack.push((child, p));
                }
            }
            _ => {}
        }
        out.push(path);
    }
    out
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at_mut<'a>(v: &'a mut Value, path: &[PathStep]) -> Option<&'a mut Value> {
    let mut cur = v;
    for step in path {
        cur = match (step, cur) {
            (PathStep::Key(k), Value::Object(m)) => m.get_mut(k)?,
            (PathStep::Index(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn show(path: &[PathStep]) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            PathStep::Key(k) => {
                s.push('.');
                s.extend(k.chars().take(24));
            }
            PathStep::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Strings under id-like keys (`id`, `source`, `target`, `parentId`, `root_id`), at most 500.
fn id_strings(v: &Value, out: &mut Vec<String>) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        if out.len() >= 500 {
            return;
        }
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    match child {
                        Value::String(s)
                            if matches!(
                                k.as_str(),
                                "id" | "source" | "target" | "parentId" | "root_id"
                            ) =>
                        {
                            out.push(s.clone())
                        }
                        _ => stack.push(child),
                    }
                }
            }
            Value::Array(a) => stack.extend(a),
            _ => {}
        }
    }
}

/// Applies one structural mutation to `v`; answers what it did.
pub fn mutate(v: &mut Value, rng: &mut Rng) -> String {
    let all = paths(v, 20_000);
    let path = rng.pick(&all).clone();
    let where_ = show(&path);
    let Some(target) = at_mut(v, &path) else {
        return "none".into();
    };
    match rng.below(9) {
        // Replace with a hostile value.
        0..=3 => {
            let new = hostile_value(rng);
            let what = match &new {
                Value::String(s) if s.len() > 40 => format!("string of {} bytes", s.len()),
                other => {
                    let t = other.to_string();
                    t.chars().take(40).collect()
                }
            };
            *target = new;
            format!("set {where_} = {what}")
        }
        // Remove a member or an item.
        4 | 5 => match target {
            Value::Object(m) if !m.is_empty() => {
                let key = m
                    .keys()
                    .nth(rng.below(m.len()))
                    .cloned()
                    .unwrap_or_default();
                m.shift_remove(&key);
                format!("remove {where_}.{key}")
            }
            Value::Array(a) if !a.is_empty() => {
                let i = rng.below(a.len());
                a.remove(i);
                format!("remove {where_}[{i}]")
            }
            other => {
                *other = Value::Null;
                format!("null {where_}")
            }
        },
        // Duplicate an item or a member under another key (same ids twice).
        6 => match target {
            Value::Array(a) if !a.is_empty() => {
                let item = a[rng.below(a.len())].clone();
                let times = 1 + rng.below(3);
                for _ in 0..times {
                    a.push(item.clone());
                }
                format!("duplicate an item of {where_} x{times}")
            }
            Value::Object(m) if !m.is_empty() => {
                let (k, item) = m
                    .iter()
                    .nth(rng.below(m.len()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .unwrap_or_default();
                m.insert(format!("{k}-copy"), item);
                format!("copy {where_}.{k}")
            }
            other => {
                *other = json!([other.clone(), other.clone()]);
                format!("pair {where_}")
            }
        },
        // Point an id-like string at another id, itself, or nothing.
        7 => {
            let mut ids = Vec::new();
            id_strings(v, &mut ids);
            let Some(target) = at_mut(v, &path) else {
                return "none".into();
            };
            let new = if ids.is_empty() || rng.chance(30) {
                "no-such-id".to_string()
            } else {
                rng.pick(&ids).clone()
            };
            *target = json!(new);
            format!("reference {where_} -> {new}")
        }
        // Wrap in an object or an array (the right value, one level too deep).
        _ => {
            let inner = target.take();
            *target = if rng.chance(50) {
                json!({ "value": inner })
            } else {
                json!([inner])
            };
            format!("wrap {where_}")
        }
    }
}

/// Text-level damage: cut, a stray byte, a swapped pair, doubled text.
pub fn damage_text(text: &str, rng: &mut Rng) -> (String, String) {
    let mut bytes = text.as_bytes().to_vec();
    if bytes.is_empty() {
        return (String::new(), "empty".into());
    }
    let at = rng.below(bytes.len());
    let what = match rng.below(5) {
        0 => {
            bytes.truncate(at);
            format!("cut at byte {at}")
        }
        1 => {
            let b = *rng.pick(b"{}[]\",:\\\x00\xff0-eE");
            bytes.insert(at, b);
            format!("insert byte {b:#x} at {at}")
        }
        2 => {
            let other = rng.below(bytes.len());
            bytes.swap(at, other);
            format!("swap bytes {at} and {other}")
        }
        3 => {
            bytes.remove(at);
            format!("remove byte {at}")
        }
        _ => {
            let copy = bytes.clone();
            bytes.extend_from_slice(&copy);
            "doubled".into()
        }
    };
    (String::from_utf8_lossy(&bytes).into_owned(), what)
}

/// One case made from a seed: `mutations` structural mutations, sometimes text damage.
fn mutated(kind: InputKind, seeds: &[(String, Value)], rng: &mut Rng) -> Case {
    let (name, seed) = rng.pick(seeds);
    let mut v = seed.clone();
    let count = 1 + rng.below(3);
    let mut what = Vec::new();
    for _ in 0..count {
        what.push(mutate(&mut v, rng));
    }
    let mut text = if rng.chance(50) {
        serde_json::to_string_pretty(&v).unwrap_or_default()
    } else {
        serde_json::to_string(&v).unwrap_or_default()
    };
    if rng.chance(15) {
        let (t, w) = damage_text(&text, rng);
        text = t;
        what.push(w);
    }
    Case {
        name: format!("{name}: {}", what.join("; ")),
        kind,
        text,
        command: String::new(),
    }
}

/// Commands `api::dispatch` is given hostile arguments for (those that reach the network, the
/// OS keyring or paths outside the workspace are left out: `open_workspace`, `remote_*`, `push`,
/// `pull`, `sync_retry`).
pub fn api_commands() -> Vec<&'static str> {
    const OUT: &[&str] = &[
        "open_workspace",
        "remote_add",
        "remote_remove",
        "remote_test",
        "push",
        "pull",
        "sync_retry",
    ];
    api::COMMANDS
        .iter()
        .copied()
        .filter(|c| !OUT.contains(c))
        .collect()
}

fn api_args(command: &str, rng: &mut Rng) -> Value {
    let mut v = json!({
        "id": 1, "session": "s", "sim": "p", "target": "journey", "to": "journey", "message": "hi",
        "edge_id": "e", "content": "{}", "template": "support-triage", "params": {}, "edits": [
            {"op": "set_field", "target": "x", "path": ["action"], "value": "y"}
        ], "name": "n", "patch": {}, "query": "", "kind": "journey", "from": 1, "to_revision": 2,
        "revision": 1, "now": true
    });
    let n = 1 + rng.below(4);
    for _ in 0..n {
        mutate(&mut v, rng);
    }
    if rng.chance(10) {
        v = hostile_value(rng);
    }
    let _ = command;
    v
}

/// A journey whose states follow each other in one line.
pub fn journey_line(states: usize) -> String {
    let nodes: Vec<Value> = (0..states)
        .map(|i| json!({"id": format!("s{i}"), "action": format!("Ask for detail number {i}"), "tools": [], "metadata": {}}))
        .collect();
    let edges: Vec<Value> = (1..states)
        .map(|i| json!({"id": format!("e{i}"), "source": format!("s{}", i - 1), "target": format!("s{i}"), "condition": format!("The customer gave detail {}", i - 1), "metadata": {}}))
        .collect();
    json!({"format": "parlant-journey", "version": 1, "journey": {"title": "Line", "description": "", "conditions": ["always"], "root_id": "s0"}, "nodes": nodes, "edges": edges}).to_string()
}

/// A journey whose root forks into `branches` states, each with its own condition.
pub fn journey_fork(branches: usize) -> String {
    let mut nodes = vec![json!({"id": "root", "action": null, "tools": [], "metadata": {}})];
    let mut edges = Vec::new();
    for i in 0..branches {
        nodes.push(json!({"id": format!("b{i}"), "action": format!("Handle case {i}"), "tools": [], "metadata": {}}));
        edges.push(json!({"id": format!("e{i}"), "source": "root", "target": format!("b{i}"), "condition": format!("The customer mentions case {i}"), "metadata": {}}));
    }
    json!({"format": "parlant-journey", "version": 1, "journey": {"title": "Fork", "description": "", "conditions": ["always"], "root_id": "root"}, "nodes": nodes, "edges": edges}).to_string()
}

fn sim_block(id: &str, kind: &str, sub_blocks: Value, data: Value) -> Value {
    json!({"id": id, "type": kind, "name": id, "position": {"x": 0, "y": 0}, "subBlocks": sub_blocks,
           "outputs": {}, "enabled": true, "data": data})
}

fn function_block(id: &str, code: &str, parent: Option<&str>) -> Value {
    let data = parent
        .map(|p| json!({"parentId": p, "extent": "parent"}))
        .unwrap_or(json!({}));
    sim_block(
        id,
        "function",
        json!({"code": {"id": "code", "type": "code", "value": code}}),
        data,
    )
}

fn start_block() -> Value {
    sim_block(
        "start",
        "start_trigger",
        json!({"inputFormat": {"id": "inputFormat", "type": "input-format", "value": []}}),
        json!({}),
    )
}

fn sim_doc(blocks: Vec<Value>, edges: Vec<Value>) -> String {
    let mut map = Map::new();
    for b in blocks {
        let id = b["id"].as_str().unwrap_or_default().to_string();
        map.insert(id, b);
    }
    json!({"version": "1.0", "state": {"blocks": map, "edges": edges, "loops": {}, "parallels": {}, "variables": {}}}).to_string()
}

fn sim_edge(i: usize, source: &str, target: &str, handle: Option<&str>) -> Value {
    let mut e = json!({"id": format!("e{i}"), "source": source, "target": target});
    if let Some(h) = handle {
        e["sourceHandle"] = json!(h);
    }
    e
}

/// A Sim workflow of `blocks` function blocks in one line after the start.
pub fn sim_line(blocks: usize) -> String {
    let mut bs = vec![start_block()];
    let mut edges = Vec::new();
    let mut prev = "start".to_string();
    for i in 0..blocks.saturating_sub(1) {
        let id = format!("f{i}");
        bs.push(function_block(&id, "return 1", None));
        edges.push(sim_edge(i, &prev, &id, None));
        prev = id;
    }
    sim_doc(bs, edges)
}

/// A Sim condition block with `branches` conditions, each to its own block.
pub fn sim_fork(branches: usize) -> String {
    let conditions: Vec<Value> = (0..branches)
        .map(|i| json!({"id": format!("cond-c{i}"), "title": if i == 0 { "if" } else { "else if" }, "value": format!("<start.input> === '{i}'")}))
        .collect();
    let mut bs = vec![
        start_block(),
        sim_block(
            "cond",
            "condition",
            json!({"conditions": {"id": "conditions", "type": "condition-input", "value": serde_json::to_string(&conditions).unwrap_or_default()}}),
            json!({}),
        ),
    ];
    let mut edges = vec![sim_edge(0, "start", "cond", None)];
    for i in 0..branches {
        let id = format!("f{i}");
        bs.push(function_block(&id, "return 1", None));
        edges.push(sim_edge(
            i + 1,
            "cond",
            &id,
            Some(&format!("condition-cond-c{i}")),
        ));
    }
    sim_doc(bs, edges)
}

/// A Sim loop (`forEach`) or parallel (`collection`) over `items` items given inline.
pub fn sim_collection(container: &str, items: usize) -> String {
    let list = serde_json::to_string(&(0..items).collect::<Vec<_>>()).unwrap_or_default();
    let (sub, data) = if container == "loop" {
        (
            json!({"loopType": {"id": "loopType", "type": "short-input", "value": "forEach"}, "collection": {"id": "collection", "type": "short-input", "value": list.clone()}}),
            json!({"type": "subflowNode", "loopType": "forEach", "collection": list}),
        )
    } else {
        (
            json!({"parallelType": {"id": "parallelType", "type": "short-input", "value": "collection"}, "collection": {"id": "collection", "type": "short-input", "value": list.clone()}}),
            json!({"type": "subflowNode", "parallelType": "collection", "collection": list, "count": items}),
        )
    };
    let bs = vec![
        start_block(),
        sim_block("box", container, sub, data),
        function_block("inner", "return 1", Some("box")),
    ];
    let start_handle = if container == "loop" {
        "loop-start-source"
    } else {
        "parallel-start-source"
    };
    let edges = vec![
        sim_edge(0, "start", "box", None),
        sim_edge(1, "box", "inner", Some(start_handle)),
    ];
    sim_doc(bs, edges)
}

/// The big cases at `scale` (1.0: 100,000 states or blocks in a line, forks of 10,000 branches,
/// collections of 1,000,000 items; smaller scales for quick runs).
pub fn big_cases(scale: f64) -> Vec<Case> {
    let n = |full: usize| ((full as f64 * scale) as usize).max(10);
    let doc = |name: String, text: String| Case {
        name,
        kind: InputKind::Document,
        text,
        command: String::new(),
    };
    vec![
        doc(
            format!("journey: {} states in a line", n(100_000)),
            journey_line(n(100_000)),
        ),
        doc(
            format!("sim: {} blocks in a line", n(100_000)),
            sim_line(n(100_000)),
        ),
        doc(
            format!("sim: realistic workflow of {} blocks", n(100_000)),
            crate::testing::realistic_workflow(n(100_000)),
        ),
        doc(
            format!("journey: a fork of {} branches", n(10_000)),
            journey_fork(n(10_000)),
        ),
        doc(
            format!("sim: a condition of {} branches", n(10_000)),
            sim_fork(n(10_000)),
        ),
        doc(
            format!("sim: forEach over {} items", n(1_000_000)),
            sim_collection("loop", n(1_000_000)),
        ),
        doc(
            format!("sim: parallel over {} items", n(1_000_000)),
            sim_collection("parallel", n(1_000_000)),
        ),
    ]
}

/// The corpus: `count` mutated cases from `seed` (documents, templates, scenarios and API
/// arguments in the proportions 6:1:1:2).
pub fn corpus(seeds: &Seeds, seed: u64, count: usize) -> Vec<Case> {
    let commands = api_commands();
    (0..count)
        .map(|i| {
            let mut rng = Rng::new(
                seed.wrapping_add(i as u64)
                    .wrapping_mul(0x2545_F491_4F6C_DD1D),
            );
            let mut case = match rng.below(10) {
                0..=5 => mutated(InputKind::Document, &seeds.documents, &mut rng),
                6 => mutated(InputKind::Template, &seeds.templates, &mut rng),
                7 => mutated(InputKind::Scenario, &seeds.scenarios, &mut rng),
                _ => {
                    let command = rng.pick(&commands).to_string();
                    let args = api_args(&command, &mut rng);
                    Case {
                        name: format!("api {command}"),
                        kind: InputKind::ApiArgs,
                        text: args.to_string(),
                        command,
                    }
                }
            };
            case.name = format!("#{i} {}", case.name);
            case
        })
        .collect()
}

/// What one command did with one input.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub command: &'static str,
    pub elapsed: Duration,
    pub result: Result<(), String>,
    /// The panic's message, when it panicked.
    pub panic: Option<String>,
}

/// The state the commands share: the template library, a workspace for the API, real documents
/// for scenario cases.
pub struct Context {
    pub library: Library,
    pub app: AppState,
    pub journey: crate::parlant::JourneyDocument,
    pub workflow: crate::sim::SimDocument,
    _dir: tempfile_dir::Dir,
}

mod tempfile_dir {
    /// A folder removed on drop (the core has no tempfile dependency outside tests).
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Context {
    pub fn new(repo: &Path) -> crate::Result<Context> {
        let dir = std::env::temp_dir().join(format!(
            "journey-studio-hostile-{}",
            crate::editor::edit::new_id()
        ));
        std::fs::create_dir_all(&dir).map_err(|source| Error::Write {
            file: dir.display().to_string(),
            source,
        })?;
        let app = AppState::open(
            &dir.join("w.db"),
            Box::new(JsonFileSettings::new(dir.join("settings.json"))),
        )?;
        let journey = match Document::load(&repo.join("fixtures/journeys/book-flight.json"))? {
            Document::Journey(j) => j,
            Document::Sim(_) => {
                return Err(Error::Unsupported("book-flight is not a journey".into()))
            }
        };
        let workflow = match Document::load(&repo.join("fixtures/sim/refund-router.json"))? {
            Document::Sim(w) => w,
            Document::Journey(_) => {
                return Err(Error::Unsupported("refund-router is not a workflow".into()))
            }
        };
        Ok(Context {
            library: Library::builtin()?,
            app,
            journey,
            workflow,
            _dir: tempfile_dir::Dir(dir),
        })
    }
}

/// The file name inputs are given under (errors must name it or a place inside it).
pub const FILE: &str = "hostile.json";

/// The outcomes so far, and who is told which command starts (a watchdog names a hang by it).
pub struct Recorder<'a> {
    pub outcomes: Vec<Outcome>,
    pub progress: &'a dyn Fn(&'static str),
}

fn step(out: &mut Recorder, command: &'static str, f: impl FnOnce() -> crate::Result<()>) -> bool {
    (out.progress)(command);
    let start = Instant::now();
    let caught = catch_unwind(AssertUnwindSafe(f));
    let elapsed = start.elapsed();
    let (result, panic) = match caught {
        Ok(Ok(())) => (Ok(()), None),
        Ok(Err(e)) => (Err(e.to_string()), None),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic without a message".into());
            (Err(String::new()), Some(message))
        }
    };
    let ok = result.is_ok();
    out.outcomes.push(Outcome {
        command,
        elapsed,
        result,
        panic,
    });
    ok
}

fn scenario_for_sim() -> scenario::Scenario {
    scenario::Scenario {
        name: "hostile".into(),
        ..Default::default()
    }
}

/// Puts one input through every command that reads it; answers each command's outcome.
pub fn run_case(case: &Case, ctx: &Context, progress: &dyn Fn(&'static str)) -> Vec<Outcome> {
    let mut out = Recorder {
        outcomes: Vec::new(),
        progress,
    };
    match case.kind {
        InputKind::Document => run_document(&case.text, ctx, &mut out),
        InputKind::Template => {
            let mut parsed = None;
            step(&mut out, "template parse", || {
                parsed = Some(Template::parse(FILE, &case.text)?);
                Ok(())
            });
            if let Some(t) = parsed {
                step(&mut out, "template lint", || {
                    let _ = template::lint(&ctx.library, &t);
                    Ok(())
                });
                step(&mut out, "template instantiate", || {
                    let mut given = Map::new();
                    for p in &t.parameters {
                        given.insert(p.name.clone(), json!("value"));
                    }
                    template::instantiate(&ctx.library, &t, &given).map(drop)
                });
            }
            // The same text as a template given to the app.
            step(&mut out, "api template_check", || {
                api::dispatch(&ctx.app, "template_check", json!({"template": "support-triage", "params": serde_json::from_str::<Value>(&case.text).unwrap_or(Value::Null)})).map(drop)
            });
        }
        InputKind::Scenario => {
            let mut parsed = None;
            step(&mut out, "scenario parse", || {
                parsed = Some(scenario::parse_scenarios(FILE, &case.text)?);
                Ok(())
            });
            for s in parsed.unwrap_or_default().iter().take(8) {
                step(&mut out, "simulate journey scenario", || {
                    scenario::run_journey(&ctx.journey, s).map(drop)
                });
                step(&mut out, "simulate workflow scenario", || {
                    scenario::run_workflow(ctx.workflow.state(), s).map(drop)
                });
                step(&mut out, "parity", || {
                    parity::parity(&ctx.workflow, None, s).map(drop)
                });
            }
            step(&mut out, "simulate --mocks", || {
                let mocks: Mocks = crate::json::from_str_located(FILE, &case.text)?;
                let mut session = Session::new(&ctx.journey, mocks)?;
                session.start()?;
                session.send("I have a destination in mind")?;
                Ok(())
            });
        }
        InputKind::ApiArgs => {
            let args: Value = serde_json::from_str(&case.text).unwrap_or(Value::Null);
            let command: &'static str = api::COMMANDS
                .iter()
                .find(|c| **c == case.command)
                .copied()
                .unwrap_or("unknown");
            step(&mut out, command, || {
                api::dispatch(&ctx.app, &case.command, args).map(drop)
            });
        }
    }
    out.outcomes
}

fn run_document(text: &str, ctx: &Context, out: &mut Recorder) {
    let mut doc = None;
    step(out, "parse", || {
        doc = Some(Document::parse(FILE, text)?);
        Ok(())
    });
    if let Some(doc) = &doc {
        step(out, "inspect", || {
            serde_json::to_string(&doc.summary())
                .map(drop)
                .map_err(|e| Error::Unsupported(e.to_string()))
        });
        step(out, "format", || {
            let formatted = doc.to_json();
            Document::parse("formatted.json", &formatted).map(drop)
        });
        step(out, "validate", || {
            crate::validate::validate_with(doc, crate::validate::Options { readiness: true })
                .map(drop)
        });
        step(out, "convert", || {
            let opts = crate::convert::ConvertOptions::default();
            match doc {
                Document::Sim(w) => {
                    let j = crate::convert::workflow_to_journey(w, &opts)?.output;
                    let text = j.to_json();
                    let back = Document::parse("converted.json", &text)?;
                    if let Document::Journey(j) = back {
                        crate::convert::journey_to_workflow(&j, &opts)?;
                    }
                    Ok(())
                }
                Document::Journey(j) => {
                    let w = crate::convert::journey_to_workflow(j, &opts)?.output;
                    Document::parse("converted.json", &w.to_json()).map(drop)
                }
            }
        });
        step(out, "simulate", || match doc {
            Document::Sim(w) => workflow::run(w.state(), &RunOptions::default()).map(drop),
            Document::Journey(j) => {
                let mut session = Session::new(j, Mocks::default())?;
                session.start()?;
                for message in ["hello", "yes", "the first one, please"] {
                    session.send(message)?;
                }
                let snapshot = session.snapshot();
                session.restore(snapshot)?;
                Ok(())
            }
        });
        if let Document::Sim(w) = doc {
            step(out, "parity", || {
                parity::parity(w, None, &scenario_for_sim()).map(drop)
            });
        }
        step(out, "template save", || {
            let options = template::SaveOptions {
                id: "hostile".into(),
                version: semver::Version::new(1, 0, 0),
                name: "Hostile".into(),
                description: String::new(),
                category: "test".into(),
                tags: Vec::new(),
                params: Vec::new(),
            };
            template::save_as_template(doc, &options).map(drop)
        });
    }
    run_api(text, ctx, out);
}

/// Only the app's path (`api::dispatch`) for a document: what the big cases run in-process (the
/// CLI commands run them in a child process, where time and memory are measured whole).
pub fn run_app_path(text: &str, ctx: &Context, progress: &dyn Fn(&'static str)) -> Vec<Outcome> {
    let mut out = Recorder {
        outcomes: Vec::new(),
        progress,
    };
    run_api(text, ctx, &mut out);
    out.outcomes
}

/// The CLI commands a document goes through in a child process: `(label, arguments)`, `{}` is
/// the file, `{out}` a file to write, `{scenario}` a scenario file.
pub fn cli_commands(sim: bool) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut v = vec![
        ("inspect", vec!["inspect", "{}"]),
        ("format", vec!["format", "{}", "-o", "{out}"]),
        ("validate", vec!["validate", "{}"]),
        (
            "convert",
            vec![
                "convert",
                "{}",
                "--to",
                if sim { "journey" } else { "workflow" },
                "-o",
                "{out}",
            ],
        ),
        ("simulate", vec!["simulate", "{}"]),
    ];
    if sim {
        v.push(("parity", vec!["parity", "{}", "--scenario", "{scenario}"]));
    }
    v
}

/// The app's path: import, open, inspect, convert, preview, an edit, export, close, delete.
fn run_api(text: &str, ctx: &Context, out: &mut Recorder) {
    let app = &ctx.app;
    let mut id = None;
    step(out, "api import_document", || {
        let answer = api::dispatch(
            app,
            "import_document",
            json!({"name": FILE, "content": text}),
        )?;
        id = answer["id"].as_i64();
        Ok(())
    });
    let Some(id) = id else { return };
    let mut opened = Value::Null;
    step(out, "api open_document", || {
        opened = api::dispatch(app, "open_document", json!({"id": id}))?;
        Ok(())
    });
    if let Some(session) = opened["session"].as_str().map(str::to_string) {
        let first_node = opened["view"]["nodes"][0]["id"]
            .as_str()
            .unwrap_or("x")
            .to_string();
        let journey = opened["kind"] == "journey";
        step(out, "api inspect", || {
            api::dispatch(
                app,
                "inspect",
                json!({"session": session, "target": first_node}),
            )
            .map(drop)
        });
        step(out, "api convert", || {
            api::dispatch(
                app,
                "convert",
                json!({"session": session, "to": if journey { "workflow" } else { "journey" }}),
            )
            .map(drop)
        });
        step(out, "api apply_edits", || {
            api::dispatch(
                app,
                "apply_edits",
                json!({"session": session, "edits": [
                    {"op": "set_label", "target": first_node, "label": "renamed \u{202e} 🚀"},
                    {"op": "move_node", "id": first_node, "x": 1e300, "y": -1e300}
                ]}),
            )
            .map(drop)
        });
        step(out, "api undo", || {
            api::dispatch(app, "undo", json!({"session": session})).map(drop)
        });
        step(out, "api template_texts", || {
            api::dispatch(app, "template_texts", json!({"session": session})).map(drop)
        });
        if journey {
            let mut sim = None;
            step(out, "api sim_start", || {
                let answer = api::dispatch(app, "sim_start", json!({"session": session}))?;
                sim = answer["sim"].as_str().map(str::to_string);
                Ok(())
            });
            if let Some(sim) = sim {
                step(out, "api sim_send", || {
                    api::dispatch(app, "sim_send", json!({"sim": sim, "message": "yes"})).map(drop)
                });
                step(out, "api sim_back", || {
                    api::dispatch(app, "sim_back", json!({"sim": sim})).map(drop)
                });
                step(out, "api sim_stop", || {
                    api::dispatch(app, "sim_stop", json!({"sim": sim})).map(drop)
                });
            }
        }
        step(out, "api close_document", || {
            api::dispatch(app, "close_document", json!({"session": session})).map(drop)
        });
    }
    step(out, "api export_document", || {
        api::dispatch(app, "export_document", json!({"id": id})).map(drop)
    });
    step(out, "api delete_document", || {
        api::dispatch(app, "delete_document", json!({"id": id})).map(drop)
    });
}

/// What is wrong in one case's outcomes: panics, commands slower than `time_limit`, errors that
/// say no place (one line each).
pub fn judge(case: &str, outcomes: &[Outcome], time_limit: Duration) -> Vec<String> {
    let mut problems = Vec::new();
    for o in outcomes {
        if o.elapsed > time_limit {
            problems.push(format!("SLOW {} on {case}: {:?}", o.command, o.elapsed));
        }
        if let Some(panic) = &o.panic {
            problems.push(format!("PANIC {} on {case}: {panic}", o.command));
        } else if let Err(message) = &o.result {
            if let Some(why) = error_problem(message) {
                let excerpt: String = message.chars().take(300).collect();
                problems.push(format!("ERROR {} on {case}: {why}: {excerpt}", o.command));
            }
        }
    }
    problems
}

/// The fuzzer's cheaper pass over one case: every reader and the document commands (the
/// simulators on one case in `simulate_every`), and the API's commands with hostile arguments;
/// the store-backed app path only for API cases.
pub fn fuzz_case(
    case: &Case,
    ctx: &Context,
    simulate: bool,
    progress: &dyn Fn(&'static str),
) -> Vec<Outcome> {
    let mut out = Recorder {
        outcomes: Vec::new(),
        progress,
    };
    match case.kind {
        InputKind::Document => {
            let mut doc = None;
            step(&mut out, "parse", || {
                doc = Some(Document::parse(FILE, &case.text)?);
                Ok(())
            });
            if let Some(doc) = &doc {
                step(&mut out, "inspect", || {
                    serde_json::to_string(&doc.summary())
                        .map(drop)
                        .map_err(|e| Error::Unsupported(e.to_string()))
                });
                step(&mut out, "format", || {
                    Document::parse("formatted.json", &doc.to_json()).map(drop)
                });
                step(&mut out, "validate", || {
                    crate::validate::validate_with(
                        doc,
                        crate::validate::Options { readiness: true },
                    )
                    .map(drop)
                });
                step(&mut out, "convert", || {
                    let opts = crate::convert::ConvertOptions::default();
                    match doc {
                        Document::Sim(w) => crate::convert::workflow_to_journey(w, &opts).map(drop),
                        Document::Journey(j) => {
                            crate::convert::journey_to_workflow(j, &opts).map(drop)
                        }
                    }
                });
                if simulate {
                    step(&mut out, "simulate", || match doc {
                        Document::Sim(w) => {
                            workflow::run(w.state(), &RunOptions::default()).map(drop)
                        }
                        Document::Journey(j) => {
                            let mut session = Session::new(j, Mocks::default())?;
                            session.start()?;
                            session.send("yes")?;
                            Ok(())
                        }
                    });
                }
            }
        }
        _ => return run_case(case, ctx, progress),
    }
    out.outcomes
}

/// Whether an error message says where the problem is: the file (or a named part of it), a
/// JSON path, a quoted name or a line; and quotes no more than a short excerpt.
pub fn error_problem(message: &str) -> Option<String> {
    const LIMIT: usize = 8 * 1024;
    if message.len() > LIMIT {
        return Some(format!(
            "the message is {} bytes (more than {LIMIT})",
            message.len()
        ));
    }
    for leak in [
        "expected struct ",
        "expected enum ",
        "expected tuple struct",
        "journey_studio::",
    ] {
        if message.contains(leak) {
            return Some(format!("the message leaks an internal name (`{leak}`)"));
        }
    }
    let says_where = message.contains(FILE)
        || message.contains('`')
        || message.contains(".json")
        || message.contains("line ")
        || message.starts_with("command ")
        || message
            .split(':')
            .next()
            .is_some_and(|head| COMMAND_WORDS.contains(&head))
        || names_an_id(message)
        || has_path(message)
        || has_line_and_column(message);
    if says_where {
        None
    } else {
        Some("the message names no place".into())
    }
}

/// Messages that begin with the command they come from (`convert: …`).
const COMMAND_WORDS: &[&str] = &[
    "convert",
    "simulate",
    "simulation",
    "parity",
    "validate",
    "template",
    "import",
];

/// `id 12`, `id `x``: the document or item the message is about.
fn names_an_id(message: &str) -> bool {
    message.match_indices("id ").any(|(i, _)| {
        message[i + 3..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// `a.b`, `a[3]`, `a.b[2].c` style paths.
/// `place:12:3: …`, the compiler-style location (`imported document:1:2: expected value`).
fn has_line_and_column(message: &str) -> bool {
    let mut parts = message.splitn(4, ':');
    let (place, line, column) = (parts.next(), parts.next(), parts.next());
    let number =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    place.is_some_and(|p| !p.trim().is_empty()) && number(line) && number(column)
}

fn has_path(message: &str) -> bool {
    let bytes = message.as_bytes();
    bytes.windows(3).any(|w| {
        (w[0].is_ascii_alphanumeric() || w[0] == b'_')
            && (w[1] == b'.' || w[1] == b'[')
            && (w[2].is_ascii_alphanumeric() || w[2] == b'_')
    })
}
