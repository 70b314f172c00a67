//! The template library: the built-in templates (fixtures/templates/, compiled into the binary)
//! plus user template folders; several versions of one template live side by side and a
//! reference `id@range` picks the newest version in range.

use super::model::{Template, TemplateRef};
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The built-in templates, embedded so the CLI and the desktop app work from any directory.
/// tests/template_library.rs checks that every file of fixtures/templates/ is listed here.
pub const BUILTINS: &[(&str, &str)] = &[
    (
        "support-triage@1.0.0.json",
        include_str!("../../fixtures/templates/support-triage@1.0.0.json"),
    ),
    (
        "support-triage@1.1.0.json",
        include_str!("../../fixtures/templates/support-triage@1.1.0.json"),
    ),
    (
        "vip-support-triage@1.0.0.json",
        include_str!("../../fixtures/templates/vip-support-triage@1.0.0.json"),
    ),
    (
        "appointment-booking@1.0.0.json",
        include_str!("../../fixtures/templates/appointment-booking@1.0.0.json"),
    ),
    (
        "refund-request@1.0.0.json",
        include_str!("../../fixtures/templates/refund-request@1.0.0.json"),
    ),
    (
        "lead-qualification@1.0.0.json",
        include_str!("../../fixtures/templates/lead-qualification@1.0.0.json"),
    ),
    (
        "onboarding@1.0.0.json",
        include_str!("../../fixtures/templates/onboarding@1.0.0.json"),
    ),
    (
        "faq-escalation@1.0.0.json",
        include_str!("../../fixtures/templates/faq-escalation@1.0.0.json"),
    ),
    (
        "order-status@1.0.0.json",
        include_str!("../../fixtures/templates/order-status@1.0.0.json"),
    ),
    (
        "subscription-cancellation@1.0.0.json",
        include_str!("../../fixtures/templates/subscription-cancellation@1.0.0.json"),
    ),
    (
        "identity-verification@1.0.0.json",
        include_str!("../../fixtures/templates/identity-verification@1.0.0.json"),
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "snake_case")]
pub enum Source {
    Builtin(String),
    File(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Builtin(name) => write!(f, "built-in {name}"),
            Source::File(path) => write!(f, "{}", path.display()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub template: Template,
    pub source: Source,
}

/// What to list: every filter given must hold.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Words looked for (case-insensitive) in the id, name, description, category and tags.
    pub text: Option<String>,
    pub category: Option<String>,
    pub tag: Option<String>,
    /// Every version rather than the newest of each template.
    pub all_versions: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Library {
    entries: Vec<Entry>,
    /// `id@version (source)` of templates replaced by a later source with the same id and version.
    pub shadowed: Vec<String>,
}

impl Library {
    pub fn empty() -> Library {
        Library::default()
    }

    /// The built-in templates.
    pub fn builtin() -> Result<Library> {
        let mut library = Library::empty();
        for (name, text) in BUILTINS {
            let template = Template::parse(&format!("fixtures/templates/{name}"), text)?;
            library.add(template, Source::Builtin((*name).to_string()));
        }
        Ok(library)
    }

    /// Adds a template; one with the same id and version is replaced (a user folder can shadow a
    /// built-in), and the replacement is recorded in `shadowed`.
    pub fn add(&mut self, template: Template, source: Source) {
        if let Some(i) = self
            .entries
            .iter()
            .position(|e| e.template.id == template.id && e.template.version == template.version)
        {
            let old = self.entries.remove(i);
            self.shadowed
                .push(format!("{} ({})", old.template.key(), old.source));
        }
        self.entries.push(Entry { template, source });
    }

    /// Adds every `*.json` template of a folder (not recursive). A file that is not a valid
    /// template is an error naming it: a broken user template must not vanish silently.
    pub fn add_dir(&mut self, dir: &Path) -> Result<usize> {
        let read_err = |source| Error::Read {
            file: dir.display().to_string(),
            source,
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read_err)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
            .collect();
        paths.sort();
        for path in &paths {
            let template = Template::load(path)?;
            self.add(template, Source::File(path.clone()));
        }
        Ok(paths.len())
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every version of a template, newest first.
    pub fn versions(&self, id: &str) -> Vec<&Entry> {
        let mut out: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.template.id == id)
            .collect();
        out.sort_by(|a, b| b.template.version.cmp(&a.template.version));
        out
    }

    /// The newest version of `reference.id` inside `reference.range`, or why there is none.
    pub fn get(&self, reference: &TemplateRef) -> std::result::Result<&Entry, String> {
        let versions = self.versions(&reference.id);
        if versions.is_empty() {
            let mut ids: Vec<&str> = self
                .entries
                .iter()
                .map(|e| e.template.id.as_str())
                .collect();
            ids.sort();
            ids.dedup();
            let near: Vec<&str> = ids
                .iter()
                .copied()
                .filter(|id| id.contains(&reference.id) || reference.id.contains(id))
                .collect();
            let hint = if !near.is_empty() {
                format!("did you mean {}?", near.join(", "))
            } else if ids.is_empty() {
                "the library is empty".to_string()
            } else {
                format!("known templates: {}", ids.join(", "))
            };
            return Err(format!(
                "no template `{}` in the library ({hint})",
                reference.id
            ));
        }
        versions
            .iter()
            .copied()
            .find(|e| reference.range.matches(&e.template.version))
            .ok_or_else(|| {
                let list: Vec<String> = versions
                    .iter()
                    .map(|e| e.template.version.to_string())
                    .collect();
                format!(
                    "template `{}` has versions {}; none matches the range `{}`",
                    reference.id,
                    list.join(", "),
                    reference.range
                )
            })
    }

    /// `get` from a text reference (`support-triage@^1`).
    pub fn find(&self, reference: &str) -> Result<&Entry> {
        let parsed = TemplateRef::parse(reference).map_err(Error::Rejected)?;
        self.get(&parsed).map_err(Error::Rejected)
    }

    /// Templates matching the query, sorted by id then newest version first.
    pub fn search(&self, query: &Query) -> Vec<&Entry> {
        let words: Vec<String> = query
            .text
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let mut out: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| {
                let t = &e.template;
                let category_ok = query
                    .category
                    .as_ref()
                    .is_none_or(|c| t.category.eq_ignore_ascii_case(c));
                let tag_ok = query
                    .tag
                    .as_ref()
                    .is_none_or(|tag| t.tags.iter().any(|x| x.eq_ignore_ascii_case(tag)));
                let haystack = format!(
                    "{} {} {} {} {}",
                    t.id,
                    t.name,
                    t.description,
                    t.category,
                    t.tags.join(" ")
                )
                .to_lowercase();
                category_ok && tag_ok && words.iter().all(|w| haystack.contains(w.as_str()))
            })
            .collect();
        out.sort_by(|a, b| {
            a.template
                .id
                .cmp(&b.template.id)
                .then(b.template.version.cmp(&a.template.version))
        });
        if !query.all_versions {
            out.dedup_by(|b, a| a.template.id == b.template.id);
        }
        out
    }
}
