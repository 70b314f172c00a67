//! `journey-studio template list|show|instantiate|lint|save`: the template library from the
//! command line.

use crate::{Outcome, OutputFormat};
use journey_studio::template::{self, Library, ParamChoice, Query, SaveOptions, Template};
use journey_studio::{Document, Error, Result};
use serde_json::{Map, Value};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    /// A folder of user templates, added after the built-ins (repeatable). The
    /// JOURNEY_STUDIO_TEMPLATES variable may list more, separated by `:`.
    #[arg(long = "templates", global = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t, global = true)]
    format: OutputFormat,
}

#[derive(clap::Subcommand)]
enum Command {
    /// List templates (the newest version of each), filtered by text, category or tag.
    List {
        /// Words to look for in id, name, description, category and tags.
        search: Option<String>,
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        /// Show every version, not only the newest.
        #[arg(long)]
        all_versions: bool,
    },
    /// Show a template: description, parameters, versions, what it extends and composes.
    Show {
        /// `id` or `id@range`.
        template: String,
    },
    /// Make a journey (or workflow) from a template.
    Instantiate {
        /// `id` or `id@range` (newest matching version), or a template file.
        template: String,
        /// A parameter value (repeatable): `--set company="Acme Ltd" --set sla_hours=8`.
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// A JSON object of parameter values; `--set` values win over it.
        #[arg(long, value_name = "FILE")]
        params: Option<PathBuf>,
        /// Where to write the document (atomically); standard output when omitted.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Check a template file: references, parameters, placeholders, sections, compositions,
    /// and that it instantiates with its defaults.
    Lint { file: PathBuf },
    /// Turn a journey (or workflow) into a template, choosing texts that become parameters.
    Save {
        /// The document to turn into a template.
        file: PathBuf,
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "1.0.0")]
        version: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long, default_value = "")]
        category: String,
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// A text that becomes a parameter (repeatable): `--param company="Northwind Telecom"`.
        #[arg(long = "param", value_name = "NAME=TEXT")]
        params: Vec<String>,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

fn library(dirs: &[PathBuf]) -> Result<Library> {
    let mut library = Library::builtin()?;
    let from_env: Vec<PathBuf> = std::env::var_os("JOURNEY_STUDIO_TEMPLATES")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    for dir in from_env.iter().chain(dirs) {
        library.add_dir(dir)?;
    }
    Ok(library)
}

fn usage(message: String) -> Error {
    Error::Rejected(message)
}

