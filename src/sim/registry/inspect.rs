//! The typed inspector's model: a block's fields with their current values, each typed from the
//! registry, and anything the registry does not know (or holds a value of another shape) as a
//! raw `json` field, so nothing a block holds is ever hidden or lost.

use super::block_spec;
use super::spec::{FieldLocation, FieldSpec, FieldType};
use super::visibility::{Values, Visibility};
use crate::sim::Block;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// One field of a block as the inspector shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FieldView {
    /// The sub-block id (or the `data` key of a container setting).
    pub id: String,
    pub title: String,
    /// The editor to use: the registry's type, or `json` for an unknown sub-block or a value of
    /// a shape the type cannot hold.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// The current value (`null` when the block does not hold the field).
    pub value: Value,
    /// The block holds this field (a sub-block with that id, or the `data` key).
    pub present: bool,
    /// The sub-block's own `type` as stored (Sim writes it back unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub stored_type: Option<String>,
    pub location: FieldLocation,
    /// Sim's editor would show it now (its condition holds, its mode matches the block's).
    pub visible: bool,
    /// It must hold a value now.
    pub required: bool,
    /// The registry's field, when known (options, placeholder, language, bounds, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub spec: Option<FieldSpec>,
    /// Why the field is shown as raw JSON instead of its type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub problem: Option<String>,
}

/// The block's fields in the order of its block config, then whatever else it holds in its own
/// order. A repeated id (Sim declares some fields twice, with different conditions) is one field,
/// typed by the declaration Sim's editor would show.
pub fn inspector_fields(block: &Block) -> Vec<FieldView> {
    let values = Values::of(block);
    let Some(spec) = block_spec(&block.block_type) else {
        return block
            .sub_blocks
            .iter()
            .map(|(id, sub)| {
                raw_field(
                    id,
                    sub.value.get().cloned().unwrap_or(Value::Null),
                    Some(sub.sub_block_type.clone()),
                    unknown_type(&block.block_type),
                )
            })
            .collect();
    };
    let visibility = Visibility::new(spec, block);
    let mut out: Vec<FieldView> = Vec::new();
    let mut seen: Vec<(FieldLocation, &str)> = Vec::new();
    for field in &spec.fields {
        let key = (field.location, field.id.as_str());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let candidates: Vec<&FieldSpec> = spec
            .fields
            .iter()
            .filter(|f| f.location == field.location && f.id == field.id)
            .collect();
        let shown = candidates
            .iter()
            .copied()
            .find(|f| visibility.shows(f, &values));
        let chosen = shown.unwrap_or(candidates[0]);
        let present_value = values.get(field.location, &field.id);
        // Mirrors and legacy sub-blocks only appear when a block holds them.
        if present_value.is_none() && (chosen.mirror || chosen.legacy.is_some()) {
            continue;
        }
        let stored_type = match field.location {
            FieldLocation::SubBlock => block
                .sub_blocks
                .get(&field.id)
                .map(|s| s.sub_block_type.clone()),
            FieldLocation::Data | FieldLocation::Node => None,
        };
        let value = present_value.cloned().unwrap_or(Value::Null);
        let problem = shape_problem(chosen, &value);
        out.push(FieldView {
            id: field.id.clone(),
            title: chosen.title.clone().unwrap_or_else(|| field.id.clone()),
            field_type: if problem.is_some() {
                FieldType::Json
            } else {
                chosen.field_type
            },
            value,
            present: present_value.is_some(),
            stored_type,
            location: field.location,
            visible: shown.is_some(),
            required: visibility.requires(chosen, &values),
            spec: Some(chosen.clone()),
            problem,
        });
    }
    for (id, sub) in block.sub_blocks.iter() {
        if seen.contains(&(FieldLocation::SubBlock, id.as_str())) {
            continue;
        }
        let problem = format!(
            "`{id}` is not a field of `{}` in Sim {} (shown as JSON, kept as is)",
            block.block_type,
            super::registry().sim.version
        );
        out.push(raw_field(
            id,
            sub.value.get().cloned().unwrap_or(Value::Null),
            Some(sub.sub_block_type.clone()),
            problem,
        ));
    }
    out
}

fn unknown_type(block_type: &str) -> String {
    format!("`{block_type}` is not a block type the registry knows (shown as JSON, kept as is)")
}

fn raw_field(id: &str, value: Value, stored_type: Option<String>, problem: String) -> FieldView {
    FieldView {
        id: id.to_string(),
        title: id.to_string(),
        field_type: FieldType::Json,
        value,
        present: true,
        stored_type,
        location: FieldLocation::SubBlock,
        visible: true,
        required: false,
        spec: None,
        problem: Some(problem),
    }
}

/// Why `value` cannot be edited as the field's type (`None`: it can). `null` always can.
pub fn shape_problem(field: &FieldSpec, value: &Value) -> Option<String> {
    if value.is_null() || accepts(field, value) {
        return None;
    }
    Some(format!(
        "`{}` holds {}, which a {} field cannot show (shown as JSON, kept as is)",
        field.id,
        describe(value),
        type_name(field.field_type)
    ))
}

fn type_name(t: FieldType) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

fn array_of(v: &Value, item: impl Fn(&Value) -> bool) -> bool {
    v.as_array().is_some_and(|items| items.iter().all(item))
}

fn is_object_with(v: &Value, keys: &[&str]) -> bool {
    v.as_object()
        .is_some_and(|o| keys.iter().all(|k| o.contains_key(*k)))
}

