//! Resolving, checking and instantiating templates against a library.

use super::compose;
use super::library::Library;
use super::merge::merge;
use super::model::{ParamSpec, ParamType, Template, TemplateRef};
use super::params::{self, Values};
use super::placeholder;
use super::problem::{fail_if_any, Problem};
use super::sections::{Expand, Lint};
use crate::error::{Error, Result};
use crate::json::JsonPath;
use crate::parlant::{JourneyDocument, END_NODE_ID, FORMAT as JOURNEY_FORMAT};
use crate::Document;
use serde::Serialize;
use serde_json::{Map, Value};

/// How deep `extends` / `composes` chains may go (a guard beside cycle detection).
const MAX_CHAIN: usize = 32;

/// What a body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    Journey,
    Workflow,
}

pub fn body_kind(body: &Value) -> Option<BodyKind> {
    let obj = body.as_object()?;
    if obj.get("format").and_then(Value::as_str) == Some(JOURNEY_FORMAT) {
        Some(BodyKind::Journey)
    } else if obj.contains_key("state") || obj.contains_key("blocks") {
        Some(BodyKind::Workflow)
    } else {
        None
    }
}

/// A template instantiated: the document and how it was made.
#[derive(Debug, Clone)]
pub struct Instance {
    pub document: Document,
    /// `id@version` of the template used.
    pub template: String,
    /// `id@version` of every template it extends, nearest parent first.
    pub parents: Vec<String>,
    /// The parameter values used (defaults filled in).
    pub values: Values,
    /// The validator's warnings and infos on the result (errors fail the instantiation).
    pub diagnostics: Vec<crate::validate::Diagnostic>,
}

/// A template with its `extends` chain folded in: the parent's parameters overlaid by the
/// child's, the child's body merged onto the parent's, compositions of both.
pub fn resolve(library: &Library, template: &Template) -> Result<(Template, Vec<String>)> {
    let mut stack = Vec::new();
    resolve_chain(library, template, &mut stack).map_err(|problems| Error::Template {
        template: template.key(),
        problems,
    })
}

fn resolve_chain(
    library: &Library,
    template: &Template,
    stack: &mut Vec<String>,
) -> std::result::Result<(Template, Vec<String>), Vec<Problem>> {
    let Some(extends) = &template.extends else {
        return Ok((template.clone(), Vec::new()));
    };
    enter(stack, &template.id, "extends")?;
    let reference = TemplateRef::parse(extends).map_err(|m| vec![Problem::new("extends", m)])?;
    let parent = library
        .get(&reference)
        .map_err(|m| vec![Problem::new("extends", m)])?;
    let (parent, mut chain) = resolve_chain(library, &parent.template, stack)
        .map_err(|ps| within(ps, &format!("extends {}", parent.template.key())))?;
    stack.pop();
    chain.insert(0, parent.key());

    let mut parameters: Vec<ParamSpec> = parent.parameters.clone();
    for spec in &template.parameters {
        match parameters.iter().position(|p| p.name == spec.name) {
            Some(i) if spec.remove => {
                parameters.remove(i);
            }
            Some(i) => parameters[i] = parameters[i].overlaid(spec),
            None => parameters.push(spec.clone()),
        }
    }
    let mut composes = parent.composes.clone();
    for spec in &template.composes {
        match composes.iter().position(|c| c.as_name == spec.as_name) {
            Some(i) => composes[i] = spec.clone(),
            None => composes.push(spec.clone()),
        }
    }
    let body = if template.body.is_null() {
        parent.body.clone()
    } else {
        merge(parent.body.clone(), &template.body)
    };
    let merged = Template {
        parameters,
        composes,
        body,
        extends: template.extends.clone(),
        ..template.clone()
    };
    Ok((merged, chain))
}

fn enter(stack: &mut Vec<String>, id: &str, how: &str) -> std::result::Result<(), Vec<Problem>> {
    if let Some(start) = stack.iter().position(|s| s == id) {
        let mut cycle: Vec<&str> = stack[start..].iter().map(String::as_str).collect();
        cycle.push(id);
        return Err(vec![Problem::new(
            how,
            format!("cycle: {}", cycle.join(" → ")),
        )]);
    }
    if stack.len() >= MAX_CHAIN {
        return Err(vec![Problem::new(
            how,
            format!("templates nest more than {MAX_CHAIN} deep"),
        )]);
    }
    stack.push(id.to_string());
    Ok(())
}

