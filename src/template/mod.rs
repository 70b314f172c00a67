//! Templates: parameterised, inheritable, composable, versioned journeys and workflows.
//!
//! A template (docs/templates.md) is a JSON file whose `body` is a journey document or a Sim
//! workflow with `{{placeholders}}`, `$when` and `$each` sections. `engine` resolves `extends`
//! and `composes` against a `Library`, checks parameters (all problems at once) and expands the
//! body on parsed JSON (never by text replacement); `save` turns a document into a template.

mod compose;
mod engine;
mod expr;
mod library;
mod merge;
mod model;
mod params;
mod placeholder;
mod problem;
pub(crate) mod save;
mod sections;

pub use engine::{body_kind, instantiate, lint, record_provenance, resolve, BodyKind, Instance};
pub use library::{Entry, Library, Query, Source, BUILTINS};
pub use model::{
    is_template_id, ComposeSpec, ParamSpec, ParamType, Template, TemplateRef, TEMPLATE_FORMAT,
};
pub use params::{resolve_values, value_from_text, Values};
pub use problem::Problem;
pub use save::{save_as_template, ParamChoice, SaveOptions};
