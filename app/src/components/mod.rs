//! Pieces every screen shares. Each has a one-line example in its documentation.
//!
//! - [`boundary::Loading`]: `Transition` + `ErrorBoundary` around what a screen reads.
//! - [`data_table::DataTable`]: clickable rows, sorting, paging.
//! - [`totals::TotalsTable`], [`lines::LinesTable`], [`line_table::LineTable`] (editable lines, each
//!   with its [`line_details::LineDetails`]), [`adjustment_table::AdjustmentTable`] (allowances and
//!   charges of a line or of the whole invoice), and [`item_picker::ItemPicker`] (a line's
//!   description, picking catalogue items as the user types).
//! - [`money`], [`date`]: every amount and date on screen, formatted in one place.
//! - [`field::Field`], [`field_error::FieldError`]: core's validation errors beside the field, or for the form.
//! - [`confirm::ConfirmButton`], [`empty::EmptyState`].

pub mod adjustment_table;
pub mod boundary;
pub mod confirm;
pub mod data_table;
pub mod date;
pub mod empty;
pub mod field;
pub mod field_error;
pub mod item_picker;
pub mod line_details;
pub mod line_table;
pub mod lines;
pub mod money;
pub mod totals;
