//! The block registry: Sim's block types with their look, handles, outputs and typed fields, read
//! from Sim's own block definitions (`apps/sim/blocks/blocks/*.ts`; the version is in
//! [`sim_source`]). It is what the editor's palette, new blocks and the typed inspector are made
//! from, and what the registry test checks every real export against (docs/blocks.md).
//!
//! The facts live in two embedded files: `sim-blocks.json`, written by `extract-sim-blocks.cjs`
//! from a Sim checkout, and `sim-extras.json`, written by hand (loop and parallel, which Sim has
//! no block config for, and sub-blocks that older Sim versions wrote).

pub mod create;
pub mod docs;
pub mod inspect;
pub mod palette;
pub mod spec;
pub mod visibility;

pub use create::{
    add_block, blank_workflow, new_block, new_block_with, unique_block_name, NewBlockOptions,
};
pub use inspect::{inspector_fields, FieldView};
pub use palette::{blank_journey, new_journey_state, palette, Palette, PaletteItem, PaletteKind};
pub use spec::*;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::LazyLock;
use ts_rs::TS;

/// Which Sim the registry was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SimSource {
    pub repository: String,
    pub version: String,
    pub commit: String,
    pub source: String,
}

pub struct Registry {
    pub sim: SimSource,
    blocks: Vec<BlockSpec>,
    index: HashMap<String, usize>,
}

#[derive(Deserialize)]
struct BlocksFile {
    sim: SimSource,
    blocks: Vec<BlockSpec>,
}

#[derive(Deserialize)]
struct ExtrasFile {
    containers: Vec<BlockSpec>,
    legacy_fields: IndexMap<String, Vec<FieldSpec>>,
}

const BLOCKS_JSON: &str = include_str!("sim-blocks.json");
const EXTRAS_JSON: &str = include_str!("sim-extras.json");

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    // Both files are compiled in; `registry_data_is_consistent` below fails the build's tests
    // if either stops parsing, so this cannot fail at run time.
    Registry::load(BLOCKS_JSON, EXTRAS_JSON).expect("the embedded block registry parses")
});

impl Registry {
    fn load(blocks_json: &str, extras_json: &str) -> Result<Registry, String> {
        let file: BlocksFile =
            serde_json::from_str(blocks_json).map_err(|e| format!("sim-blocks.json: {e}"))?;
        let extras: ExtrasFile =
            serde_json::from_str(extras_json).map_err(|e| format!("sim-extras.json: {e}"))?;
        let mut blocks = file.blocks;
        // Containers go with the other `blocks`, before the triggers and tools.
        let at = blocks
            .iter()
            .position(|b| b.category != BlockCategory::Blocks)
            .unwrap_or(blocks.len());
        for (i, container) in extras.containers.into_iter().enumerate() {
            blocks.insert(at + i, container);
        }
        for (block_type, fields) in extras.legacy_fields {
            let block = blocks
                .iter_mut()
                .find(|b| b.block_type == block_type)
                .ok_or_else(|| {
                    format!("sim-extras.json: legacy fields for unknown block type `{block_type}`")
                })?;
            for field in fields {
                if field.legacy.is_none() {
                    return Err(format!(
                        "sim-extras.json: `{block_type}.{}` is listed as legacy without saying why",
                        field.id
                    ));
                }
                block.fields.push(field);
            }
        }
        let mut index = HashMap::new();
        for (i, b) in blocks.iter().enumerate() {
            if index.insert(b.block_type.clone(), i).is_some() {
                return Err(format!("block type `{}` is listed twice", b.block_type));
            }
        }
        Ok(Registry {
            sim: file.sim,
            blocks,
            index,
        })
    }

    pub fn blocks(&self) -> &[BlockSpec] {
        &self.blocks
    }

    pub fn get(&self, block_type: &str) -> Option<&BlockSpec> {
        self.index.get(block_type).map(|&i| &self.blocks[i])
    }
}

/// The registry (parsed once).
pub fn registry() -> &'static Registry {
    &REGISTRY
}

/// A block type's spec, when the registry knows it.
pub fn block_spec(block_type: &str) -> Option<&'static BlockSpec> {
    registry().get(block_type)
}

/// Whether a block type's sub-block is display-only text (Sim's `text` type: setup instructions
/// in HTML, never passed to a tool), so nothing in it is a reference or a value to check.
pub fn is_display_only(block_type: &str, sub_block_id: &str) -> bool {
    block_spec(block_type).is_some_and(|spec| {
        let mut fields = spec.fields_with_id(sub_block_id).peekable();
        fields.peek().is_some() && fields.all(|f| f.field_type == FieldType::Text)
    })
}

