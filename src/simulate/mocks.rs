//! Canned outputs for everything the simulator cannot run offline: journey tools, Sim agents,
//! APIs, integrations, routers' decisions and environment values. Read from a mocks file or the
//! `mocks` section of a scenario.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// What one mocked call returns: an output, a sequence of outputs (one per call, the last
/// repeating), or an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mock {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The result of one mocked call.
#[derive(Debug, Clone, PartialEq)]
pub enum MockResult {
    Output(Value),
    Error(String),
}

impl Mock {
    pub fn output(value: Value) -> Mock {
        Mock {
            output: Some(value),
            outputs: Vec::new(),
            error: None,
        }
    }

    pub fn error(message: impl Into<String>) -> Mock {
        Mock {
            output: None,
            outputs: Vec::new(),
            error: Some(message.into()),
        }
    }

    /// The answer to the `call`-th call (0-based).
    pub fn answer(&self, call: usize) -> MockResult {
        if let Some(error) = &self.error {
            return MockResult::Error(error.clone());
        }
        if !self.outputs.is_empty() {
            let i = call.min(self.outputs.len() - 1);
            return MockResult::Output(self.outputs[i].clone());
        }
        MockResult::Output(self.output.clone().unwrap_or(Value::Null))
    }
}

/// The mocks of one run. Keys of `tools` are `service:tool` or just `tool`; keys of `blocks`
/// and `routes` are a block id or a block name (as written or normalised like Sim's references).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mocks {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tools: BTreeMap<String, Mock>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub blocks: BTreeMap<String, Mock>,
    /// Router block -> the route it picks (route id, route title, or the target block's name).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub routes: BTreeMap<String, String>,
    /// `{{NAME}}` values. Never read from the process environment: a scenario stays reproducible
    /// and no secret leaks into a trace by accident.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Extra synonym groups for the journey matcher, e.g. `[["sw", "order"]]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<Vec<String>>,
    /// Journey state id -> what that state's tool calls return, over `tools`: two states using
    /// one tool can answer differently (parity gives each tool state its block's run output).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub states: BTreeMap<String, Mock>,
}

impl Mocks {
    /// `other` wins where both define the same key.
    pub fn merged_with(&self, other: &Mocks) -> Mocks {
        let mut out = self.clone();
        out.tools.extend(other.tools.clone());
        out.blocks.extend(other.blocks.clone());
        out.routes.extend(other.routes.clone());
        out.env.extend(other.env.clone());
        out.synonyms.extend(other.synonyms.clone());
        out.states.extend(other.states.clone());
        out
    }

    /// The mock for a journey tool, by `service:tool` first, then by tool name.
    pub fn tool(&self, service: &str, tool: &str) -> Option<&Mock> {
        self.tools
            .get(&format!("{service}:{tool}"))
            .or_else(|| self.tools.get(tool))
    }

    /// The mock for a Sim block, by id, then name as written, then normalised name.
    pub fn block(&self, id: &str, name: &str) -> Option<&Mock> {
        lookup(&self.blocks, id, name)
    }

    pub fn route(&self, id: &str, name: &str) -> Option<&String> {
        lookup(&self.routes, id, name)
    }
}

fn lookup<'a, T>(map: &'a BTreeMap<String, T>, id: &str, name: &str) -> Option<&'a T> {
    if let Some(v) = map.get(id).or_else(|| map.get(name)) {
        return Some(v);
    }
    let normalised = crate::sim::references::normalize_block_name(name);
    map.iter()
        .find(|(k, _)| crate::sim::references::normalize_block_name(k) == normalised)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sequences_repeat_their_last_answer() {
        let mock: Mock = serde_json::from_value(json!({"outputs": [1, 2]})).unwrap();
        assert_eq!(mock.answer(0), MockResult::Output(json!(1)));
        assert_eq!(mock.answer(5), MockResult::Output(json!(2)));
        assert_eq!(
            Mock::error("down").answer(0),
            MockResult::Error("down".into())
        );
    }

    #[test]
    fn blocks_are_found_by_id_or_any_spelling_of_their_name() {
        let mocks: Mocks = serde_json::from_value(
            json!({"blocks": {"Triage Agent": {"output": {"content": "x"}}}}),
        )
        .unwrap();
        assert!(mocks.block("b1", "triageAgent").is_some());
        assert!(mocks.block("b1", "other").is_none());
        let bad = serde_json::from_value::<Mocks>(json!({"block": {}}));
        assert!(bad.is_err(), "unknown sections are refused");
    }
}
