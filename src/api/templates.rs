//! Templates in the app, as in the CLI (`journey-studio template list|show|instantiate|lint|save`):
//! the library is the built-ins, the folders in `JOURNEY_STUDIO_TEMPLATES`, and the workspace's
//! own template folder (`<workspace>.templates/` beside the workspace file), where "save as
//! template" writes.

use super::documents::add_document;
use super::types::*;
use super::AppState;
use crate::error::{Error, Result};
use crate::template::{self, Library, Source};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The workspace's template folder: `<workspace file>.templates` beside it.
pub(crate) fn templates_dir(workspace: &Path) -> PathBuf {
    let name = workspace
        .file_name()
        .map_or_else(|| "workspace".into(), |n| n.to_string_lossy().to_string());
    workspace.with_file_name(format!("{name}.templates"))
}

/// Built-ins, then `JOURNEY_STUDIO_TEMPLATES`, then the workspace's folder (a later source with
/// the same id and version wins, as in the CLI).
fn library(state: &AppState) -> Result<Library> {
    let mut library = Library::builtin()?;
    let from_env: Vec<PathBuf> = std::env::var_os("JOURNEY_STUDIO_TEMPLATES")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    for dir in from_env {
        library.add_dir(&dir)?;
    }
    let own = templates_dir(&state.workspace());
    if own.is_dir() {
        library.add_dir(&own)?;
    }
    Ok(library)
}

fn entry(t: &template::Template, source: &Source) -> TemplateEntry {
    TemplateEntry {
        id: t.id.clone(),
        version: t.version.to_string(),
        source: match source {
            Source::Builtin(_) => "built-in".into(),
            Source::File(path) => path.display().to_string(),
        },
        name: t.name.clone(),
        description: t.description.clone(),
        category: t.category.clone(),
        tags: t.tags.clone(),
    }
}

fn problems(list: Vec<template::Problem>) -> Vec<TemplateProblem> {
    list.into_iter()
        .map(|p| TemplateProblem {
            at: p.at,
            message: p.message,
        })
        .collect()
}

pub fn templates_list(state: &AppState, args: TemplatesListArgs) -> Result<TemplateList> {
    let library = library(state)?;
    let query = template::Query {
        text: args.query,
        category: args.category,
        tag: args.tag,
        all_versions: args.all_versions.unwrap_or(false),
    };
    Ok(TemplateList {
        templates: library
            .search(&query)
            .into_iter()
            .map(|e| entry(&e.template, &e.source))
            .collect(),
    })
}

pub fn template_show(state: &AppState, args: TemplateIdArgs) -> Result<TemplateDetail> {
    let library = library(state)?;
    let found = library.find(&args.id)?;
    let (resolved, _) = template::resolve(&library, &found.template)?;
    Ok(TemplateDetail {
        entry: entry(&found.template, &found.source),
        parameters: resolved.parameters.clone(),
        template: serde_json::to_value(&found.template)
            .map_err(|e| Error::Internal(e.to_string()))?,
    })
}

/// Instantiates template `id` as a new document.
pub(crate) fn instantiate_named(
    state: &AppState,
    id: &str,
    params: &Map<String, Value>,
    name: Option<&str>,
) -> Result<DocumentRef> {
    let library = library(state)?;
    let found = library.find(id)?;
    let instance = template::instantiate(&library, &found.template, params)?;
    let base = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| found.template.name.clone(), str::to_string);
    add_document(
        state,
        &base,
        &instance.document,
        &format!("from template {}", instance.template),
    )
}

pub fn template_instantiate(
    state: &AppState,
    args: TemplateInstantiateArgs,
) -> Result<DocumentRef> {
    instantiate_named(state, &args.id, &args.params, args.name.as_deref())
}

/// The parameters' values checked against the template's specs, as the designer types them.
pub fn template_check(state: &AppState, args: TemplateCheckArgs) -> Result<TemplateProblems> {
    let library = library(state)?;
    let found = library.find(&args.id)?;
    let (merged, _) = template::resolve(&library, &found.template)?;
    let (_, found_problems) = template::resolve_values(&merged.parameters, &args.params);
    Ok(TemplateProblems {
        problems: problems(found_problems),
    })
}