/// The Sim version and commit the registry was read from.
pub fn sim_source() -> &'static SimSource {
    &registry().sim
}

impl BlockSpec {
    pub fn is_container(&self) -> bool {
        matches!(self.block_type.as_str(), "loop" | "parallel")
    }

    /// Fields whose values live in sub-blocks and that a new block starts with (not the mirrors
    /// of container settings, not the sub-blocks of older Sim versions).
    pub fn current_sub_block_fields(&self) -> impl Iterator<Item = &FieldSpec> {
        self.fields
            .iter()
            .filter(|f| f.location == FieldLocation::SubBlock && !f.mirror && f.legacy.is_none())
    }

    /// Every spec for a field id (Sim repeats an id with different conditions, e.g. an agent's
    /// `temperature` whose range follows the model).
    pub fn fields_with_id<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a FieldSpec> + 'a {
        self.fields.iter().filter(move |f| f.id == id)
    }

    /// The block's connection points, as Sim's canvas draws them (`showsCanvasDefaultHandles`,
    /// `showsCanvasErrorRow` in `lib/workflows/blocks/canvas-rows.ts` and the handles of
    /// `packages/workflow-renderer/src/workflow-block/workflow-block-view.tsx`, v0.8.9): triggers
    /// and the legacy starter take no incoming edge; `response` has no outgoing one; a condition
    /// has one handle per branch and `router_v2` one per route instead of `source`; the error
    /// handle is drawn once the block's error output is switched on (`errorEnabled`) or connected.
    /// Notes have none; a loop or parallel (`packages/workflow-renderer/src/subflow/
    /// subflow-node-view.tsx`) starts its first child and continues after it ends, no error handle.
    pub fn handles(&self) -> BlockHandles {
        let h = |id: &str, kind: HandleKind, label: &str| HandleSpec {
            id: id.into(),
            kind,
            per_branch: false,
            label: label.into(),
        };
        let branch = |id: &str, kind: HandleKind, label: &str| HandleSpec {
            id: id.into(),
            kind,
            per_branch: true,
            label: label.into(),
        };
        match self.block_type.as_str() {
            "note" => {
                return BlockHandles {
                    target: false,
                    sources: Vec::new(),
                }
            }
            "loop" => {
                return BlockHandles {
                    target: true,
                    sources: vec![
                        h("loop-start-source", HandleKind::LoopStart, "start"),
                        h("loop-end-source", HandleKind::LoopEnd, "end"),
                    ],
                }
            }
            "parallel" => {
                return BlockHandles {
                    target: true,
                    sources: vec![
                        h("parallel-start-source", HandleKind::ParallelStart, "start"),
                        h("parallel-end-source", HandleKind::ParallelEnd, "end"),
                    ],
                }
            }
            _ => {}
        }
        let default_handles = self.category != BlockCategory::Triggers
            && self.block_type != "starter"
            && !self.trigger_mode;
        let mut sources = match self.block_type.as_str() {
            "condition" => vec![branch("condition-", HandleKind::Condition, "branch")],
            "router_v2" => vec![branch("router-", HandleKind::Router, "route")],
            "response" => Vec::new(),
            _ => vec![h("source", HandleKind::Source, "out")],
        };
        if default_handles && self.block_type != "response" {
            sources.push(h("error", HandleKind::Error, "error"));
        }
        BlockHandles {
            target: default_handles,
            sources,
        }
    }

    /// The outputs other blocks can reference, flattened to dotted paths.
    pub fn output_fields(&self) -> Vec<OutputField> {
        let outputs = self.reference_outputs.as_ref().unwrap_or(&self.outputs);
        let mut out = Vec::new();
        flatten_outputs(outputs, "", &mut out);
        out
    }
}

/// A block's stored `outputs` (Sim's `OutputFieldDefinition`s) flattened to reference paths.
pub fn flatten(outputs: &IndexMap<String, Value>) -> Vec<OutputField> {
    let mut out = Vec::new();
    flatten_outputs(outputs, "", &mut out);
    out
}

