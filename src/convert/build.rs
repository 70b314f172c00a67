//! New Sim blocks in the shapes Sim's block definitions give them (apps/sim/blocks/blocks/*.ts),
//! and the few in-place edits a journey can make to an existing block.

use crate::json::{Maybe, UniqueMap};
use crate::sim::{Block, Position, SubBlock};
use indexmap::IndexMap;
use serde_json::{json, Value};

pub fn block(
    id: &str,
    block_type: &str,
    name: &str,
    sub_blocks: Vec<(&str, &str, Value)>,
    outputs: Value,
) -> Block {
    let sub_blocks: UniqueMap<SubBlock> = sub_blocks
        .into_iter()
        .map(|(id, kind, value)| {
            (
                id.to_string(),
                SubBlock {
                    id: id.to_string(),
                    sub_block_type: kind.to_string(),
                    value: Maybe::Value(value),
                    extra: IndexMap::new(),
                },
            )
        })
        .collect();
    let outputs = match outputs {
        Value::Object(map) => map.into_iter().collect(),
        _ => IndexMap::new(),
    };
    Block {
        id: id.to_string(),
        block_type: block_type.to_string(),
        name: name.to_string(),
        position: Position::new(0.0, 0.0),
        sub_blocks,
        outputs,
        enabled: true,
        horizontal_handles: Maybe::Value(true),
        is_wide: Maybe::Absent,
        height: Maybe::Absent,
        advanced_mode: Maybe::Value(false),
        trigger_mode: Maybe::Value(false),
        error_enabled: Maybe::Absent,
        locked: Maybe::Absent,
        layout: Maybe::Absent,
        retry: Maybe::Absent,
        data: Maybe::Absent,
        extra: IndexMap::new(),
    }
}

pub fn start_trigger(id: &str, name: &str, inputs: Vec<Value>) -> Block {
    block(
        id,
        "start_trigger",
        name,
        vec![("inputFormat", "input-format", Value::Array(inputs))],
        json!({
            "input": {"type": "string", "description": "Primary user input or message"},
            "conversationId": {"type": "string", "description": "Conversation thread identifier"},
            "files": {"type": "file[]", "description": "User uploaded files"}
        }),
    )
}

pub fn agent(id: &str, name: &str, instruction: Option<&str>, model: &str) -> Block {
    let messages = match instruction {
        Some(text) => json!([{"role": "system", "content": text}]),
        None => json!([]),
    };
    block(
        id,
        "agent",
        name,
        vec![
            ("messages", "messages-input", messages),
            ("model", "combobox", json!(model)),
        ],
        json!({
            "content": {"type": "string", "description": "Generated response content"},
            "model": {"type": "string", "description": "Model used for generation"},
            "tokens": {"type": "json", "description": "Token usage statistics"},
            "toolCalls": {"type": "json", "description": "Tool calls made"}
        }),
    )
}

pub fn router(id: &str, name: &str, context: &str, model: &str) -> Block {
    block(
        id,
        "router_v2",
        name,
        vec![
            ("context", "long-input", json!(context)),
            ("routes", "router-input", json!("[]")),
            ("model", "combobox", json!(model)),
        ],
        json!({
            "context": {"type": "string", "description": "Context used for routing"},
            "selectedRoute": {"type": "string", "description": "Selected route ID"},
            "reasoning": {"type": "string", "description": "Explanation of why this route was chosen"},
            "selectedPath": {"type": "json", "description": "Selected routing path"}
        }),
    )
}

/// A function block standing in for a Parlant tool Sim has no block for.
pub fn tool_placeholder(id: &str, name: &str, tool: &str) -> Block {
    let code = format!(
        "// Stands in for the Parlant tool `{tool}`: replace with the real call.\nreturn {{}}"
    );
    block(
        id,
        "function",
        name,
        vec![
            ("language", "dropdown", json!("javascript")),
            ("code", "code", json!(code)),
        ],
        json!({
            "result": {"type": "json", "description": "Structured result emitted by the executed code"},
            "stdout": {"type": "string", "description": "Console log output"}
        }),
    )
}

/// Writes a new instruction into an agent: the first message of the instruction's role takes
/// the text and the other messages of that role go (they were joined into the old action).
pub fn set_agent_action(block: &mut Block, text: &str) {
    if let Some(Value::Array(messages)) = block
        .sub_blocks
        .get_mut("messages")
        .and_then(|s| s.value.get_mut())
    {
        if !messages.is_empty() {
            let role = super::to_journey::instruction_role(messages);
            let mut first = true;
            messages.retain_mut(|m| {
                if m.get("role").and_then(Value::as_str) != Some(role) {
                    return true;
                }
                if first {
                    first = false;
                    m["content"] = Value::String(text.to_string());
                    return true;
                }
                false
            });
            return;
        }
    }
    for legacy in ["systemPrompt", "userPrompt"] {
        if let Some(sub) = block.sub_blocks.get_mut(legacy).filter(|s| {
            s.value
                .get()
                .and_then(Value::as_str)
                .is_some_and(|v| !v.is_empty())
        }) {
            sub.value = Maybe::Value(Value::String(text.to_string()));
            return;
        }
    }
    let messages = json!([{"role": "system", "content": text}]);
    match block.sub_blocks.get_mut("messages") {
        Some(sub) => sub.value = Maybe::Value(messages),
        None => {
            block.sub_blocks.insert(
                "messages".into(),
                SubBlock {
                    id: "messages".into(),
                    sub_block_type: "messages-input".into(),
                    value: Maybe::Value(messages),
                    extra: IndexMap::new(),
                },
            );
        }
    }
}

/// The branch list of a Condition (`conditions`) or router (`routes`) sub-block, every field of
/// every entry kept, and whether it is stored as a JSON string (Sim's usual form) rather than an array. Missing or unreadable: empty, as a string.
pub fn read_branches(block: &Block, key: &str) -> (Vec<Value>, bool) {
    match block.sub_blocks.get(key).and_then(|s| s.value.get()) {
        Some(Value::String(text)) => (
            serde_json::from_str::<Vec<Value>>(text).unwrap_or_default(),
            true,
        ),
        Some(Value::Array(items)) => (items.clone(), false),
        _ => (Vec::new(), true),
    }
}

/// Writes a branch list back in its storage form, creating the sub-block when missing.
pub fn write_branches(block: &mut Block, key: &str, items: Vec<Value>, as_string: bool) {
    let sub = block
        .sub_blocks
        .entry(key.to_string())
        .or_insert_with(|| SubBlock {
            id: key.to_string(),
            sub_block_type: if key == "routes" {
                "router-input".into()
            } else {
                "condition-input".into()
            },
            value: Maybe::Value(json!("[]")),
            extra: IndexMap::new(),
        });
    sub.value = Maybe::Value(if as_string {
        Value::String(serde_json::to_string(&items).unwrap_or_else(|_| "[]".into()))
    } else {
        Value::Array(items)
    });
}
