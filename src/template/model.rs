//! The template file format (`journey-studio-template`), as read from disk. See docs/templates.md.

use crate::error::Result;
use crate::json::{self, from_str_located, invalid_at, JsonPath};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const TEMPLATE_FORMAT: &str = "journey-studio-template";

/// One template file. Unknown fields are refused: a misspelt `paramters` must not pass silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub format: String,
    /// Lowercase letters, digits and `-`: how other templates and the CLI name it.
    pub id: String,
    pub version: semver::Version,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub parameters: Vec<ParamSpec>,
    /// `"id@range"`: the parent whose body and parameters this template starts from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub composes: Vec<ComposeSpec>,
    /// A journey document or a Sim workflow with placeholders and sections; for a template that
    /// extends another, the overlay merged onto the parent's body (may be omitted).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub body: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    String,
    Number,
    Boolean,
    Enum,
    List,
    /// Only as the `items` of a list: a record with named `fields`.
    Object,
}

impl ParamType {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::Enum => "enum",
            ParamType::List => "list",
            ParamType::Object => "object",
        }
    }
}

/// A parameter (or, without a name, the item of a list / a field of an object item).
/// In a template that extends another, a spec with a parent's name changes only the fields it sets.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ParamType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// The allowed values of an enum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    /// A regular expression (Rust `regex` syntax, linear time) a string must match in full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Bounds: the value of a number, the length (characters) of a string, the item count of a list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// A number must be whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integer: Option<bool>,
    /// What each item of a list is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<ParamSpec>>,
    /// The fields of an object item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<ParamSpec>>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// In a child template: drop the parent's parameter of this name.
    #[serde(
        rename = "$remove",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub remove: bool,
}

impl ParamSpec {
    pub fn is_required(&self) -> bool {
        self.required.unwrap_or(false)
    }

    /// This spec with the fields `over` sets replacing its own (how a child changes a parameter).
    pub fn overlaid(&self, over: &ParamSpec) -> ParamSpec {
        ParamSpec {
            name: self.name.clone(),
            kind: over.kind.or(self.kind),
            required: over.required.or(self.required),
            default: over.default.clone().or_else(|| self.default.clone()),
            values: over.values.clone().or_else(|| self.values.clone()),
            pattern: over.pattern.clone().or_else(|| self.pattern.clone()),
            min: over.min.or(self.min),
            max: over.max.or(self.max),
            integer: over.integer.or(self.integer),
            items: over.items.clone().or_else(|| self.items.clone()),
            fields: over.fields.clone().or_else(|| self.fields.clone()),
            description: if over.description.is_empty() {
                self.description.clone()
            } else {
                over.description.clone()
            },
            remove: false,
        }
    }
}

/// Embeds another template's journey as a sub-journey. In the host body the sub-journey is the
/// pseudo-state named `as`: edges that target it enter the sub-journey at `entry`; the
/// sub-journey's transitions to `end` go to `exit` instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComposeSpec {
    /// `"id@range"`.
    pub template: String,
    #[serde(rename = "as")]
    pub as_name: String,
    /// Parameters given to the embedded template; strings may use the host's `{{placeholders}}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub with: Map<String, Value>,
    /// The sub-journey state entered first; by default the one its root leads to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// The host state reached when the sub-journey ends; `end` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<String>,
    /// Named exits: the sub-journey state whose transitions to `end` go to the given host state
    /// (or `end`) instead of `exit` — e.g. a failed verification that must not continue.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub exits: Map<String, Value>,
}

impl Template {
    /// Reads a template from text; `file` names the source in errors.
    pub fn parse(file: &str, text: &str) -> Result<Template> {
        let template: Template = from_str_located(file, text)?;
        let at = |path: JsonPath, message: String| invalid_at(file, text, path, message);
        if template.format != TEMPLATE_FORMAT {
            return Err(at(
                JsonPath::root().key("format"),
                format!(
                    "unknown format `{}`: a template has \"format\": \"{TEMPLATE_FORMAT}\"",
                    template.format
                ),
            ));
        }
        if !is_template_id(&template.id) {
            return Err(at(
                JsonPath::root().key("id"),
                format!("template id `{}` must be lowercase letters, digits and `-` (e.g. `support-triage`)", template.id),
            ));
        }
        Ok(template)
    }

    pub fn load(path: &std::path::Path) -> Result<Template> {
        Template::parse(&path.display().to_string(), &json::read_text(path)?)
    }

    /// `id@version`, how a template is named in messages.
    pub fn key(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    pub fn to_json(&self) -> String {
        json::to_pretty(self)
    }

    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.parameters.iter().find(|p| p.name == name)
    }
}

pub fn is_template_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

/// A reference `id@range` (`support-triage`, `support-triage@^1.2`, `faq@=1.0.0`).
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRef {
    pub id: String,
    pub range: semver::VersionReq,
}

impl TemplateRef {
    pub fn parse(text: &str) -> std::result::Result<TemplateRef, String> {
        let (id, range) = match text.split_once('@') {
            Some((id, range)) => (id.trim(), range.trim()),
            None => (text.trim(), "*"),
        };
        if !is_template_id(id) {
            return Err(format!("`{text}` does not name a template: expected `id` or `id@range` (e.g. `support-triage@^1.0`)"));
        }
        let range = semver::VersionReq::parse(range)
            .map_err(|e| format!("`{range}` in `{text}` is not a semver range ({e}); e.g. `^1.2`, `>=1.0, <2`, `=1.0.0`"))?;
        Ok(TemplateRef {
            id: id.to_string(),
            range,
        })
    }
}

impl std::fmt::Display for TemplateRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.id, self.range)
    }
}
