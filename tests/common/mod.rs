#![allow(dead_code)]
//! Helpers shared by the integration tests.

pub mod serve;

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
    let Ok(entries) = std::fs::read_dir(&root) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
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

/// The JSON paths where two values differ (at most `limit`), for readable assertion messages.
pub fn json_diff(left: &serde_json::Value, right: &serde_json::Value, limit: usize) -> Vec<String> {
    fn walk(
        l: &serde_json::Value,
        r: &serde_json::Value,
        path: String,
        out: &mut Vec<String>,
        limit: usize,
    ) {
        use serde_json::Value;
        if out.len() >= limit || l == r {
            return;
        }
        match (l, r) {
            (Value::Object(a), Value::Object(b)) => {
                for (k, v) in a {
                    match b.get(k) {
                        Some(w) => walk(v, w, format!("{path}.{k}"), out, limit),
                        None => out.push(format!("{path}.{k}: only left")),
                    }
                }
                for k in b.keys().filter(|k| !a.contains_key(*k)) {
                    out.push(format!("{path}.{k}: only right"));
                }
            }
            (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
                for (i, (v, w)) in a.iter().zip(b).enumerate() {
                    walk(v, w, format!("{path}[{i}]"), out, limit);
                }
            }
            _ => {
                let short = |v: &Value| v.to_string().chars().take(200).collect::<String>();
                out.push(format!("{path}: {} != {}", short(l), short(r)));
            }
        }
    }
    let mut out = Vec::new();
    walk(left, right, "$".into(), &mut out, limit);
    out
}

/// A block or edge a journey carries in `metadata.sim` (`key` = "block" or "edge"): the
/// conversion writes it as JSON text.
pub fn carried(sim_meta: &serde_json::Value, key: &str) -> serde_json::Value {
    let text = sim_meta[key]
        .as_str()
        .unwrap_or_else(|| panic!("`metadata.sim.{key}` is not JSON text: {}", sim_meta[key]));
    serde_json::from_str(text).unwrap()
}
