//! `lossless_struct!`: a typed struct that keeps every field it does not know.
//!
//! serde's `#[serde(flatten)]` would keep unknown fields too, but it buffers the whole object
//! first, which loses the JSON path and the line/column of type errors inside it. The visitor
//! generated here reads each field in place, so a wrong type deep in a block is reported at its
//! exact path and position; unknown fields go to `extra` and are written back after the known
//! ones. Optional fields are `Maybe<T>`, so absent and `null` survive a round trip.

#[macro_export]
macro_rules! lossless_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            required {
                $( $(#[$rdoc:meta])* $rkey:literal => $rfield:ident : $rty:ty ),* $(,)?
            }
            optional {
                $( $(#[$odoc:meta])* $okey:literal => $ofield:ident : $oty:ty ),* $(,)?
            }
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $( $(#[$rdoc])* pub $rfield: $rty, )*
            $( $(#[$odoc])* pub $ofield: $crate::json::Maybe<$oty>, )*
            /// Fields this version does not know, kept and written back unchanged.
            pub extra: ::indexmap::IndexMap<String, ::serde_json::Value>,
        }

        impl $name {
            /// The JSON keys this type reads itself (everything else lands in `extra`).
            #[allow(dead_code)]
            pub const KNOWN_KEYS: &'static [&'static str] = &[$($rkey,)* $($okey,)*];
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                #[allow(unused_mut)]
                let mut len = self.extra.len();
                $( let _ = $rkey; len += 1; )*
                $( if !self.$ofield.is_absent() { len += 1; } )*
                let mut map = serializer.serialize_map(Some(len))?;
                $( map.serialize_entry($rkey, &self.$rfield)?; )*
                $( if !self.$ofield.is_absent() { map.serialize_entry($okey, &self.$ofield)?; } )*
                for (key, value) in &self.extra {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct FieldVisitor;
                impl<'de> ::serde::de::Visitor<'de> for FieldVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter) -> ::std::fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        use ::serde::de::Error as _;
                        $( let mut $rfield: Option<$rty> = None; )*
                        $( let mut $ofield: $crate::json::Maybe<$oty> = $crate::json::Maybe::Absent; )*
                        let mut extra = ::indexmap::IndexMap::new();
                        while let Some(key) = map.next_key::<String>()? {
                            match key.as_str() {
                                $( $rkey => {
                                    if $rfield.is_some() {
                                        return Err(A::Error::duplicate_field($rkey));
                                    }
                                    $rfield = Some(map.next_value()?);
                                } )*
                                $( $okey => {
                                    if !$ofield.is_absent() {
                                        return Err(A::Error::duplicate_field($okey));
                                    }
                                    $ofield = map.next_value::<$crate::json::Maybe<$oty>>()?;
                                } )*
                                _ => {
                                    if extra.contains_key(&key) {
                                        return Err(A::Error::custom(format_args!("duplicate field `{key}`")));
                                    }
                                    let value: ::serde_json::Value = map.next_value()?;
                                    extra.insert(key, value);
                                }
                            }
                        }
                        $( let $rfield = $rfield.ok_or_else(|| A::Error::missing_field($rkey))?; )*
                        Ok($name { $($rfield,)* $($ofield,)* extra })
                    }
                }
                deserializer.deserialize_map(FieldVisitor)
            }
        }
    };
}