pub fn run(args: Args) -> Result<Outcome> {
    let library = library(&args.dirs)?;
    match args.command {
        Command::List {
            search,
            category,
            tag,
            all_versions,
        } => {
            let found = library.search(&Query {
                text: search,
                category,
                tag,
                all_versions,
            });
            match args.format {
                OutputFormat::Json => {
                    let rows: Vec<Value> = found
                        .iter()
                        .map(|e| {
                            let t = &e.template;
                            serde_json::json!({"id": t.id, "version": t.version.to_string(), "name": t.name, "description": t.description,
                                "category": t.category, "tags": t.tags, "extends": t.extends, "source": e.source})
                        })
                        .collect();
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&rows).unwrap_or_default()
                    );
                }
                OutputFormat::Text => {
                    for e in &found {
                        let t = &e.template;
                        println!(
                            "{:<28} {:<8} {:<10} {}",
                            t.id,
                            t.version.to_string(),
                            t.category,
                            t.name
                        );
                    }
                    if found.is_empty() {
                        println!("(no template matches)");
                    }
                }
            }
            Ok(Outcome::Ok)
        }
        Command::Show { template } => {
            let entry = library.find(&template)?;
            let (merged, parents) = template::resolve(&library, &entry.template)?;
            let versions: Vec<String> = library
                .versions(&merged.id)
                .iter()
                .map(|e| e.template.version.to_string())
                .collect();
            match args.format {
                OutputFormat::Json => {
                    let mut value = serde_json::to_value(&merged).unwrap_or_default();
                    if let Value::Object(map) = &mut value {
                        map.insert("versions".into(), serde_json::json!(versions));
                        map.insert("parents".into(), serde_json::json!(parents));
                        map.insert("source".into(), serde_json::json!(entry.source));
                    }
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&value).unwrap_or_default()
                    );
                }
                OutputFormat::Text => print!(
                    "{}",
                    render_show(&merged, &parents, &versions, &entry.source.to_string())
                ),
            }
            Ok(Outcome::Ok)
        }
        Command::Instantiate {
            template,
            set,
            params,
            output,
        } => {
            let loaded;
            let chosen: &Template =
                if template.ends_with(".json") || std::path::Path::new(&template).is_file() {
                    loaded = Template::load(std::path::Path::new(&template))?;
                    &loaded
                } else {
                    &library.find(&template)?.template
                };
            let (merged, _) = template::resolve(&library, chosen)?;
            let mut given = Map::new();
            if let Some(path) = params {
                let text = journey_studio::json::read_text(&path)?;
                given = journey_studio::json::from_str_located(&path.display().to_string(), &text)?;
            }
            for item in &set {
                let (name, text) = item
                    .split_once('=')
                    .ok_or_else(|| usage(format!("`--set {item}`: write NAME=VALUE")))?;
                let name = name.trim();
                given.insert(
                    name.to_string(),
                    template::value_from_text(merged.param(name), text),
                );
            }
            let mut instance = template::instantiate(&library, chosen, &given)?;
            for d in &instance.diagnostics {
                eprintln!(
                    "{}: {}[{}]: {}\n  hint: {}",
                    d.path,
                    d.severity.as_str(),
                    d.code,
                    d.message,
                    d.hint
                );
            }
            template::record_provenance(&mut instance);
            match output {
                Some(path) => {
                    instance.document.save(&path)?;
                    eprintln!("{}: written from {}", path.display(), instance.template);
                }
                None => print!("{}", instance.document.to_json()),
            }
            Ok(Outcome::Ok)
        }
        Command::Lint { file } => {
            let template = Template::load(&file)?;
            let mut library = library;
            // Templates beside the file may be its parents or parts.
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                let _ = library.add_dir(dir);
            }
            library.add(template.clone(), template::Source::File(file.clone()));
            let mut problems = template::lint(&library, &template);
            if problems.is_empty() {
                if let Err(err) = template::instantiate(&library, &template, &Map::new()) {
                    match err {
                        Error::Template {
                            problems: found, ..
                        } => problems
                            .extend(found.into_iter().map(|p| p.within("with its defaults"))),
                        other => problems.push(template::Problem::new(
                            "with its defaults",
                            other.to_string(),
                        )),
                    }
                }
            }
            match args.format {
                OutputFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&problems).unwrap_or_default()
                ),
                OutputFormat::Text if problems.is_empty() => {
                    println!("{}: {} is sound", file.display(), template.key())
                }
                OutputFormat::Text => {
                    for p in &problems {
                        println!("{}: {p}", file.display());
                    }
                }
            }
            Ok(if problems.is_empty() {
                Outcome::Ok
            } else {
                Outcome::Findings
            })
        }
        Command::Save {
            file,
            id,
            name,
            version,
            description,
            category,
            tags,
            params,
            output,
        } => {
            let document = Document::load(&file)?;
            let version = semver::Version::parse(&version)
                .map_err(|e| usage(format!("--version {version}: {e}")))?;
            let mut choices = Vec::new();
            for item in &params {
                let (name, text) = item
                    .split_once('=')
                    .ok_or_else(|| usage(format!("`--param {item}`: write NAME=TEXT")))?;
                choices.push(ParamChoice {
                    name: name.trim().to_string(),
                    text: text.to_string(),
                    description: String::new(),
                });
            }
            let name = name.unwrap_or_else(|| id.clone());
            let options = SaveOptions {
                id,
                version,
                name,
                description,
                category,
                tags,
                params: choices,
            };
            let saved = template::save_as_template(&document, &options)?;
            let text = saved.to_json();
            match output {
                Some(path) => journey_studio::json::write_atomic(&path, &text)?,
                None => print!("{text}"),
            }
            Ok(Outcome::Ok)
        }
    }
}

fn render_show(t: &Template, parents: &[String], versions: &[String], source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", t.key(), t.name);
    let _ = writeln!(out, "  {}", t.description);
    let _ = writeln!(
        out,
        "  category: {}   tags: {}",
        t.category,
        t.tags.join(", ")
    );
    let _ = writeln!(
        out,
        "  versions: {}   source: {source}",
        versions.join(", ")
    );
    if !parents.is_empty() {
        let _ = writeln!(out, "  extends:  {}", parents.join(" → "));
    }
    for c in &t.composes {
        let _ = writeln!(out, "  composes: {} as `{}`", c.template, c.as_name);
    }
    let kind = template::body_kind(&t.body).map_or("unknown", |k| match k {
        template::BodyKind::Journey => "journey",
        template::BodyKind::Workflow => "Sim workflow",
    });
    let _ = writeln!(out, "  body:     {kind}");
    let _ = writeln!(out, "  parameters:");
    for p in &t.parameters {
        let kind = p.kind.map_or("?", |k| k.as_str());
        let mut constraints = Vec::new();
        if p.is_required() {
            constraints.push("required".to_string());
        }
        if let Some(values) = &p.values {
            constraints.push(format!("one of {}", values.join("|")));
        }
        if let Some(pattern) = &p.pattern {
            constraints.push(format!("pattern {pattern}"));
        }
        if let Some(min) = p.min {
            constraints.push(format!("min {min}"));
        }
        if let Some(max) = p.max {
            constraints.push(format!("max {max}"));
        }
        if let Some(d) = &p.default {
            constraints.push(format!(
                "default {}",
                serde_json::to_string(d).unwrap_or_default()
            ));
        }
        let _ = writeln!(out, "    {:<20} {:<8} {}", p.name, kind, p.description);
        if !constraints.is_empty() {
            let _ = writeln!(out, "    {:<20} {:<8} ({})", "", "", constraints.join("; "));
        }
    }
    out
}
