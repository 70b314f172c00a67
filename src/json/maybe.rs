//! A field that can be absent, explicitly `null`, or set.
//!
//! Sim and Parlant documents are written back byte-for-meaning: a field the input left out must
//! stay out, and a field the input set to `null` must stay `null`. `Option<T>` cannot tell the two
//! apart, so every optional field of the models is a `Maybe<T>`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Maybe<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<T> Maybe<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Maybe::Absent)
    }

    /// The value when one is set (absent and `null` both read as "none").
    pub fn get(&self) -> Option<&T> {
        match self {
            Maybe::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self) -> Option<&mut T> {
        match self {
            Maybe::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, set by `make` first when absent or `null`.
    pub fn get_or_insert_with(&mut self, make: impl FnOnce() -> T) -> &mut T {
        if !matches!(self, Maybe::Value(_)) {
            *self = Maybe::Value(make());
        }
        match self {
            Maybe::Value(v) => v,
            _ => unreachable!("set just above"),
        }
    }

    pub fn get_or_insert_default(&mut self) -> &mut T
    where
        T: Default,
    {
        self.get_or_insert_with(T::default)
    }

    pub fn into_option(self) -> Option<T> {
        match self {
            Maybe::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> From<Option<T>> for Maybe<T> {
    fn from(value: Option<T>) -> Self {
        match value {
            Some(v) => Maybe::Value(v),
            None => Maybe::Absent,
        }
    }
}

impl<T: Serialize> Serialize for Maybe<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Maybe::Value(v) => v.serialize(serializer),
            // An absent field is skipped by the owning struct; serialised on its own it is null.
            Maybe::Absent | Maybe::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Maybe<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(v) => Maybe::Value(v),
            None => Maybe::Null,
        })
    }
}