/// `template lint`: what is wrong with a template of the library.
pub fn template_lint(state: &AppState, args: TemplateIdArgs) -> Result<TemplateProblems> {
    let library = library(state)?;
    let found = library.find(&args.id)?;
    Ok(TemplateProblems {
        problems: problems(template::lint(&library, &found.template)),
    })
}

/// Keys not offered as texts beyond those Save as template never replaces
/// (`template::save::STRUCTURAL_KEYS`): Sim's bookkeeping and choices from a fixed list.
const NOT_OFFERED: &[&str] = &[
    "metadata",
    "outputs",
    "exportedAt",
    "lastSaved",
    "model",
    "method",
];
/// At most this many texts are offered.
const MAX_TEXTS: usize = 500;

fn collect_texts(value: &Value, at: &str, out: &mut Vec<TemplateText>) {
    if out.len() >= MAX_TEXTS {
        return;
    }
    match value {
        Value::String(s)
            if !s.trim().is_empty()
                && s.chars().count() <= 2_000
                && !out.iter().any(|t| t.text == *s) =>
        {
            out.push(TemplateText {
                text: s.clone(),
                at: at.to_string(),
            });
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_texts(v, &format!("{at}[{i}]"), out);
            }
        }
        Value::Object(members) => {
            for (k, v) in members {
                if !crate::template::save::STRUCTURAL_KEYS.contains(&k.as_str())
                    && !NOT_OFFERED.contains(&k.as_str())
                {
                    collect_texts(
                        v,
                        &if at.is_empty() {
                            k.clone()
                        } else {
                            format!("{at}.{k}")
                        },
                        out,
                    );
                }
            }
        }
        _ => {}
    }
}

/// The human-readable texts of the open document (titles, conditions, actions, prompts), from
/// which "save as template" picks its parameters.
pub fn template_texts(state: &AppState, args: SessionArgs) -> Result<TemplateTexts> {
    let text = state
        .editor
        .session(&args.session)?
        .read(|open| open.to_json());
    let value: Value = serde_json::from_str(&text).map_err(|e| Error::Internal(e.to_string()))?;
    let mut texts = Vec::new();
    collect_texts(&value, "", &mut texts);
    Ok(TemplateTexts { texts })
}

/// Saves the open document as a template in the workspace's template folder, then lints it.
pub fn template_save(state: &AppState, args: TemplateSaveArgs) -> Result<TemplateSaved> {
    let session = state.editor.session(&args.session)?;
    let document = session.read(|open| open.document());
    let version_text = args
        .version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or("1.0.0");
    let version = semver::Version::parse(version_text).map_err(|e| Error::Template {
        template: args.id.clone(),
        problems: vec![template::Problem::new(
            "version",
            format!("`{version_text}` is not a semantic version: {e}"),
        )],
    })?;
    let options = template::SaveOptions {
        id: args.id.trim().to_string(),
        version,
        name: args
            .name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| session.name.clone()),
        description: args.description.unwrap_or_default(),
        category: args.category.unwrap_or_default(),
        tags: args.tags,
        params: args
            .params
            .into_iter()
            .map(|p| template::ParamChoice {
                name: p.name.trim().to_string(),
                text: p.text,
                description: p.description.unwrap_or_default(),
            })
            .collect(),
    };
    let saved = template::save_as_template(&document, &options)?;
    let dir = templates_dir(&state.workspace());
    let mut library = library(state)?;
    if library
        .entries()
        .iter()
        .any(|e| e.template.id == saved.id && e.template.version == saved.version)
    {
        return Err(Error::Template {
            template: saved.key(),
            problems: vec![template::Problem::new(
                "version",
                format!(
                    "`{}` already exists; give this one a newer version",
                    saved.key()
                ),
            )],
        });
    }
    std::fs::create_dir_all(&dir).map_err(|source| Error::Write {
        file: dir.display().to_string(),
        source,
    })?;
    let path = dir.join(format!("{}@{}.json", saved.id, saved.version));
    crate::json::write_atomic(&path, &saved.to_json())?;
    let source = Source::File(path.clone());
    library.add(saved.clone(), source.clone());
    let found = problems(template::lint(&library, &saved));
    Ok(TemplateSaved {
        entry: entry(&saved, &source),
        path: path.display().to_string(),
        problems: found,
    })
}
