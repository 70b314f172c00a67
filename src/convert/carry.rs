//! Carriers: what one side cannot express, kept on the other side as a *base*, never as a
//! snapshot that wins.
//!
//! A journey fact Sim cannot express (a state description, a transition's metadata, a tool
//! name with no Sim block) is stored on the Sim element as a field diff:
//! `{"<field>": {"journey": <value>, "rendered": <what the Sim element rendered to then>}}`.
//! Converting back, a field is taken from the carrier only while the Sim element still renders
//! to the recorded value; once the element is edited on the Sim side its new rendering wins.
//! An absent `journey` / `rendered` key means the field was absent there.
//!
//! Fields are the element's top-level keys, with the objects named in `nested` (`metadata`,
//! `journey`, `editor`) split one level (`metadata/journey_node`), so that one metadata key
//! edited on either side does not shadow the others.

use serde_json::{Map, Value};

const SEP: char = '/';

/// The element's fields, nested objects split one level; a nested object's own presence is kept
/// as `"<key>": {}` so an empty object survives.
pub fn flatten(value: &Value, nested: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    let Value::Object(obj) = value else {
        return out;
    };
    for (key, v) in obj {
        match v {
            Value::Object(inner) if nested.contains(&key.as_str()) => {
                out.insert(key.clone(), Value::Object(Map::new()));
                for (k, x) in inner {
                    out.insert(format!("{key}{SEP}{k}"), x.clone());
                }
            }
            _ => {
                out.insert(key.clone(), v.clone());
            }
        }
    }
    out
}

/// The inverse of `flatten`.
pub fn unflatten(fields: Map<String, Value>, nested: &[&str]) -> Value {
    let mut out = Map::new();
    for (key, v) in fields {
        match key.split_once(SEP) {
            Some((outer, inner)) if nested.contains(&outer) => {
                let slot = out
                    .entry(outer.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                if let Value::Object(m) = slot {
                    m.insert(inner.to_string(), v);
                }
            }
            _ => {
                if nested.contains(&key.as_str()) && v.is_object() {
                    // The marker: keep sub-keys already inserted.
                    out.entry(key).or_insert(v);
                } else {
                    out.insert(key, v);
                }
            }
        }
    }
    Value::Object(out)
}

/// The carrier that turns `rendered` back into `wanted`: every field where they differ.
pub fn diff(wanted: &Map<String, Value>, rendered: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    let keys = wanted
        .keys()
        .chain(rendered.keys().filter(|k| !wanted.contains_key(*k)));
    for key in keys {
        let (w, r) = (wanted.get(key), rendered.get(key));
        if w != r {
            let mut entry = Map::new();
            if let Some(w) = w {
                entry.insert("journey".into(), w.clone());
            }
            if let Some(r) = r {
                entry.insert("rendered".into(), r.clone());
            }
            out.insert(key.clone(), Value::Object(entry));
        }
    }
    out
}

/// Applies a carrier to a fresh rendering: a carried field wins only while the rendering of that
/// field is still what it was when the carrier was written.
pub fn merge(carrier: &Map<String, Value>, mut rendered: Map<String, Value>) -> Map<String, Value> {
    for (key, entry) in carrier {
        let Value::Object(entry) = entry else {
            continue;
        };
        if rendered.get(key) != entry.get("rendered") {
            continue;
        }
        match entry.get("journey") {
            Some(v) => {
                rendered.insert(key.clone(), v.clone());
            }
            None => {
                rendered.shift_remove(key);
            }
        }
    }
    rendered
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        flatten(&v, &["metadata"])
    }

    #[test]
    fn flatten_round_trips_nested_and_empty_objects() {
        for v in [
            json!({"a": 1, "metadata": {"x": {"y": 2}, "z": null}}),
            json!({"metadata": {}}),
            json!({"metadata": null}),
        ] {
            assert_eq!(unflatten(map(v.clone()), &["metadata"]), v);
        }
    }

    #[test]
    fn carried_field_wins_until_the_other_side_edits_it() {
        let journey = map(
            json!({"id": "s", "action": "Greet", "description": "hello", "metadata": {"k": 1}}),
        );
        let rendered = map(json!({"id": "s", "action": "Greet", "metadata": {}}));
        let carrier = diff(&journey, &rendered);
        assert_eq!(carrier.len(), 2, "{carrier:?}");
        assert_eq!(merge(&carrier, rendered.clone()), journey);
        // The Sim side now renders a description of its own: it wins; the metadata key still comes back.
        let mut edited = rendered.clone();
        edited.insert("description".into(), json!("renamed"));
        let merged = merge(&carrier, edited);
        assert_eq!(merged["description"], json!("renamed"));
        assert_eq!(merged["metadata/k"], json!(1));
    }

    #[test]
    fn absent_fields_are_carried_as_absent() {
        let journey = map(json!({"id": "s"}));
        let rendered = map(json!({"id": "s", "condition": "x"}));
        let carrier = diff(&journey, &rendered);
        assert_eq!(merge(&carrier, rendered), journey);
    }
}
