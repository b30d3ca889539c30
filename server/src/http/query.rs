//! Reading query parameters. A parameter that breaks a rule is answered with 400, naming it.

use chrono::NaiveDate;
use remit_core::ids::CustomerId;
use remit_core::validation::{Rule, ValidationError};
use serde::Deserialize;

use super::AppError;

/// `?customer_id=`: narrows a list to one customer.
#[derive(Debug, Default, Deserialize)]
pub struct CustomerFilter {
    customer_id: Option<String>,
}

impl CustomerFilter {
    pub fn customer(&self) -> Result<Option<CustomerId>, AppError> {
        self.customer_id
            .as_deref()
            .map(|text| {
                CustomerId::parse(text).map_err(|e| AppError::InvalidQuery(e.within("customer_id")))
            })
            .transpose()
    }
}

/// A required `YYYY-MM-DD` parameter.
pub fn date(field: &str, text: Option<&str>) -> Result<NaiveDate, AppError> {
    let text = text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::InvalidQuery(ValidationError::new(field, Rule::Required)))?;
    text.parse()
        .map_err(|_| AppError::InvalidQuery(ValidationError::new(field, Rule::Date)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(e: AppError) -> String {
        match e {
            AppError::InvalidQuery(e) => e.field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_date_is_required_and_read_as_a_calendar_date() {
        assert_eq!(
            date("from", Some("2026-02-28")).unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
        assert_eq!(field_of(date("from", None).unwrap_err()), "from");
        assert_eq!(field_of(date("to", Some("2026-02-30")).unwrap_err()), "to");
        assert_eq!(field_of(date("on", Some(" ")).unwrap_err()), "on");
    }

    #[test]
    fn a_customer_filter_must_be_a_customer_id() {
        assert_eq!(CustomerFilter::default().customer().unwrap(), None);
        let filter = |text: &str| CustomerFilter {
            customer_id: Some(text.into()),
        };
        assert!(
            filter("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f")
                .customer()
                .unwrap()
                .is_some()
        );
        assert_eq!(
            field_of(filter("nobody").customer().unwrap_err()),
            "customer_id"
        );
    }
}
