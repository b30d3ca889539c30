//! Pieces shared by screens.

pub mod field_error;
pub mod line_table;
pub mod money;
