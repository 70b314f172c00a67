//! Rules about one block on its own, and the facts about it that graph rules read (its
//! references, branch ids and outputs). This is the costly part of validation (JavaScript
//! parsing, scanning every sub-block value), computed once per block and cached by the
//! incremental validator until that block changes.

use super::password_fields::is_password_field;
use super::secrets::{is_plain_text_secret, looks_like_secret};
use crate::js::Sandbox;
use crate::json::JsonPath;
use crate::sim::references::{
    normalize_block_name, parse_references, references_in_value, Reference, RESERVED_BLOCK_NAMES,
};
use crate::sim::{Block, BlockFamily};
use crate::validate::Diagnostic;
use serde_json::Value;
use std::collections::HashSet;

/// What graph rules need to know about a block, derived from its content alone.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockFacts {
    pub family: BlockFamily,
    pub enabled: bool,
    pub parent: Option<String>,
    pub normalized_name: String,
    /// References in its sub-block values, with the path of the value holding each.
    pub refs: Vec<(JsonPath, Reference)>,
    /// Branch ids of a condition block or router, when they could be read.
    pub branches: Option<Vec<String>>,
    /// Output names other blocks may read, when known (`None`: not known, do not check).
    pub outputs: Option<HashSet<String>>,
}

pub struct Local {
    pub facts: BlockFacts,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn block_path(base: &JsonPath, id: &str) -> JsonPath {
    base.clone().key("blocks").key(id)
}

fn value_path(base: &JsonPath, block: &str, sub: &str) -> JsonPath {
    block_path(base, block)
        .key("subBlocks")
        .key(sub)
        .key("value")
}

/// The block's own rules (W009..W013, W018, W020, W021) and its facts.
/// `analyse` of every block, in order. A big workflow is spread over the machine's cores, each
/// worker with a sandbox of its own (JavaScript parsing is most of the cost).
pub fn analyse_all(blocks: &[&Block], base: &JsonPath, js: &Sandbox) -> Vec<Local> {
    const PER_WORKER: usize = 256;
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(blocks.len() / PER_WORKER)
        .max(1);
    if workers == 1 {
        return blocks.iter().map(|b| analyse(b, base, js)).collect();
    }
    let chunk = blocks.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> = blocks
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    // A worker that cannot start an engine leaves its part to the caller's.
                    let own = crate::validate::checking_sandbox().ok()?;
                    Some(
                        part.iter()
                            .map(|b| analyse(b, base, &own))
                            .collect::<Vec<Local>>(),
                    )
                })
            })
            .collect();
        let mut out = Vec::with_capacity(blocks.len());
        for (part, handle) in blocks.chunks(chunk).zip(handles) {
            match handle.join().ok().flatten() {
                Some(results) => out.extend(results),
                None => out.extend(part.iter().map(|b| analyse(b, base, js))),
            }
        }
        out
    })
}

pub fn analyse(block: &Block, base: &JsonPath, js: &Sandbox) -> Local {
    let family = BlockFamily::of(block);
    let mut diagnostics = Vec::new();
    let normalized_name = normalize_block_name(&block.name);
    if family != BlockFamily::Note && RESERVED_BLOCK_NAMES.contains(&normalized_name.as_str()) {
        diagnostics.push(
            Diagnostic::new(
                "W018",
                block_path(base, &block.id).key("name"),
                format!(
                    "block `{}` is named `{normalized_name}`, a reserved reference prefix",
                    block.name
                ),
            )
            .node(&block.id),
        );
    }
    let branches = match block.block_type.as_str() {
        "condition" => branch_rules(block, base, js, "conditions", &mut diagnostics),
        "router_v2" => branch_rules(block, base, js, "routes", &mut diagnostics),
        _ => None,
    };
    secret_rules(block, base, &mut diagnostics);
    let mut refs: Vec<(JsonPath, Reference)> = if family == BlockFamily::Note {
        Vec::new()
    } else {
        block
            .sub_blocks
            .iter()
            .filter_map(|(sid, sub)| sub.value.get().map(|v| (sid, v)))
            // Sim's display-only `text` sub-blocks (HTML setup instructions) are never resolved:
            // their `<strong>` is markup, not a reference (`blocks/types.ts`, v0.8.9).
            .filter(|(sid, _)| !crate::sim::registry::is_display_only(&block.block_type, sid))
            .flat_map(|(sid, v)| references_in_value(v, &value_path(base, &block.id, sid)))
            .collect()
    };
    // A container's configuration in `data` is what Sim derives its loops/parallels table from.
    if let (true, Some(data)) = (family.is_container(), block.data.get()) {
        let data_path = block_path(base, &block.id).key("data");
        let collection = data.collection.get().cloned();
        let texts = [
            data.while_condition.get().cloned(),
            data.do_while_condition.get().cloned(),
        ];
        let keys = ["collection", "whileCondition", "doWhileCondition"];
        let values = [
            collection,
            texts[0].clone().map(Value::String),
            texts[1].clone().map(Value::String),
        ];
        for (key, value) in keys.iter().zip(values) {
            if let Some(value) = value {
                refs.extend(references_in_value(&value, &data_path.clone().key(*key)));
            }
        }
    }
    let facts = BlockFacts {
        family,
        enabled: block.enabled,
        parent: block.parent_id().map(str::to_string),
        normalized_name,
        refs,
        branches,
        outputs: outputs_of(block),
    };
    Local { facts, diagnostics }
}

/// A JSON array that Sim may store as a JSON string.
fn json_array(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items.clone()),
        Value::String(text) => match serde_json::from_str(text).ok()? {
            Value::Array(items) => Some(items),
            _ => None,
        },
        _ => None,
    }
}

