//! A journey as readable Parlant SDK Python code (`parlant.sdk`, 3.3.2).
//!
//! The module has `async def build_journey(agent)`, which creates the journey with
//! `agent.create_journey(...)`, then one call per transition, walking the graph breadth-first
//! from the root so every source state exists before its transitions; then the journey's
//! guidelines (`journey.create_guideline`, journey-scoped as the SDK makes them) and the context
//! variables it relies on (`agent.create_variable`). States get names from their description,
//! action or id; tools are module-level `p.ToolId` constants.
//!
//! The SDK's own calls (3.3.2, `parlant/sdk.py`):
//! - chat state: `transition_to(chat_state=...)`; tool state: `transition_to(tool_state=...)`
//!   (`tool_instruction=` when the action is not the SDK's own "Use the tool <name>");
//! - a state reached again: `transition_to(state=...)`; the end: `state=p.END_JOURNEY`;
//! - a fork: `fork()` on a chat or tool state, which makes an unconditional transition. The SDK
//!   has no public call for a fork reached from the root, from a fork, or under a condition:
//!   those use `_transition(..., fork=True)`, the call `fork()` itself makes, with a comment.
//!
//! By default the Sim blocks a converted journey carries (`metadata.sim`) are left out, so the
//! code reads as the journey; `ExportOptions::keep_metadata` keeps every metadata key. States
//! the root cannot reach cannot be built through the SDK and are listed in a comment.

use crate::graph::GraphView;
use crate::parlant::{JourneyDocument, JourneyNode, NodeKind, ToolId, END_NODE_ID};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// Metadata keys Journey Studio adds for itself: the Sim block a state came from, and the sync
/// marker linking a server entity to its document id.
const CARRIED_KEYS: &[&str] = &["sim", "journey_studio"];

#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// Keep every metadata key of the states, the carried Sim blocks (`metadata.sim`) included.
    pub keep_metadata: bool,
}

/// A Python string literal (JSON's escapes are valid Python escapes).
fn py_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn py_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "None".into(),
        serde_json::Value::Bool(b) => {
            if *b {
                "True".into()
            } else {
                "False".into()
            }
        }
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => py_str(s),
        serde_json::Value::Array(a) => format!(
            "[{}]",
            a.iter().map(py_value).collect::<Vec<_>>().join(", ")
        ),
        serde_json::Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}: {}", py_str(k), py_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "match", "case",
];

/// Unique Python identifiers made from free text.
#[derive(Default)]
struct Names {
    used: HashSet<String>,
}

impl Names {
    fn reserve(&mut self, name: &str) {
        self.used.insert(name.to_string());
    }

    /// `text` in snake case (ASCII words joined by `_`, whole words up to 30 characters), or
    /// `fallback` when that leaves nothing readable; `_2`, `_3`, ... added until it is free.
    fn make(&mut self, text: &str, fallback: &str, upper: bool) -> String {
        let words = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty());
        let mut base = String::new();
        for word in words {
            let word = if upper {
                word.to_ascii_uppercase()
            } else {
                word.to_ascii_lowercase()
            };
            if base.is_empty() {
                base = word.chars().take(30).collect();
            } else if base.len() + 1 + word.len() <= 30 {
                base.push('_');
                base.push_str(&word);
            } else {
                break;
            }
        }
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) || looks_random(&base)
        {
            base = fallback.to_string();
        }
        if PYTHON_KEYWORDS.contains(&base.as_str()) {
            base.push('_');
        }
        let mut name = base.clone();
        let mut n = 2;
        while self.used.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.used.insert(name.clone());
        name
    }
}

/// An id such as a UUID or Parlant's generated ids: not worth a name.
fn looks_random(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let words = s.split('_').filter(|w| !w.is_empty()).count();
    digits * 3 > s.len() || (words == 1 && s.len() >= 8 && s.chars().any(|c| c.is_ascii_digit()))
}

fn tool_list(tools: &[ToolId], consts: &HashMap<String, String>) -> String {
    let names: Vec<String> = tools
        .iter()
        .map(|t| {
            consts
                .get(&t.to_string())
                .cloned()
                .unwrap_or_else(|| "None".into())
        })
        .collect();
    match names.as_slice() {
        [one] => one.clone(),
        _ => format!("[{}]", names.join(", ")),
    }
}

/// `composition_mode` as the SDK's enum (3.3.2 `p.CompositionMode`: FLUID is the REST
/// `canned_fluid`, COMPOSITED `composited_canned`, STRICT `strict_canned`); the REST `fluid`
/// has no SDK value.
fn sdk_mode(mode: &str) -> Option<&'static str> {
    match mode {
        "canned_fluid" => Some("p.CompositionMode.FLUID"),
        "composited_canned" | "canned_composited" => Some("p.CompositionMode.COMPOSITED"),
        "strict_canned" | "canned_strict" => Some("p.CompositionMode.STRICT"),
        _ => None,
    }
}

