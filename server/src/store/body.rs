//! The one way a stored JSON body goes in and comes back: core's own serialization, and a body that does
//! not read back as what it was stored as is reported as corrupt, never skipped.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{StoreError, StoreResult};

/// The text stored for `value` (`what` names it in the error).
pub fn encode<T: Serialize>(value: &T, what: &'static str) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::corrupt(what, e))
}

/// `text` read back as `T`; a text that is not one is a corrupt `what`.
pub fn decode<T: DeserializeOwned>(text: &str, what: &'static str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(what, e))
}

/// The `body` column of `row` read back as `T`.
pub fn read<T: DeserializeOwned>(row: &AnyRow, what: &'static str) -> StoreResult<T> {
    decode(&row.try_get::<String, _>("body")?, what)
}
