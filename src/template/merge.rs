//! `extends`: a child's body is an overlay merged onto its parent's body, before placeholders are
//! filled (so the parent's texts can use the child's parameters and defaults).
//!
//! - Objects merge member by member; an overlay member `{"$remove": true}` deletes the member.
//! - Arrays of objects with an `id` (nodes, edges, Sim edges) — or with a `name` (context
//!   variables) — merge by that key: an overlay item with a known key is merged into the parent's
//!   item, `{"id": "x", "$remove": true}` deletes it, new keys are appended (sections too).
//! - Any other value (texts, numbers, lists of texts such as `conditions`) is replaced.

use serde_json::{Map, Value};

fn removes(value: &Value) -> bool {
    value.get("$remove") == Some(&Value::Bool(true))
}

fn item_key(value: &Value) -> Option<(&'static str, &str)> {
    let obj = value.as_object()?;
    if obj.contains_key("$when") || obj.contains_key("$each") {
        return None;
    }
    for key in ["id", "name"] {
        if let Some(Value::String(s)) = obj.get(key) {
            return Some((key, s.as_str()));
        }
    }
    None
}

fn without_remove_marks(value: Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| k != "$remove")
                .map(|(k, v)| (k, without_remove_marks(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_remove_marks).collect()),
        other => other,
    }
}

pub fn merge(base: Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Object(mut base), Value::Object(over)) => {
            merge_objects(&mut base, over);
            Value::Object(base)
        }
        (Value::Array(base), Value::Array(over))
            if base.iter().chain(over).any(|v| item_key(v).is_some()) =>
        {
            Value::Array(merge_keyed(base, over))
        }
        (_, over) => without_remove_marks(over.clone()),
    }
}

fn merge_objects(base: &mut Map<String, Value>, over: &Map<String, Value>) {
    for (key, value) in over {
        if removes(value) && value.as_object().is_some_and(|o| o.len() == 1) {
            base.shift_remove(key);
            continue;
        }
        match base.get_mut(key) {
            Some(existing) => {
                let old = std::mem::take(existing);
                *existing = merge(old, value);
            }
            None => {
                base.insert(key.clone(), without_remove_marks(value.clone()));
            }
        }
    }
}

fn merge_keyed(mut base: Vec<Value>, over: &[Value]) -> Vec<Value> {
    for item in over {
        let found = item_key(item).and_then(|(field, key)| {
            base.iter()
                .position(|b| item_key(b).is_some_and(|(f, k)| f == field && k == key))
        });
        match found {
            Some(i) if removes(item) => {
                base.remove(i);
            }
            Some(i) => {
                let existing = std::mem::take(&mut base[i]);
                base[i] = merge(existing, item);
            }
            None if removes(item) => {}
            None => base.push(without_remove_marks(item.clone())),
        }
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nodes_merge_by_id_and_lists_of_texts_are_replaced() {
        let parent = json!({"journey": {"title": "A", "conditions": ["x", "y"]},
            "nodes": [{"id": "a", "action": "hi", "tools": []}, {"id": "b", "action": "bye"}]});
        let child = json!({"journey": {"conditions": ["z"]},
            "nodes": [{"id": "a", "action": "hello"}, {"id": "b", "$remove": true}, {"id": "c", "action": "new"}]});
        let merged = merge(parent, &child);
        assert_eq!(
            merged["journey"],
            json!({"title": "A", "conditions": ["z"]})
        );
        assert_eq!(
            merged["nodes"],
            json!([{"id": "a", "action": "hello", "tools": []}, {"id": "c", "action": "new"}])
        );
    }

    #[test]
    fn members_can_be_removed() {
        let merged = merge(
            json!({"a": 1, "b": {"c": 2}}),
            &json!({"b": {"$remove": true}}),
        );
        assert_eq!(merged, json!({"a": 1}));
    }
}
