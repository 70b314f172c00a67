//! Conditions of transitions: Condition branches, router routes, error paths and container
//! entries, as readable text. Branches are tried in order in Sim and the first that holds wins;
//! Parlant judges each transition on its own, so an `else if` says that no earlier branch held and
//! `else` says only that.

use super::expr::Renderer;
use crate::sim::{Block, BlockFamily};
use foldhash::{HashMap, HashMapExt};
use serde_json::Value;

pub const FAILED: &str = "the step failed";
pub const SUCCEEDED: &str = "the step succeeded";
pub const ELSE: &str = "no earlier condition holds";
const ELSE_IF_SUFFIX: &str = " (and no earlier condition holds)";

/// One entry of a Condition block's `conditions` or a router's `routes`, read by the one Sim
/// branch parser (`crate::sim::branches`).
pub use crate::sim::branches::{parse_branches, Branch};

/// Parsed branch lists, one parse per block.
#[derive(Default)]
pub struct BranchCache {
    /// Block id → its branches by branch id (a fork may have thousands).
    blocks: HashMap<String, HashMap<String, Branch>>,
}

impl BranchCache {
    fn find(&mut self, block: &Block, id: &str) -> Option<&Branch> {
        self.blocks
            .entry(block.id.clone())
            .or_insert_with(|| {
                let key = if BlockFamily::of(block) == BlockFamily::Condition {
                    "conditions"
                } else {
                    "routes"
                };
                // The first of two equal ids is the one Sim's executor finds.
                let mut by_id = HashMap::new();
                for b in parse_branches(block.sub_value(key)) {
                    by_id.entry(b.id.clone()).or_insert(b);
                }
                by_id
            })
            .get(id)
    }

    /// A Condition branch: (title, expression, expression is empty).
    pub fn branch(&mut self, block: &Block, id: &str) -> Option<(String, String, bool)> {
        let branch = self.find(block, id)?;
        let empty = branch.title != "else" && branch.value.trim().is_empty();
        Some((branch.title.clone(), branch.value.clone(), empty))
    }

    /// A route's condition: its description, else its title.
    pub fn route(&mut self, block: &Block, id: &str) -> Option<String> {
        let route = self.find(block, id)?;
        route_text(route)
    }
}

pub fn route_text(route: &Branch) -> Option<String> {
    [&route.value, &route.title]
        .into_iter()
        .map(|t| t.trim())
        .find(|t| !t.is_empty())
        .map(str::to_string)
}

/// The text of a Condition branch, by its title (`if`, `else if`, `else`).
pub fn render_branch(renderer: &Renderer, title: &str, expression: &str) -> String {
    match title.trim() {
        "else" => ELSE.to_string(),
        "if" => renderer.condition(expression),
        _ => format!("{}{ELSE_IF_SUFFIX}", renderer.condition(expression)),
    }
}

/// What a container's entry transition waits for.
pub fn container_start(block: &Block, names: &HashMap<String, String>) -> String {
    let name = &block.name;
    let data = block.data.get();
    let count = data
        .and_then(|d| d.count.get())
        .map_or("5".to_string(), |n| n.to_string());
    let collection = data.and_then(|d| d.collection.get()).map(|c| match c {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let items = |c: Option<String>| match c.filter(|c| !c.is_empty()) {
        Some(c) => format!("{name} has items of {c} left to process"),
        None => format!("{name} has items left to process"),
    };
    if BlockFamily::of(block) == BlockFamily::Parallel {
        return match data.and_then(|d| d.parallel_type.get()).map(String::as_str) {
            Some("collection") => items(collection),
            _ => format!("{name} has branches left to run ({count} in all)"),
        };
    }
    let renderer = Renderer { names };
    match data.and_then(|d| d.loop_type.get()).map(String::as_str) {
        Some("forEach") => items(collection),
        Some("while") => format!(
            "{name} repeats while {}",
            renderer.condition(
                data.and_then(|d| d.while_condition.get())
                    .map_or("", String::as_str)
            )
        ),
        Some("doWhile") => format!(
            "{name} runs once, then repeats while {}",
            renderer.condition(
                data.and_then(|d| d.do_while_condition.get())
                    .map_or("", String::as_str)
            )
        ),
        _ => format!("{name} has passes left to run ({count} in all)"),
    }
}
