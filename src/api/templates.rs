//! The template gallery.

use super::documents::add_document;
use super::types::*;
use super::AppState;
use crate::error::{Error, Result};

fn entry(t: &crate::template::Template) -> TemplateEntry {
    TemplateEntry {
        id: t.id.clone(),
        version: t.version.to_string(),
        name: t.name.clone(),
        description: t.description.clone(),
        category: t.category.clone(),
        tags: t.tags.clone(),
    }
}

pub fn templates_list(_: &AppState, args: TemplatesListArgs) -> Result<TemplateList> {
    let library = crate::template::Library::builtin()?;
    let query = crate::template::Query { text: args.query, category: args.category, tag: args.tag, all_versions: false };
    Ok(TemplateList { templates: library.search(&query).into_iter().map(|e| entry(&e.template)).collect() })
}

pub fn template_show(_: &AppState, args: TemplateIdArgs) -> Result<TemplateDetail> {
    let library = crate::template::Library::builtin()?;
    let found = library.find(&args.id)?;
    let (resolved, _) = crate::template::resolve(&library, &found.template)?;
    Ok(TemplateDetail {
        entry: entry(&found.template),
        parameters: resolved.parameters.clone(),
        template: serde_json::to_value(&found.template).map_err(|e| Error::Unsupported(e.to_string()))?,
    })
}

pub fn template_instantiate(state: &AppState, args: TemplateInstantiateArgs) -> Result<DocumentRef> {
    let library = crate::template::Library::builtin()?;
    let found = library.find(&args.id)?;
    let instance = crate::template::instantiate(&library, &found.template, &args.params)?;
    let base = args.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| found.template.name.clone());
    add_document(state, &base, &instance.document, &format!("from template {}", instance.template))
}
