//! Reading the tagged and flattened shapes of the wire without serde's buffering.
//!
//! serde's derive reads an internally tagged enum (`#[serde(tag = "kind")]`), an adjacently tagged one
//! (`tag` and `content`: the content may come before the tag) and a struct with a `#[serde(flatten)]`
//! field by buffering its input in serde's private `Content` and deserializing every type inside a second
//! time, from that buffer. In the browser app that was a second decoder of every record type (Brotli
//! 24 KB of the wasm; BENCHMARKS.md, "First load").
//!
//! The types of those shapes that the app reads derive `Serialize` as before (what they write is
//! unchanged) and implement `Deserialize` with [`object`]: their JSON object is read once as a
//! [`serde_json::Map`], and its fields are taken out of it by name and decoded from `serde_json::Value`,
//! which the app already decodes command arguments from. The reading code is not generic over the
//! deserializer: it is compiled once whatever the input is read from. Like serde's derive, it accepts the
//! fields in any order (PostgreSQL's `jsonb` sorts them) and ignores fields it does not know.

use serde::de::{Deserialize, DeserializeOwned, Deserializer, Error as _};
use serde_json::{Error, Map, Value};

/// Reads a JSON object and builds a `T` from its fields with `read`.
pub(crate) fn object<'de, D, T>(
    deserializer: D,
    read: fn(&mut Fields) -> Result<T, Error>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let map = Map::deserialize(deserializer)?;
    read(&mut Fields(map)).map_err(D::Error::custom)
}

/// The fields of an object not taken yet.
#[derive(Debug)]
pub(crate) struct Fields(Map<String, Value>);

impl Fields {
    /// Decodes field `name`. A field that is absent reads as `null`, so an `Option` is `None`; any other
    /// type is a missing field.
    pub(crate) fn take<T: DeserializeOwned>(&mut self, name: &'static str) -> Result<T, Error> {
        match self.0.remove(name) {
            Some(value) => T::deserialize(value),
            None => T::deserialize(Value::Null).map_err(|_| Error::missing_field(name)),
        }
    }

    /// The tag field `name`: the variant's name.
    pub(crate) fn tag(&mut self, name: &'static str) -> Result<String, Error> {
        self.take(name)
    }

    /// The fields not taken yet, as an object of their own: a flattened field's.
    pub(crate) fn rest(&mut self) -> Fields {
        Fields(std::mem::take(&mut self.0))
    }

    /// Decodes the fields as one object.
    pub(crate) fn decode<T: DeserializeOwned>(self) -> Result<T, Error> {
        T::deserialize(Value::Object(self.0))
    }
}

/// The error for a tag naming no variant of `variants`.
pub(crate) fn unknown(tag: &str, variants: &'static [&'static str]) -> Error {
    Error::unknown_variant(tag, variants)
}
