//! Which fields Sim's editor shows for a block's current values: the field's `condition`, its
//! `mode` against the block's advanced toggle and trigger mode, and basic/advanced pairs
//! (`canonicalParamId`). Sim's rules, from `apps/sim/lib/workflows/subblocks/visibility.ts`
//! (`evaluateSubBlockCondition`, `buildCanonicalIndex`, `resolveCanonicalMode`,
//! `isSubBlockVisibleForMode`, `isSubBlockVisibleForTriggerMode`) and the panel's filter
//! (`use-editor-subblock-layout.ts`), v0.8.9.

use super::spec::{BlockSpec, FieldCondition, FieldLocation, FieldMode, FieldSpec};
use crate::sim::Block;
use serde_json::Value;
use std::collections::HashMap;

/// A block's values as Sim's conditions read them: a present sub-block reads as its value (`null`
/// when it has none); a field the block does not hold reads as `undefined` (`None`).
pub struct Values<'a> {
    sub_blocks: HashMap<&'a str, &'a Value>,
    data: HashMap<String, Value>,
    /// What Sim reads for a container setting the block does not hold yet (`for`, 5, ...).
    data_defaults: HashMap<String, Value>,
}

const NULL: Value = Value::Null;

impl<'a> Values<'a> {
    pub fn of(block: &'a Block) -> Values<'a> {
        let sub_blocks = block
            .sub_blocks
            .iter()
            .map(|(id, s)| (id.as_str(), s.value.get().unwrap_or(&NULL)))
            .collect();
        let data = block
            .data
            .get()
            .and_then(|d| serde_json::to_value(d).ok())
            .and_then(|v| match v {
                Value::Object(map) => Some(map.into_iter().collect()),
                _ => None,
            })
            .unwrap_or_default();
        let data_defaults = super::block_spec(&block.block_type)
            .map(|spec| {
                spec.fields
                    .iter()
                    .filter(|f| f.location == FieldLocation::Data)
                    .filter_map(|f| Some((f.id.clone(), f.default.clone()?)))
                    .collect()
            })
            .unwrap_or_default();
        Values {
            sub_blocks,
            data,
            data_defaults,
        }
    }

    /// A value as conditions read it: a container setting the block does not hold reads as
    /// Sim's default for it (`convertLoopBlockToLoop` and the subflow editor fall back to them).
    pub fn read(&self, location: FieldLocation, id: &str) -> Option<Value> {
        match (self.get(location, id), location) {
            (Some(v), _) => Some(v.clone()),
            (None, FieldLocation::Data) => self.data_defaults.get(id).cloned(),
            (None, _) => None,
        }
    }

    pub fn get(&self, location: FieldLocation, id: &str) -> Option<&Value> {
        match location {
            FieldLocation::SubBlock => self.sub_blocks.get(id).copied(),
            FieldLocation::Data => self.data.get(id),
            // Journey states are not Sim blocks.
            FieldLocation::Node => None,
        }
    }
}

/// JavaScript's `===` between a stored value and a condition's value: scalars by value, objects
/// and arrays never (they are different objects), `undefined` never.
fn strict_equal(actual: Option<&Value>, expected: &Value) -> bool {
    match (actual, expected) {
        (Some(Value::Null), Value::Null) => true,
        (Some(Value::Bool(a)), Value::Bool(b)) => a == b,
        (Some(Value::String(a)), Value::String(b)) => a == b,
        (Some(Value::Number(a)), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => false,
    }
}

/// `evaluateSubBlockCondition`.
pub fn condition_holds(condition: &FieldCondition, lookup: &dyn Fn(&str) -> Option<Value>) -> bool {
    let one = |c: &FieldCondition| {
        let actual = lookup(&c.field);
        match &c.value {
            Value::Array(options) => {
                // `fieldValue != null && (not ? !includes : includes)`
                let present = actual.as_ref().is_some_and(|v| !v.is_null());
                let included = options.iter().any(|o| strict_equal(actual.as_ref(), o));
                present && (included != c.not)
            }
            expected => strict_equal(actual.as_ref(), expected) != c.not,
        }
    };
    one(condition) && condition.and.as_deref().is_none_or(one)
}

/// Sim's `isNonEmptyValue`.
pub fn is_non_empty(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

/// A basic/advanced pair: fields sharing a `canonicalParamId`.
#[derive(Debug, Default)]
struct CanonicalGroup {
    basic: Option<String>,
    advanced: Vec<String>,
}

fn is_advanced(mode: Option<FieldMode>) -> bool {
    matches!(mode, Some(FieldMode::Advanced | FieldMode::TriggerAdvanced))
}

fn is_trigger_field(mode: Option<FieldMode>) -> bool {
    matches!(mode, Some(FieldMode::Trigger | FieldMode::TriggerAdvanced))
}

/// How Sim's editor decides what a block shows.
pub struct Visibility<'s> {
    spec: &'s BlockSpec,
    groups: HashMap<String, CanonicalGroup>,
    advanced_mode: bool,
    trigger_mode: bool,
    overrides: HashMap<String, String>,
}

impl<'s> Visibility<'s> {
    pub fn new(spec: &'s BlockSpec, block: &Block) -> Visibility<'s> {
        let trigger_mode = block.is_trigger_mode();
        let mut groups: HashMap<String, CanonicalGroup> = HashMap::new();
        // `buildCanonicalIndex`, over the trigger fields only in trigger mode.
        for f in spec
            .fields
            .iter()
            .filter(|f| f.legacy.is_none() && !f.mirror)
        {
            if trigger_mode && !is_trigger_field(f.mode) {
                continue;
            }
            let Some(canonical) = &f.canonical else {
                continue;
            };
            let group = groups.entry(canonical.clone()).or_default();
            if is_advanced(f.mode) {
                if !group.advanced.contains(&f.id) {
                    group.advanced.push(f.id.clone());
                }
            } else if group.basic.is_none() || f.mode != Some(FieldMode::Trigger) {
                group.basic = Some(f.id.clone());
            }
        }
        let overrides = block
            .data
            .get()
            .and_then(|d| d.canonical_modes.get())
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Visibility {
            spec,
            groups,
            advanced_mode: block.advanced_mode.get().copied().unwrap_or(false),
            trigger_mode,
            overrides,
        }
    }

    /// `resolveCanonicalMode`: an override wins, else the side holding a value.
    fn advanced_side(&self, canonical: &str, group: &CanonicalGroup, values: &Values) -> bool {
        match self.overrides.get(canonical).map(String::as_str) {
            Some("advanced") if !group.advanced.is_empty() => return true,
            Some("basic") if group.basic.is_some() => return false,
            _ => {}
        }
        let Some(basic) = &group.basic else {
            return true;
        };
        let has_basic = is_non_empty(values.get(FieldLocation::SubBlock, basic));
        let has_advanced = group
            .advanced
            .iter()
            .any(|id| is_non_empty(values.get(FieldLocation::SubBlock, id)));
        !has_basic && has_advanced
    }

    /// Whether Sim's editor shows this field for these values. Fields whose condition Sim
    /// computes at run time (`condition_dynamic`) count as shown; legacy and mirror fields never.
    pub fn shows(&self, field: &FieldSpec, values: &Values) -> bool {
        if field.hidden || field.tool_input_only || field.legacy.is_some() || field.mirror {
            return false;
        }
        // `isSubBlockVisibleForTriggerMode`
        if is_trigger_field(field.mode) != self.trigger_mode {
            return false;
        }
        // `isSubBlockVisibleForMode`
        let pair = field
            .canonical
            .as_ref()
            .and_then(|c| self.groups.get(c).map(|g| (c, g)));
        match pair {
            Some((canonical, group)) if group.basic.is_some() && !group.advanced.is_empty() => {
                let shown = if self.advanced_side(canonical, group, values) {
                    group.advanced.contains(&field.id)
                } else {
                    group.basic.as_deref() == Some(field.id.as_str())
                };
                if !shown {
                    return false;
                }
            }
            _ => {
                if field.mode == Some(FieldMode::Basic) && self.advanced_mode {
                    return false;
                }
                if is_advanced(field.mode) && !self.advanced_mode {
                    return false;
                }
            }
        }
        match (&field.condition, field.condition_dynamic) {
            (Some(condition), false) => {
                condition_holds(condition, &|id| values.read(field.location, id))
            }
            _ => true,
        }
    }

    /// Whether the field must hold a value now (`required`, or `required_when` holding).
    pub fn requires(&self, field: &FieldSpec, values: &Values) -> bool {
        field.required
            || match (&field.required_when, field.required_dynamic) {
                (Some(c), false) => condition_holds(c, &|id| values.read(field.location, id)),
                (Some(_), true) => true,
                (None, _) => false,
            }
    }

    pub fn spec(&self) -> &'s BlockSpec {
        self.spec
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cond(v: Value) -> FieldCondition {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn conditions_compare_like_javascript() {
        let values = |field: &str| match field {
            "op" => Some(json!("send")),
            "n" => Some(json!(1)),
            "nothing" => Some(Value::Null),
            _ => None,
        };
        assert!(condition_holds(
            &cond(json!({"field": "op", "value": "send"})),
            &values
        ));
        assert!(!condition_holds(
            &cond(json!({"field": "op", "value": "read"})),
            &values
        ));
        assert!(condition_holds(
            &cond(json!({"field": "op", "value": "read", "not": true})),
            &values
        ));
        assert!(condition_holds(
            &cond(json!({"field": "n", "value": 1.0})),
            &values
        ));
        assert!(condition_holds(
            &cond(json!({"field": "op", "value": ["read", "send"]})),
            &values
        ));
        // `fieldValue != null` comes first: a missing or null field matches no list, even negated.
        assert!(!condition_holds(
            &cond(json!({"field": "nothing", "value": ["a"], "not": true})),
            &values
        ));
        assert!(!condition_holds(
            &cond(json!({"field": "absent", "value": ["a"], "not": true})),
            &values
        ));
        // A scalar `not` against undefined holds (`undefined !== 'x'`).
        assert!(condition_holds(
            &cond(json!({"field": "absent", "value": "x", "not": true})),
            &values
        ));
        assert!(!condition_holds(
            &cond(json!({"field": "op", "value": "send", "and": {"field": "n", "value": 2}})),
            &values
        ));
    }
}