/// A JSON list of objects with an `id`, or a JSON string holding one (how Sim stores a Condition
/// block's branches and a router's routes).
fn branch_list(v: &Value) -> bool {
    let list = |v: &Value| array_of(v, |b| is_object_with(b, &["id"]));
    match v {
        Value::String(text) => {
            serde_json::from_str::<Value>(text).is_ok_and(|parsed| list(&parsed))
        }
        other => list(other),
    }
}

/// The value shapes each field type holds in Sim v0.8.9, from what its editor component reads
/// and what real exports carry: text inputs show any scalar (`short-input`, `long-input`);
/// a dropdown holds an option id (a list when multi-select); a slider a number or numeric text;
/// a switch a boolean (or `"true"`/`"false"`); a table rows `{id, cells}`; messages a list of
/// `{role, content}` or one text (read as a system message, `messages-input.tsx`); branches and
/// routes a list or its JSON text; the list editors (tools, skills, formats, metrics, variable
/// assignments) lists of objects; selectors an id (or ids); builders and display-only fields any JSON.
fn accepts(field: &FieldSpec, v: &Value) -> bool {
    use FieldType as T;
    match field.field_type {
        T::ShortInput | T::LongInput => is_scalar(v),
        T::Dropdown | T::Combobox => is_scalar(v) || (field.multi_select && array_of(v, is_scalar)),
        T::Slider => {
            v.is_number()
                || v.as_str()
                    .is_some_and(|s| s.trim().is_empty() || s.trim().parse::<f64>().is_ok())
        }
        T::Switch => v.is_boolean() || matches!(v.as_str(), Some("true" | "false")),
        T::TimeInput => v.is_string(),
        T::Code => {
            v.is_string()
                || (field.language.as_deref() == Some("json") && (v.is_object() || v.is_array()))
        }
        T::Table => array_of(v, |row| row.get("cells").is_some_and(Value::is_object)),
        T::ConditionInput | T::RouterInput => branch_list(v),
        T::MessagesInput => v.is_string() || array_of(v, |m| is_object_with(m, &["role"])),
        T::ToolInput
        | T::SkillInput
        | T::InputFormat
        | T::ResponseFormat
        | T::EvalInput
        | T::VariablesInput => array_of(v, Value::is_object),
        T::CheckboxList | T::GroupedCheckboxList => {
            v.is_boolean() || v.is_object() || array_of(v, is_scalar)
        }
        T::OauthInput
        | T::FileSelector
        | T::SheetSelector
        | T::ProjectSelector
        | T::ChannelSelector
        | T::UserSelector
        | T::FolderSelector
        | T::KnowledgeBaseSelector
        | T::DocumentSelector
        | T::McpServerSelector
        | T::McpToolSelector
        | T::WorkflowSelector
        | T::TableSelector
        | T::ColumnSelector => is_scalar(v) || array_of(v, is_scalar),
        T::FileUpload => v.is_object() || array_of(v, Value::is_object) || v.is_string(),
        T::Text => v.is_string() || array_of(v, Value::is_string),
        T::StringList => array_of(v, Value::is_string),
        T::ToolIds => array_of(v, |t| is_object_with(t, &["service_name", "tool_name"])),
        T::WebhookConfig
        | T::ScheduleInfo
        | T::KnowledgeTagFilters
        | T::DocumentTagEntry
        | T::McpDynamicArgs
        | T::FilterBuilder
        | T::SortBuilder
        | T::InputMapping
        | T::WorkflowInputMapper
        | T::Modal
        | T::Json => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(t: &str, extra: Value) -> FieldSpec {
        let mut base = json!({"id": "f", "type": t});
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value(base).unwrap()
    }

    #[test]
    fn shapes_follow_sims_editors() {
        assert!(accepts(&field("short-input", json!({})), &json!(3)));
        assert!(!accepts(&field("short-input", json!({})), &json!({"a": 1})));
        assert!(!accepts(&field("dropdown", json!({})), &json!(["a"])));
        assert!(accepts(
            &field("dropdown", json!({"multi_select": true})),
            &json!(["a"])
        ));
        assert!(accepts(&field("slider", json!({})), &json!("0.3")));
        assert!(!accepts(&field("slider", json!({})), &json!("warm")));
        assert!(accepts(
            &field("table", json!({})),
            &json!([{"id": "r", "cells": {"Key": "a"}}])
        ));
        assert!(!accepts(&field("table", json!({})), &json!([{"Key": "a"}])));
        assert!(accepts(
            &field("condition-input", json!({})),
            &json!("[{\"id\":\"b-if\",\"title\":\"if\",\"value\":\"1\"}]")
        ));
        assert!(!accepts(
            &field("condition-input", json!({})),
            &json!("if x")
        ));
        assert!(accepts(
            &field("messages-input", json!({})),
            &json!([{"role": "system", "content": "hi"}])
        ));
        assert!(accepts(
            &field("messages-input", json!({})),
            &json!("a system prompt")
        ));
        assert!(accepts(
            &field("code", json!({"language": "json"})),
            &json!({"type": "object"})
        ));
        assert!(!accepts(
            &field("code", json!({"language": "javascript"})),
            &json!({"type": "object"})
        ));
        assert!(shape_problem(&field("switch", json!({})), &json!([1]))
            .unwrap()
            .contains("a list, which a switch field"));
        assert!(shape_problem(&field("switch", json!({})), &Value::Null).is_none());
    }
}
