//! "Save as template": an existing journey (or workflow) becomes a template, the texts the
//! designer chooses becoming string parameters whose defaults are the original texts, so
//! instantiating the new template with its defaults gives the original document back.

use super::model::{ParamSpec, ParamType, Template, TEMPLATE_FORMAT};
use super::placeholder;
use super::problem::{fail_if_any, Problem};
use crate::error::Result;
use crate::Document;
use serde_json::Value;

/// A text of the document to turn into a parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamChoice {
    pub name: String,
    /// The exact text (or part of a text) to replace wherever it appears in a human-readable field.
    pub text: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SaveOptions {
    pub id: String,
    pub version: semver::Version,
    pub name: String,
    pub description: String,
    pub category: String,
    pub tags: Vec<String>,
    pub params: Vec<ParamChoice>,
}

/// Fields that are identifiers or structure, not texts a designer would parameterise.
pub(crate) const STRUCTURAL_KEYS: &[&str] = &[
    "id",
    "source",
    "target",
    "root_id",
    "format",
    "version",
    "service_name",
    "tool_name",
    "kind",
    "type",
    "sourceHandle",
    "targetHandle",
    "parentId",
    "extent",
    "editor",
    "position",
    "positions",
];

pub fn save_as_template(document: &Document, options: &SaveOptions) -> Result<Template> {
    let mut problems = Vec::new();
    if !super::model::is_template_id(&options.id) {
        problems.push(Problem::new(
            "id",
            format!("`{}` must be lowercase letters, digits and `-`", options.id),
        ));
    }
    let mut body: Value = serde_json::from_str(&document.to_json())
        .map_err(|e| crate::Error::Internal(e.to_string()))?;
    // Texts already holding `{{` (Sim's env references) must stay literal.
    escape_all(&mut body);
    // Longer texts first, so a choice that contains another is replaced whole.
    let mut choices: Vec<&ParamChoice> = options.params.iter().collect();
    choices.sort_by_key(|c| std::cmp::Reverse(c.text.len()));
    let mut parameters = Vec::new();
    for choice in &options.params {
        let at = format!("parameters.{}", choice.name);
        if !placeholder::is_name(&choice.name) {
            problems.push(Problem::new(
                &at,
                "not a valid parameter name (letters, digits, `_`)",
            ));
        }
        if choice.text.is_empty() {
            problems.push(Problem::new(&at, "the text to replace is empty"));
        }
        if options
            .params
            .iter()
            .filter(|c| c.name == choice.name)
            .count()
            > 1
        {
            problems.push(Problem::new(&at, "chosen twice"));
        }
    }
    fail_if_any(&options.id, std::mem::take(&mut problems))?;
    for choice in choices {
        let escaped = placeholder::escape(&choice.text);
        let count = replace_texts(
            &mut body,
            &escaped,
            &format!("{{{{{}}}}}", choice.name),
            false,
        );
        if count == 0 {
            problems.push(Problem::new(
                format!("parameters.{}", choice.name),
                format!("the text `{}` appears in no title, description, condition, action or other text of the document", choice.text),
            ));
        }
    }
    for choice in &options.params {
        parameters.push(ParamSpec {
            name: choice.name.clone(),
            kind: Some(ParamType::String),
            default: Some(Value::String(choice.text.clone())),
            min: Some(1.0),
            description: choice.description.clone(),
            ..Default::default()
        });
    }
    fail_if_any(&options.id, problems)?;
    Ok(Template {
        format: TEMPLATE_FORMAT.into(),
        id: options.id.clone(),
        version: options.version.clone(),
        name: options.name.clone(),
        description: options.description.clone(),
        category: options.category.clone(),
        tags: options.tags.clone(),
        parameters,
        extends: None,
        composes: Vec::new(),
        body,
    })
}

fn escape_all(value: &mut Value) {
    match value {
        Value::String(s) if s.contains("{{") => *s = placeholder::escape(s),
        Value::Array(items) => items.iter_mut().for_each(escape_all),
        Value::Object(members) => {
            let keys: Vec<String> = members
                .keys()
                .filter(|k| k.contains("{{"))
                .cloned()
                .collect();
            for key in keys {
                if let Some(v) = members.shift_remove(&key) {
                    members.insert(placeholder::escape(&key), v);
                }
            }
            members.values_mut().for_each(escape_all);
        }
        _ => {}
    }
}

/// Replaces `text` by `with` in every human-readable string; returns how many strings changed.
fn replace_texts(value: &mut Value, text: &str, with: &str, structural: bool) -> usize {
    match value {
        Value::String(s) if !structural && s.contains(text) => {
            *s = s.replace(text, with);
            1
        }
        Value::Array(items) => items
            .iter_mut()
            .map(|v| replace_texts(v, text, with, structural))
            .sum(),
        Value::Object(members) => members
            .iter_mut()
            .map(|(k, v)| {
                replace_texts(
                    v,
                    text,
                    with,
                    structural || STRUCTURAL_KEYS.contains(&k.as_str()),
                )
            })
            .sum(),
        _ => 0,
    }
}
