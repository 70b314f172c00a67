//! docs/blocks.md's registry section, generated from the registry (a test keeps the file equal).

use super::registry;
use super::spec::{
    BlockCategory, BlockSpec, FieldCondition, FieldLocation, FieldMode, FieldSpec, FieldType,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Text for a Markdown table cell: one line, pipes escaped, at most `max` characters.
fn cell(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = if one_line.chars().count() > max {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    } else {
        one_line
    };
    short.replace('|', "\\|")
}

fn code(text: &str) -> String {
    // Backticks inside inline code would end it early.
    format!("`{}`", text.replace('`', "'"))
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "\"\"".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn type_name(t: FieldType) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn condition_text(c: &FieldCondition) -> String {
    let one = |c: &FieldCondition| match &c.value {
        Value::Array(values) if values.len() > 4 => {
            format!(
                "{} is {}one of {} values",
                code(&c.field),
                if c.not { "not " } else { "" },
                values.len()
            )
        }
        Value::Array(values) => {
            let list: Vec<String> = values.iter().map(|v| code(&value_text(v))).collect();
            format!(
                "{} is {}one of {}",
                code(&c.field),
                if c.not { "not " } else { "" },
                list.join(", ")
            )
        }
        v => format!(
            "{} {} {}",
            code(&c.field),
            if c.not { "≠" } else { "=" },
            code(&value_text(v))
        ),
    };
    match &c.and {
        Some(and) => format!("{} and {}", one(c), one(and)),
        None => one(c),
    }
}

fn notes(f: &FieldSpec) -> String {
    let mut out: Vec<String> = Vec::new();
    match f.mode {
        Some(FieldMode::Advanced) => out.push("advanced".into()),
        Some(FieldMode::Basic) => out.push("basic only".into()),
        Some(FieldMode::Trigger) => out.push("trigger mode".into()),
        Some(FieldMode::TriggerAdvanced) => out.push("trigger mode, advanced".into()),
        Some(FieldMode::Both) | None => {}
    }
    if f.location == FieldLocation::Data {
        out.push(format!("in {}", code(&format!("data.{}", f.id))));
    }
    if let Some(canonical) = &f.canonical {
        out.push(format!("pair {}", code(canonical)));
    }
    if !f.options.is_empty() {
        let ids: Vec<String> = f.options.iter().take(6).map(|o| code(&o.id)).collect();
        let more = f.options.len().saturating_sub(6);
        out.push(format!(
            "options {}{}",
            ids.join(" "),
            if more > 0 {
                format!(" (+{more})")
            } else {
                String::new()
            }
        ));
    } else if f.options_dynamic {
        out.push("options from Sim at run time".into());
    }
    if f.multi_select {
        out.push("several".into());
    }
    if let Some(l) = &f.language {
        out.push(l.clone());
    }
    if !f.columns.is_empty() {
        out.push(format!(
            "columns {}",
            f.columns
                .iter()
                .map(|c| code(c))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    match (f.min, f.max) {
        (Some(a), Some(b)) => out.push(format!("{a}..{b}")),
        (Some(a), None) => out.push(format!("≥ {a}")),
        (None, Some(b)) => out.push(format!("≤ {b}")),
        _ => {}
    }
    if f.password {
        out.push("secret".into());
    }
    if f.hidden {
        out.push("hidden".into());
    }
    if f.tool_input_only {
        out.push("agent tool only".into());
    }
    if f.default_new_id {
        out.push("fresh id".into());
    }
    if f.mirror {
        out.push("copy of the `data` setting".into());
    }
    if let Some(l) = &f.legacy {
        out.push(format!("legacy: {l}"));
    }
    cell(&out.join("; "), 400)
}

fn field_row(f: &FieldSpec) -> String {
    let default = if f.default_new_id {
        "a new id".to_string()
    } else {
        f.default
            .as_ref()
            .map(|d| code(&cell(&value_text(d), 40)))
            .unwrap_or_default()
    };
    let required = if f.required {
        "yes".to_string()
    } else {
        f.required_when
            .as_ref()
            .map(|c| format!("when {}", condition_text(c)))
            .unwrap_or_default()
    };
    let shown = match (&f.condition, f.condition_dynamic) {
        (Some(c), false) => condition_text(c),
        (Some(_), true) => "as Sim decides from the block's values".into(),
        (None, _) => String::new(),
    };
    format!(
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        code(&f.id),
        cell(f.title.as_deref().unwrap_or(""), 60),
        type_name(f.field_type),
        default,
        cell(&required, 200),
        cell(&shown, 200),
        notes(f)
    )
}

fn handles_text(b: &BlockSpec) -> String {
    let h = b.handles();
    let mut parts: Vec<String> = Vec::new();
    if h.target {
        parts.push("in".into());
    }
    for s in &h.sources {
        parts.push(if s.per_branch {
            format!("{}…", code(&s.id))
        } else {
            code(&s.id)
        });
    }
    parts.join(" ")
}

fn category(c: BlockCategory) -> &'static str {
    match c {
        BlockCategory::Blocks => "blocks",
        BlockCategory::Tools => "tools",
        BlockCategory::Triggers => "triggers",
        BlockCategory::States => "states",
    }
}

/// The generated part of docs/blocks.md.
pub fn markdown() -> String {
    let r = registry();
    let mut out = String::new();
    let fields: usize = r.blocks().iter().map(|b| b.fields.len()).sum();
    let mut types: BTreeMap<String, usize> = BTreeMap::new();
    for f in r.blocks().iter().flat_map(|b| &b.fields) {
        *types.entry(type_name(f.field_type)).or_default() += 1;
    }
    let _ = writeln!(
        out,
        "Read from {} {} (commit `{}`), `{}`: {} block types, {} fields of {} field types.\n",
        r.sim.repository,
        r.sim.version,
        r.sim.commit,
        r.sim.source,
        r.blocks().len(),
        fields,
        types.len()
    );
    out.push_str("| field type | fields |\n|---|---|\n");
    for (t, n) in &types {
        let _ = writeln!(out, "| `{t}` | {n} |");
    }
    out.push_str("\n### Block types\n\n| type | name | category | icon | colour | handles | fields | notes |\n|---|---|---|---|---|---|---|---|\n");
    for b in r.blocks() {
        let mut notes: Vec<String> = Vec::new();
        if b.hidden {
            notes.push("not in Sim's toolbar".into());
        }
        if let Some(s) = &b.sunset {
            notes.push(match &s.replaced_by {
                Some(by) => format!("{} → {}", s.status, code(by)),
                None => s.status.clone(),
            });
        }
        if b.trigger_mode {
            notes.push("added in trigger mode".into());
        } else if b.trigger_capable {
            notes.push("can be a trigger".into());
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            code(&b.block_type),
            cell(&b.name, 60),
            category(b.category),
            code(&b.icon),
            code(&b.color),
            handles_text(b),
            b.fields.len(),
            notes.join("; ")
        );
    }
    out.push_str("\n### Fields of each type\n");
    for b in r.blocks() {
        let _ = writeln!(
            out,
            "\n#### {} — {}\n\n{}\n",
            code(&b.block_type),
            cell(&b.name, 60),
            cell(&b.description, 300)
        );
        let outputs: Vec<String> = b
            .output_fields()
            .iter()
            .map(|o| format!("{} ({})", code(&o.path), o.output_type))
            .collect();
        if !outputs.is_empty() {
            let _ = writeln!(out, "Outputs: {}\n", cell(&outputs.join(", "), 2000));
        }
        if b.fields.is_empty() {
            out.push_str("No fields.\n");
            continue;
        }
        out.push_str("| field | title | type | default | required | shown when | notes |\n|---|---|---|---|---|---|---|\n");
        for f in &b.fields {
            out.push_str(&field_row(f));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_in_their_table() {
        assert_eq!(cell("a | b\nc", 100), "a \\| b c");
        assert_eq!(cell("abcdef", 3), "abc…");
        let c: FieldCondition = serde_json::from_value(
            serde_json::json!({"field": "op", "value": ["a", "b"], "not": true}),
        )
        .unwrap();
        assert_eq!(condition_text(&c), "`op` is not one of `a`, `b`");
    }
}