fn branch_rules(
    block: &Block,
    base: &JsonPath,
    js: &Sandbox,
    sub: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<String>> {
    let path = value_path(base, &block.id, sub);
    let value = block.sub_value(sub)?;
    let Ok(items) = crate::sim::branches::branch_items(Some(value)) else {
        out.push(
            Diagnostic::new(
                "W012",
                path,
                format!(
                    "`{sub}` of `{}` is not a JSON array of branches",
                    block.name
                ),
            )
            .node(&block.id),
        );
        return None;
    };
    let is_condition = sub == "conditions";
    let mut ids = Vec::new();
    let mut else_at: Option<usize> = None;
    for (i, item) in items.iter().enumerate() {
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            out.push(
                Diagnostic::new(
                    "W012",
                    path.clone(),
                    format!("branch {} of `{}` has no id", i + 1, block.name),
                )
                .node(&block.id),
            );
            continue;
        };
        if ids.iter().any(|seen| seen == id) {
            out.push(
                Diagnostic::new(
                    "W011",
                    path.clone(),
                    format!("`{}` has two branches with id `{id}`", block.name),
                )
                .node(&block.id),
            );
        }
        ids.push(id.to_string());
        let title = item.get("title").and_then(Value::as_str).unwrap_or("");
        let text = item.get("value").and_then(Value::as_str).unwrap_or("");
        if is_condition {
            // Sim's `isElseConditionTitle`.
            if title.trim().eq_ignore_ascii_case("else") {
                else_at.get_or_insert(i);
                continue;
            }
            if let Some(first_else) = else_at {
                out.push(
                    Diagnostic::new(
                        "W010",
                        path.clone(),
                        format!("branch \"{title}\" ({id}) of `{}` comes after the `else` branch (number {}) and is never tried", block.name, first_else + 1),
                    )
                    .node(&block.id),
                );
            }
            if !text.trim().is_empty() {
                if let Err(err) = js.check_expression(&without_references(text)) {
                    out.push(
                        Diagnostic::new(
                            "W009",
                            path.clone(),
                            format!("branch \"{title}\" ({id}) of `{}`: {err}", block.name),
                        )
                        .node(&block.id)
                        .hint(format!(
                            "correct the expression `{}`; it must be one JavaScript expression",
                            text.trim()
                        )),
                    );
                }
            }
        } else if text.trim().is_empty() {
            out.push(
                Diagnostic::new(
                    "W013",
                    path.clone(),
                    format!(
                        "route \"{title}\" ({id}) of router `{}` has no description",
                        block.name
                    ),
                )
                .node(&block.id),
            );
        }
    }
    Some(ids)
}

/// The expression with each reference replaced by an identifier, as Sim inlines values before
/// evaluating: what remains must parse as JavaScript.
fn without_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (n, r) in parse_references(text).into_iter().enumerate() {
        if r.span.start < last {
            continue;
        }
        out.push_str(&text[last..r.span.start]);
        out.push_str(&format!("__ref{n}"));
        last = r.span.end;
    }
    out.push_str(&text[last..]);
    out
}

fn secret_rules(block: &Block, base: &JsonPath, out: &mut Vec<Diagnostic>) {
    for (sid, sub) in block.sub_blocks.iter() {
        let Some(value) = sub.value.get() else {
            continue;
        };
        let path = value_path(base, &block.id, sid);
        if is_password_field(&block.block_type, sid) {
            if let Some(text) = value.as_str() {
                if is_plain_text_secret(text) {
                    out.push(
                        Diagnostic::new(
                            "W020",
                            path,
                            format!("`{sid}` of `{}` is a password field holding plain text instead of a {{{{ENV_VAR}}}} reference", block.name),
                        )
                        .node(&block.id),
                    );
                }
                continue;
            }
        }
        if let Some(kind) = first_secret(value) {
            out.push(
                Diagnostic::new(
                    "W021",
                    path,
                    format!(
                        "`{sid}` of `{}` contains what looks like {kind}",
                        block.name
                    ),
                )
                .node(&block.id),
            );
        }
    }
}

fn first_secret(value: &Value) -> Option<&'static str> {
    match value {
        Value::String(s) => looks_like_secret(s),
        Value::Array(items) => items.iter().find_map(first_secret),
        Value::Object(map) => map.values().find_map(first_secret),
        _ => None,
    }
}

/// The outputs a block offers to references: its `outputs` table, plus what Sim adds at run time
/// (start inputs, an agent's response-format fields, `error`). Unknown when the table is empty.
fn outputs_of(block: &Block) -> Option<HashSet<String>> {
    let mut names: HashSet<String> = block.outputs.keys().cloned().collect();
    if let Some(fields) = block.sub_value("inputFormat").and_then(json_array) {
        names.extend(
            fields
                .iter()
                .filter_map(|f| f.get("name")?.as_str())
                .map(str::to_string),
        );
    }
    if let Some(format) = block.sub_value("responseFormat") {
        let schema = match format {
            Value::String(text) => serde_json::from_str::<Value>(text).ok(),
            other => Some(other.clone()),
        };
        if let Some(schema) = schema {
            let properties = schema
                .get("schema")
                .and_then(|s| s.get("properties"))
                .or_else(|| schema.get("properties"));
            if let Some(Value::Object(props)) = properties {
                names.extend(props.keys().cloned());
            }
        }
    }
    if names.is_empty() {
        return None;
    }
    names.insert("error".to_string());
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::without_references;

    #[test]
    fn references_become_identifiers() {
        assert_eq!(
            without_references("<agent.content>.trim() === 'x'"),
            "__ref0.trim() === 'x'"
        );
        assert_eq!(without_references("a < b"), "a < b");
    }
}