fn within(problems: Vec<Problem>, prefix: &str) -> Vec<Problem> {
    problems.into_iter().map(|p| p.within(prefix)).collect()
}

/// Every problem of a template that does not depend on parameter values: its references,
/// parameter specs, placeholders, sections and compositions. Empty when the template is sound.
pub fn lint(library: &Library, template: &Template) -> Vec<Problem> {
    lint_in(library, template, &mut Vec::new())
}

fn lint_in(library: &Library, template: &Template, stack: &mut Vec<String>) -> Vec<Problem> {
    let merged = match resolve_chain(library, template, &mut stack.clone()) {
        Ok((merged, _)) => merged,
        Err(problems) => return problems,
    };
    let mut problems = Vec::new();
    check_specs(&merged.parameters, &mut problems);

    let kind = body_kind(&merged.body);
    if kind.is_none() {
        problems.push(Problem::new(
            "body",
            format!("the body must be a journey document (\"format\": \"{JOURNEY_FORMAT}\") or a Sim workflow (`state` or `blocks`)"),
        ));
    }
    let mut lint = Lint::new(&merged.parameters);
    lint.value(&merged.body, &JsonPath::root().key("body"));
    for (i, compose) in merged.composes.iter().enumerate() {
        lint.value(
            &Value::Object(compose.with.clone()),
            &JsonPath::root().key("composes").index(i).key("with"),
        );
    }
    problems.append(&mut lint.problems);
    for spec in &merged.parameters {
        if !lint.used.contains(&spec.name) {
            problems.push(Problem::new(
                format!("parameters.{}", spec.name),
                "declared but never used: no placeholder, section or composition refers to it (remove it, or use it)",
            ));
        }
    }

    if let Err(mut cycle) = enter(stack, &template.id, "composes") {
        problems.append(&mut cycle);
        return problems;
    }
    let mut names = std::collections::HashSet::new();
    for (i, compose) in merged.composes.iter().enumerate() {
        let at = format!("composes[{i}]");
        if kind == Some(BodyKind::Workflow) {
            problems.push(Problem::new(
                &at,
                "composition embeds journeys; this template's body is a Sim workflow",
            ));
        }
        if !placeholder::is_name(&compose.as_name.replace('-', "_"))
            || compose.as_name == END_NODE_ID
        {
            problems.push(Problem::new(
                &at,
                format!(
                    "`as: {}` must be a plain name (letters, digits, `_`, `-`), not `end`",
                    compose.as_name
                ),
            ));
        }
        if !names.insert(compose.as_name.clone()) {
            problems.push(Problem::new(
                &at,
                format!("two compositions are named `{}`", compose.as_name),
            ));
        }
        let entry =
            match TemplateRef::parse(&compose.template).and_then(|r| library.get(&r).cloned()) {
                Ok(entry) => entry,
                Err(message) => {
                    problems.push(Problem::new(&at, message));
                    continue;
                }
            };
        let prefix = format!("{at} ({})", entry.template.key());
        let sub_problems = lint_in(library, &entry.template, stack);
        problems.extend(within(sub_problems, &prefix));
        if let Ok((sub, _)) = resolve_chain(library, &entry.template, &mut Vec::new()) {
            if body_kind(&sub.body) == Some(BodyKind::Workflow) {
                problems.push(Problem::new(
                    &prefix,
                    "only templates whose body is a journey can be composed",
                ));
            }
            for key in compose.with.keys() {
                if sub.param(key).is_none() {
                    let known: Vec<&str> = sub.parameters.iter().map(|p| p.name.as_str()).collect();
                    problems.push(Problem::new(
                        format!("{at}.with.{key}"),
                        format!(
                            "`{}` has no parameter `{key}` (it has: {})",
                            sub.key(),
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    stack.pop();
    problems
}

/// Checks parameter declarations: names, types, enum values, patterns, bounds, defaults.
fn check_specs(specs: &[ParamSpec], problems: &mut Vec<Problem>) {
    let mut seen = std::collections::HashSet::new();
    for spec in specs {
        let at = format!("parameters.{}", spec.name);
        if !placeholder::is_name(&spec.name) {
            problems.push(Problem::new(&at, format!("`{}` is not a valid parameter name (letters, digits, `_`; not starting with a digit)", spec.name)));
        }
        if !seen.insert(spec.name.as_str()) {
            problems.push(Problem::new(&at, "declared twice"));
        }
        if spec.kind == Some(ParamType::Object) {
            problems.push(Problem::new(
                &at,
                "`object` is only for the `items` of a list",
            ));
        }
        check_spec(spec, &at, problems);
        if let Some(default) = &spec.default {
            params::check_value(spec, default, &format!("{at}.default"), problems);
        }
    }
}

fn check_spec(spec: &ParamSpec, at: &str, problems: &mut Vec<Problem>) {
    let Some(kind) = spec.kind else {
        problems.push(Problem::new(
            at,
            "no `type` (string, number, boolean, enum or list)",
        ));
        return;
    };
    let mut misplaced = |field: &str, set: bool| {
        if set {
            problems.push(Problem::new(
                at,
                format!("`{field}` does not apply to a {} parameter", kind.as_str()),
            ));
        }
    };
    misplaced("values", spec.values.is_some() && kind != ParamType::Enum);
    misplaced(
        "pattern",
        spec.pattern.is_some() && kind != ParamType::String,
    );
    misplaced("items", spec.items.is_some() && kind != ParamType::List);
    misplaced("fields", spec.fields.is_some() && kind != ParamType::Object);
    misplaced(
        "integer",
        spec.integer.is_some() && kind != ParamType::Number,
    );
    misplaced(
        "min/max",
        (spec.min.is_some() || spec.max.is_some())
            && !matches!(
                kind,
                ParamType::String | ParamType::Number | ParamType::List
            ),
    );
    if let (Some(min), Some(max)) = (spec.min, spec.max) {
        if min > max {
            problems.push(Problem::new(
                at,
                format!("min {min} is greater than max {max}: no value can satisfy both"),
            ));
        }
    }
    match kind {
        ParamType::Enum => match &spec.values {
            Some(values) if !values.is_empty() => {}
            _ => problems.push(Problem::new(
                at,
                "an enum needs a non-empty list of `values`",
            )),
        },
        ParamType::String => {
            if let Some(pattern) = &spec.pattern {
                if let Err(e) = params::anchored(pattern) {
                    problems.push(Problem::new(
                        at,
                        format!("the pattern `{pattern}` is not a valid regular expression: {e}"),
                    ));
                }
            }
        }
        ParamType::List => match &spec.items {
            Some(items) if items.kind == Some(ParamType::List) => problems.push(Problem::new(
                format!("{at}.items"),
                "lists of lists are not supported; use a list of objects",
            )),
            Some(items) => check_spec(items, &format!("{at}.items"), problems),
            None => problems.push(Problem::new(at, "a list needs `items`: what each item is")),
        },
        ParamType::Object => {
            let fields = spec.fields.as_deref().unwrap_or(&[]);
            if fields.is_empty() {
                problems.push(Problem::new(at, "an object item needs `fields`"));
            }
            for field in fields {
                let field_at = format!("{at}.{}", field.name);
                if !placeholder::is_name(&field.name) {
                    problems.push(Problem::new(&field_at, "a field needs a valid `name`"));
                }
                if matches!(field.kind, Some(ParamType::List | ParamType::Object)) {
                    problems.push(Problem::new(
                        &field_at,
                        "fields are plain values (string, number, boolean, enum)",
                    ));
                }
                check_spec(field, &field_at, problems);
            }
        }
        ParamType::Number | ParamType::Boolean => {}
    }
}

/// Instantiates a template: lint, parameters checked (every problem at once), `extends` and
/// `composes` resolved, sections expanded, placeholders filled, then the result read back as a
/// document with its structural rules checked.
pub fn instantiate(
    library: &Library,
    template: &Template,
    given: &Map<String, Value>,
) -> Result<Instance> {
    fail_if_any(&template.key(), lint(library, template))?;
    let mut instance =
        instantiate_checked(library, template, given, &mut Vec::new()).map_err(|problems| {
            Error::Template {
                template: template.key(),
                problems,
            }
        })?;
    // The result is validated as a whole (composed parts are not journeys on their own): errors
    // fail the instantiation with every diagnostic listed, warnings travel with the instance.
    let report = crate::validate::validate(&instance.document)?;
    let errors: Vec<Problem> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::validate::Severity::Error)
        .map(|d| {
            Problem::new(
                format!("result.{}", d.path),
                format!("error[{}]: {} (hint: {})", d.code, d.message, d.hint),
            )
        })
        .collect();
    fail_if_any(&template.key(), errors)?;
    instance.diagnostics = report.diagnostics;
    Ok(instance)
}

fn instantiate_checked(
    library: &Library,
    template: &Template,
    given: &Map<String, Value>,
    stack: &mut Vec<String>,
) -> std::result::Result<Instance, Vec<Problem>> {
    enter(stack, &template.id, "composes")?;
    let (merged, parents) = resolve_chain(library, template, &mut Vec::new())?;
    let (values, problems) = params::resolve_values(&merged.parameters, given);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut expand = Expand::new(&values);
    let body = expand.value(&merged.body, &JsonPath::root().key("body"));
    let mut problems = std::mem::take(&mut expand.problems);
    let mut withs = Vec::new();
    for (i, compose) in merged.composes.iter().enumerate() {
        withs.push(expand.value(
            &Value::Object(compose.with.clone()),
            &JsonPath::root().key("composes").index(i).key("with"),
        ));
    }
    problems.append(&mut expand.problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let file = format!("{} (instantiated)", template.key());
    let text = crate::json::to_pretty(&body);
    let document = match body_kind(&body) {
        Some(BodyKind::Journey) => {
            let mut journey = JourneyDocument::parse(&file, &text)
                .map_err(|e| vec![Problem::new("result", e.to_string())])?;
            for (i, (compose, with)) in merged.composes.iter().zip(withs).enumerate() {
                let at = format!("composes[{i}]");
                let fail = |m: String| vec![Problem::new(&at, m)];
                let entry = TemplateRef::parse(&compose.template)
                    .and_then(|r| library.get(&r).cloned())
                    .map_err(fail)?;
                let with = match with {
                    Value::Object(map) => map,
                    _ => Map::new(),
                };
                let sub = instantiate_checked(library, &entry.template, &with, stack)
                    .map_err(|ps| within(ps, &format!("{at} ({})", entry.template.key())))?;
                let Document::Journey(sub) = sub.document else {
                    return Err(vec![Problem::new(
                        &at,
                        "only templates whose body is a journey can be composed",
                    )]);
                };
                let problems = compose::embed(&mut journey, sub, compose, &at);
                if !problems.is_empty() {
                    return Err(problems);
                }
            }
            let problems = structure(&journey);
            if !problems.is_empty() {
                return Err(problems);
            }
            Document::Journey(journey)
        }
        _ => Document::parse(&file, &text)
            .map_err(|e| vec![Problem::new("result", e.to_string())])?,
    };
    stack.pop();
    Ok(Instance {
        document,
        template: template.key(),
        parents,
        values,
        diagnostics: Vec::new(),
    })
}

/// The structural rules an instantiated journey must keep for the editor to open it: every
/// transition joins existing states, nothing leaves `end`.
fn structure(doc: &JourneyDocument) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, edge) in doc.edges.iter().enumerate() {
        let at = format!("result.edges[{i}] ({})", edge.id);
        if edge.source == END_NODE_ID {
            problems.push(Problem::new(&at, "a transition cannot leave `end`"));
        } else if doc.node(&edge.source).is_none() {
            problems.push(Problem::new(
                &at,
                format!("source `{}` is not a state of the journey", edge.source),
            ));
        }
        if edge.target != END_NODE_ID && doc.node(&edge.target).is_none() {
            problems.push(Problem::new(
                &at,
                format!("target `{}` is not a state of the journey", edge.target),
            ));
        }
    }
    problems
}

/// Records which template made a journey in its editor data (never sent to a server).
pub fn record_provenance(instance: &mut Instance) {
    if let Document::Journey(doc) = &mut instance.document {
        let editor = match &mut doc.editor {
            crate::json::Maybe::Value(editor) => editor,
            other => {
                *other = crate::json::Maybe::Value(crate::parlant::EditorData {
                    positions: crate::json::Maybe::Absent,
                    viewport: crate::json::Maybe::Absent,
                    extra: Default::default(),
                });
                match other {
                    crate::json::Maybe::Value(editor) => editor,
                    _ => unreachable!("set just above"),
                }
            }
        };
        editor.extra.insert(
            "template".into(),
            serde_json::json!({ "id": instance.template, "parents": instance.parents, "parameters": instance.values }),
        );
    }
}
