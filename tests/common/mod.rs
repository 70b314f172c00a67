#![allow(dead_code)]
//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every JSON file under `fixtures/<dir>`, sorted; panics when there are none so a moved folder
/// cannot make a test pass vacuously.
pub fn fixtures(dir: &str) -> Vec<PathBuf> {
    let root = repo().join("fixtures").join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixtures in {}", root.display());
    out
}

/// The shared real Sim exports beside the repository, when present (CI has them).
pub fn shared_sim_real() -> Vec<PathBuf> {
    let root = repo().join("../shared/fixtures/sim-real");
    let Ok(entries) = std::fs::read_dir(&root) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    out.sort();
    out
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A document whose top level is a JSON string is compared by the JSON inside the string.
pub fn decode_string_shape(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::String(inner) => serde_json::from_str(&inner).expect("inner JSON"),
        other => other,
    }
}