/// Sim's `OutputFieldDefinition`: a type name, `{type, description?, condition?}`, or a nested
/// record of fields.
fn flatten_outputs(outputs: &IndexMap<String, Value>, prefix: &str, out: &mut Vec<OutputField>) {
    for (name, def) in outputs {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match def {
            Value::String(t) => out.push(OutputField {
                path,
                output_type: t.clone(),
                description: None,
                condition: None,
            }),
            Value::Object(map) if map.get("type").is_some_and(Value::is_string) => {
                out.push(OutputField {
                    path,
                    output_type: map["type"].as_str().unwrap_or("any").to_string(),
                    description: map
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    condition: map
                        .get("condition")
                        .and_then(|c| serde_json::from_value(c.clone()).ok()),
                })
            }
            Value::Object(map) => {
                let nested: IndexMap<String, Value> =
                    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                flatten_outputs(&nested, &path, out);
            }
            _ => out.push(OutputField {
                path,
                output_type: "any".into(),
                description: None,
                condition: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_data_is_consistent() {
        let r = Registry::load(BLOCKS_JSON, EXTRAS_JSON).unwrap();
        assert!(r.blocks().len() >= 30, "{}", r.blocks().len());
        assert_eq!(r.sim.version, "v0.8.9");
        for b in r.blocks() {
            assert!(
                !b.name.is_empty() && !b.icon.is_empty() && !b.color.is_empty(),
                "{}",
                b.block_type
            );
            for f in &b.fields {
                assert!(!f.id.is_empty(), "{}", b.block_type);
                if let Some(c) = &f.condition {
                    assert!(!c.field.is_empty(), "{}.{}", b.block_type, f.id);
                }
            }
        }
    }

    #[test]
    fn broken_extras_are_refused_with_the_reason() {
        let err = Registry::load(
            BLOCKS_JSON,
            r#"{"containers": [], "legacy_fields": {"nope": []}}"#,
        )
        .err()
        .unwrap();
        assert!(err.contains("unknown block type `nope`"), "{err}");
        let err = Registry::load(
            BLOCKS_JSON,
            r#"{"containers": [], "legacy_fields": {"agent": [{"id": "x", "type": "short-input"}]}}"#,
        )
        .err()
        .unwrap();
        assert!(err.contains("without saying why"), "{err}");
        assert!(Registry::load("{", EXTRAS_JSON)
            .err()
            .unwrap()
            .starts_with("sim-blocks.json"));
    }

    #[test]
    fn handles_follow_sims_canvas() {
        let kinds = |t: &str| {
            let h = block_spec(t).unwrap().handles();
            (
                h.target,
                h.sources.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            kinds("agent"),
            (true, vec!["source".into(), "error".into()])
        );
        assert_eq!(
            kinds("condition"),
            (true, vec!["condition-".into(), "error".into()])
        );
        assert_eq!(
            kinds("router_v2"),
            (true, vec!["router-".into(), "error".into()])
        );
        assert_eq!(kinds("response"), (true, vec![]));
        assert_eq!(kinds("start_trigger"), (false, vec!["source".into()]));
        assert_eq!(kinds("schedule"), (false, vec!["source".into()]));
        assert_eq!(kinds("starter"), (false, vec!["source".into()]));
        assert_eq!(kinds("note"), (false, vec![]));
        assert_eq!(
            kinds("loop"),
            (
                true,
                vec!["loop-start-source".into(), "loop-end-source".into()]
            )
        );
    }

    #[test]
    fn typescript_bindings_generate() {
        let dir = std::env::temp_dir().join(format!("registry-bindings-{}", create::new_uuid()));
        Palette::export_all_to(&dir).unwrap();
        FieldView::export_all_to(&dir).unwrap();
        BlockSpec::export_all_to(&dir).unwrap();
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(read("FieldType.ts").contains("\"short-input\""));
        assert!(read("FieldType.ts").contains("\"json\""));
        assert!(read("PaletteItem.ts").contains("import type { FieldSpec }"));
        assert!(read("FieldView.ts").contains("spec?: FieldSpec"));
        let block = read("BlockSpec.ts");
        assert!(block.contains("import type { JsonValue }"), "{block}");
        assert!(read("FieldSpec.ts").contains("required?: boolean"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn display_only_fields_are_sims_text_fields() {
        assert!(is_display_only("gmail_v2", "triggerInstructions"));
        assert!(!is_display_only("gmail_v2", "subject"));
        assert!(!is_display_only("gmail_v2", "noSuchField"));
        assert!(!is_display_only("no_such_type", "triggerInstructions"));
    }

    #[test]
    fn outputs_flatten_to_reference_paths() {
        let agent = block_spec("agent").unwrap().output_fields();
        let content = agent.iter().find(|o| o.path == "content").unwrap();
        assert_eq!(content.output_type, "string");
        let mut nested = IndexMap::new();
        nested.insert(
            "tokens".to_string(),
            serde_json::json!({"prompt": "number", "total": {"type": "number"}}),
        );
        let mut out = Vec::new();
        flatten_outputs(&nested, "", &mut out);
        assert_eq!(
            out.iter().map(|o| o.path.as_str()).collect::<Vec<_>>(),
            ["tokens.prompt", "tokens.total"]
        );
        let looped = block_spec("loop").unwrap().output_fields();
        assert_eq!(looped[0].path, "results");
    }
}