struct Exporter<'a> {
    doc: &'a JourneyDocument,
    options: ExportOptions,
    tools: HashMap<String, String>,
}

impl Exporter<'_> {
    fn metadata(
        &self,
        meta: Option<&indexmap::IndexMap<String, serde_json::Value>>,
    ) -> Option<String> {
        let kept: serde_json::Map<String, serde_json::Value> = meta?
            .iter()
            .filter(|(k, _)| {
                k.as_str() != "journey_node"
                    && (self.options.keep_metadata || !CARRIED_KEYS.contains(&k.as_str()))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        (!kept.is_empty()).then(|| py_value(&serde_json::Value::Object(kept)))
    }

    /// The keyword arguments that create `node` as the target of a transition (chat or tool).
    fn state_args(&self, node: &JourneyNode, kind: &NodeKind) -> Vec<String> {
        let mut args = Vec::new();
        match kind {
            NodeKind::Tool => {
                let tools = node.tool_ids();
                args.push(format!("tool_state={}", tool_list(tools, &self.tools)));
                // The SDK names a one-tool state "Use the tool <name>" itself; with several tools
                // it leaves the action empty unless given one.
                let default = match tools {
                    [one] => Some(format!("Use the tool {}", one.tool_name)),
                    _ => None,
                };
                if let Some(action) = node
                    .action_text()
                    .filter(|a| Some(a.to_string()) != default)
                {
                    args.push(format!("tool_instruction={}", py_str(action)));
                }
            }
            _ => args.push(format!(
                "chat_state={}",
                py_str(node.action_text().unwrap_or(""))
            )),
        }
        self.common_args(node, &mut args);
        args
    }

    fn common_args(&self, node: &JourneyNode, args: &mut Vec<String>) {
        if let Some(d) = node.description.get().filter(|d| !d.is_empty()) {
            args.push(format!("description={}", py_str(d)));
        }
        if let Some(mode) = node.composition_mode.get().and_then(|m| sdk_mode(m)) {
            args.push(format!("composition_mode={mode}"));
        }
        if let Some(labels) = node.labels.get().filter(|l| !l.is_empty()) {
            args.push(format!(
                "labels=[{}]",
                labels
                    .iter()
                    .map(|l| py_str(l))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(meta) = self.metadata(node.metadata.get()) {
            args.push(format!("metadata={meta}"));
        }
    }

    fn run(&self) -> String {
        let doc = self.doc;
        let j = &doc.journey;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Generated by Journey Studio from the journey {}.",
            py_str(&j.title)
        );
        let _ = writeln!(
            out,
            "# Parlant SDK (parlant==3.3.2). Tool states name tools by service and tool name: the"
        );
        let _ = writeln!(
            out,
            "# server must offer them (a tool service, or @p.tool functions under those names).\n"
        );
        let _ = writeln!(out, "import asyncio\n\nimport parlant.sdk as p\n");
        if !self.tools.is_empty() {
            let _ = writeln!(out, "# Tools the journey's states call.");
            let mut consts: Vec<(&String, &String)> = self.tools.iter().collect();
            consts.sort_by_key(|(_, name)| name.as_str());
            for (id, name) in consts {
                let (service, tool) = id.split_once(':').unwrap_or(("", id));
                let _ = writeln!(
                    out,
                    "{name} = p.ToolId(service_name={}, tool_name={})",
                    py_str(service),
                    py_str(tool)
                );
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "\nasync def build_journey(agent: p.Agent) -> p.Journey:"
        );
        let _ = writeln!(out, "    journey = await agent.create_journey(");
        let _ = writeln!(out, "        title={},", py_str(&j.title));
        let _ = writeln!(out, "        description={},", py_str(&j.description));
        let conditions: Vec<String> = j.conditions.iter().map(|c| py_str(c)).collect();
        let _ = writeln!(out, "        conditions=[{}],", conditions.join(", "));
        if let Some(labels) = j.labels.get().filter(|l| !l.is_empty()) {
            let _ = writeln!(
                out,
                "        labels=[{}],",
                labels
                    .iter()
                    .map(|l| py_str(l))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if let Some(priority) = j
            .priority
            .get()
            .and_then(|p| p.as_i64())
            .filter(|p| *p != 0)
        {
            let _ = writeln!(out, "        priority={priority},");
        }
        let mode = j.composition_mode.get().filter(|m| !m.is_empty());
        if let Some(sdk) = mode.and_then(|m| sdk_mode(m)) {
            let _ = writeln!(out, "        composition_mode={sdk},");
        }
        let _ = writeln!(out, "    )");
        if let Some(m) = mode.filter(|m| sdk_mode(m).is_none()) {
            let _ = writeln!(out, "    # composition_mode {} has no p.CompositionMode value in the SDK; set it over the REST API.", py_str(m));
        }
        if let Some(tags) = j.tags.get().filter(|t| !t.is_empty()) {
            let list: Vec<String> = tags.iter().map(|t| py_str(t)).collect();
            let _ = writeln!(out, "    # Tags on the server: {} (the SDK takes p.Tag objects; the agent's own is added by it).", list.join(", "));
        }
        self.graph(&mut out);
        self.guidelines(&mut out);
        self.variables(&mut out);
        let _ = writeln!(out, "    return journey\n\n");
        let _ = writeln!(out, "async def main() -> None:");
        let _ = writeln!(out, "    # p.Server needs an NLP service: an LLM API key in the environment, or nlp_service=...");
        let _ = writeln!(out, "    async with p.Server() as server:");
        let _ = writeln!(
            out,
            "        agent = await server.create_agent(name=\"Journey Studio\", description={})",
            py_str(&format!("Agent for {}", j.title))
        );
        let _ = writeln!(out, "        await build_journey(agent)\n\n");
        let _ = writeln!(out, "if __name__ == \"__main__\":\n    asyncio.run(main())");
        out
    }

    fn graph(&self, out: &mut String) {
        let doc = self.doc;
        let root = doc.journey.root_id.as_str();
        let graph = GraphView::of_journey(doc);
        let nodes: HashMap<&str, &JourneyNode> =
            doc.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
        let mut names = Names::default();
        for reserved in [
            "journey",
            "agent",
            "p",
            "asyncio",
            "server",
            "build_journey",
            "main",
        ] {
            names.reserve(reserved);
        }
        for name in self.tools.values() {
            names.reserve(name);
        }
        let mut var: HashMap<&str, String> = HashMap::new();
        var.insert(root, "journey.initial_state".to_string());
        var.insert(END_NODE_ID, "p.END_JOURNEY".to_string());
        let _ = writeln!(out, "\n    # States and transitions, from the root.");
        for source in graph.bfs_order(root) {
            let Some(src) = var.get(source).cloned() else {
                continue;
            };
            let source_kind = doc.kind_of(source);
            for edge_ix in graph.out_edges(source) {
                let Some(edge) = doc.edges.get(edge_ix) else {
                    continue;
                };
                // The condition as stored: `""` stays `""` (Parlant reads it as none).
                let condition = edge
                    .condition
                    .get()
                    .map(|c| format!("condition={}", py_str(c)));
                if let Some(target) = var.get(edge.target.as_str()) {
                    let args: Vec<String> = condition
                        .into_iter()
                        .chain([format!("state={target}")])
                        .collect();
                    let _ = writeln!(out, "    await {src}.transition_to({})", args.join(", "));
                    continue;
                }
                let Some(node) = nodes.get(edge.target.as_str()).copied() else {
                    continue;
                };
                let kind = doc.kind_of_node(node);
                let fallback = format!("state_{}", var.len() - 1);
                let tool_names = node
                    .tool_ids()
                    .iter()
                    .map(|t| t.tool_name.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                let label = node
                    .description
                    .get()
                    .filter(|d| !d.trim().is_empty())
                    .map(String::as_str)
                    .or((!tool_names.is_empty()).then_some(tool_names.as_str()))
                    .or(node.action_text())
                    .unwrap_or(&node.id);
                let name = names.make(label, &fallback, false);
                match kind {
                    NodeKind::Fork => {
                        let public = condition.is_none()
                            && matches!(source_kind, Some(NodeKind::Chat | NodeKind::Tool));
                        let described = node
                            .description
                            .get()
                            .filter(|d| !d.is_empty())
                            .map(|d| format!("  # {}", d.replace('\n', " ")))
                            .unwrap_or_default();
                        if public {
                            let _ = writeln!(
                                out,
                                "    {name} = (await {src}.fork()).target{described}"
                            );
                        } else {
                            let mut args: Vec<String> = vec![
                                condition.clone().unwrap_or_else(|| "condition=None".into()),
                                "fork=True".into(),
                            ];
                            self.common_args(node, &mut args);
                            let _ = writeln!(out, "    # The SDK's fork() exists on chat and tool states only, without a condition: this is the call it makes.");
                            let _ = writeln!(
                                out,
                                "    {name} = (await {src}._transition({})).target",
                                args.join(", ")
                            );
                        }
                    }
                    _ => {
                        let args: Vec<String> = condition
                            .into_iter()
                            .chain(self.state_args(node, &kind))
                            .collect();
                        let _ = writeln!(
                            out,
                            "    {name} = (await {src}.transition_to({})).target",
                            args.join(", ")
                        );
                    }
                }
                var.insert(node.id.as_str(), name);
            }
        }
        let unreachable: Vec<&str> = doc
            .nodes
            .iter()
            .map(|n| n.id.as_str())
            .filter(|id| !var.contains_key(id))
            .collect();
        if !unreachable.is_empty() {
            let _ = writeln!(
                out,
                "    # Not exported (the root cannot reach them): {}",
                unreachable.join(", ")
            );
        }
    }

    fn guidelines(&self, out: &mut String) {
        let Some(guidelines) = self.doc.guidelines.get().filter(|g| !g.is_empty()) else {
            return;
        };
        let _ = writeln!(
            out,
            "\n    # Guidelines that apply while the journey is active."
        );
        for g in guidelines {
            let mut args = vec![format!("condition={}", py_str(&g.condition))];
            if let Some(a) = g.action.get() {
                args.push(format!("action={}", py_str(a)));
            }
            if let Some(d) = g.description.get() {
                args.push(format!("description={}", py_str(d)));
            }
            match g.criticality.get().map(String::as_str) {
                Some("low") => args.push("criticality=p.Criticality.LOW".into()),
                Some("high") => args.push("criticality=p.Criticality.HIGH".into()),
                _ => {}
            }
            if let Some(meta) = self.metadata(g.metadata.get()) {
                args.push(format!("metadata={meta}"));
            }
            let _ = writeln!(
                out,
                "    await journey.create_guideline({})",
                args.join(", ")
            );
        }
    }

    fn variables(&self, out: &mut String) {
        let variables = self.doc.context_variables();
        if variables.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n    # Context variables the journey relies on.");
        for v in variables {
            let mut args = vec![format!("name={}", py_str(&v.name))];
            if let Some(d) = v.description.get() {
                args.push(format!("description={}", py_str(d)));
            }
            if let Some(t) = v.tool_id.get() {
                args.push(format!(
                    "tool={}",
                    self.tools
                        .get(&t.to_string())
                        .cloned()
                        .unwrap_or_else(|| "None".into())
                ));
            }
            if let Some(f) = v.freshness_rules.get() {
                args.push(format!("freshness_rules={}", py_str(f)));
            }
            let _ = writeln!(out, "    await agent.create_variable({})", args.join(", "));
        }
    }
}

/// The SDK code for `doc` with the default options: readable, without carried Sim blocks.
pub fn export(doc: &JourneyDocument) -> String {
    export_with(doc, ExportOptions::default())
}

/// The SDK code for `doc`: a module with `async def build_journey(agent)` and a `main()` that
/// starts a server (which needs an NLP service: an LLM key, or a custom service).
pub fn export_with(doc: &JourneyDocument, options: ExportOptions) -> String {
    let mut names = Names::default();
    let mut tools: HashMap<String, String> = HashMap::new();
    let all_tools = doc.nodes.iter().flat_map(|n| n.tool_ids().iter()).chain(
        doc.context_variables()
            .iter()
            .filter_map(|v| v.tool_id.get()),
    );
    for t in all_tools {
        if let std::collections::hash_map::Entry::Vacant(slot) = tools.entry(t.to_string()) {
            slot.insert(names.make(&t.tool_name, "TOOL", true));
        }
    }
    Exporter {
        doc,
        options,
        tools,
    }
    .run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_readable_unique_identifiers() {
        let mut n = Names::default();
        n.reserve("journey");
        assert_eq!(
            n.make("Ask where they want to fly", "state_1", false),
            "ask_where_they_want_to_fly"
        );
        assert_eq!(
            n.make("Ask where they want to fly", "state_2", false),
            "ask_where_they_want_to_fly_2"
        );
        assert_eq!(
            n.make("Ask if they have a destination in mind", "state_8", false),
            "ask_if_they_have_a_destination"
        );
        assert_eq!(n.make("journey", "state_3", false), "journey_2");
        assert_eq!(n.make("class", "state_4", false), "class_");
        assert_eq!(
            n.make("9e1c2d44-aaaa-4bbb-8ccc-1234567890ab", "state_5", false),
            "state_5"
        );
        assert_eq!(n.make("BE2z9zpnCz", "state_6", false), "state_6");
        assert_eq!(n.make("«»", "state_7", false), "state_7");
        assert_eq!(n.make("search_flights", "TOOL", true), "SEARCH_FLIGHTS");
    }
}
