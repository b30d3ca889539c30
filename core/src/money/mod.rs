//! Money: an exact decimal amount at its currency's minor units.

mod currency;
mod rounding;

use std::fmt;
use std::str::FromStr;

pub use currency::Currency;
pub use rounding::Rounding;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::validation::{Rule, ValidationError};

/// An amount of money. The amount always has exactly the currency's minor units of decimals, so its text
/// form (`"12.30"`) is canonical: the same amount is the same string on screen, in IndexedDB and in the
/// database. Arithmetic is checked: overflow and mixed currencies are errors, never panics or silent
/// conversions. Serialized as `{"amount": "12.30", "currency": "EUR"}`: amounts are strings, never floats.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MoneyWire", into = "MoneyWire")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    pub fn zero(currency: Currency) -> Self {
        Self::rounded(Decimal::ZERO, currency, Rounding::HalfAwayFromZero)
    }

    /// An amount that is already exact in the currency; more decimals than its minor units is an error
    /// (an amount is never rounded by accident — use [`Money::rounded`] to round on purpose).
    pub fn exact(amount: Decimal, currency: Currency) -> Result<Self, ValidationError> {
        let mut normalized = amount.normalize();
        if normalized.scale() > currency.minor_units() {
            return Err(ValidationError::new(
                "amount",
                Rule::MinorUnits {
                    currency: currency.code().to_owned(),
                    minor_units: currency.minor_units(),
                },
            ));
        }
        normalized.rescale(currency.minor_units());
        Ok(Self {
            amount: normalized,
            currency,
        })
    }

    /// Rounds any decimal to the currency's minor units with the named rounding.
    pub fn rounded(amount: Decimal, currency: Currency, rounding: Rounding) -> Self {
        Self {
            amount: rounding.round(amount, currency.minor_units()),
            currency,
        }
    }

    /// Parses an amount typed or stored as text (`"1234.50"`) in a currency.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, ValidationError> {
        let amount = Decimal::from_str(text.trim())
            .map_err(|_| ValidationError::new("amount", Rule::Decimal))?;
        Self::exact(amount, currency)
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    pub fn checked_add(self, other: Money) -> Result<Money, ValidationError> {
        self.same_currency(other)?;
        self.amount
            .checked_add(other.amount)
            .map(|amount| Money { amount, ..self })
            .ok_or_else(|| ValidationError::new("amount", Rule::Overflow))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, ValidationError> {
        self.same_currency(other)?;
        self.amount
            .checked_sub(other.amount)
            .map(|amount| Money { amount, ..self })
            .ok_or_else(|| ValidationError::new("amount", Rule::Overflow))
    }

    /// Sums amounts that must all be in `currency`.
    pub fn sum<I: IntoIterator<Item = Money>>(
        currency: Currency,
        items: I,
    ) -> Result<Money, ValidationError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    fn same_currency(self, other: Money) -> Result<(), ValidationError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(ValidationError::new(
                "currency",
                Rule::Matches {
                    expected: self.currency.code().to_owned(),
                },
            ))
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({} {})", self.amount, self.currency)
    }
}

#[derive(Serialize, Deserialize)]
struct MoneyWire {
    amount: String,
    currency: Currency,
}

impl TryFrom<MoneyWire> for Money {
    type Error = ValidationError;

    fn try_from(wire: MoneyWire) -> Result<Self, Self::Error> {
        Money::parse(&wire.amount, wire.currency)
    }
}

impl From<Money> for MoneyWire {
    fn from(m: Money) -> Self {
        MoneyWire {
            amount: m.amount.to_string(),
            currency: m.currency,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn amounts_carry_exactly_the_minor_units_of_their_currency() {
        assert_eq!(
            Money::parse("12.3", eur()).unwrap().amount().to_string(),
            "12.30"
        );
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(
            Money::parse("1200", jpy).unwrap().amount().to_string(),
            "1200"
        );
        let bhd = Currency::parse("BHD").unwrap();
        assert_eq!(
            Money::parse("1.5", bhd).unwrap().amount().to_string(),
            "1.500"
        );
    }

    #[test]
    fn an_amount_with_too_many_decimals_is_refused_not_rounded() {
        let e = Money::parse("0.125", eur()).unwrap_err();
        assert_eq!(
            e.rule,
            Rule::MinorUnits {
                currency: "EUR".into(),
                minor_units: 2
            }
        );
        assert!(Money::parse("1.5", Currency::parse("JPY").unwrap()).is_err());
        // Trailing zeros beyond the minor units are not extra precision.
        assert!(Money::parse("1.500", eur()).is_ok());
    }

    #[test]
    fn mixing_currencies_is_an_error() {
        let usd = Money::parse("1", Currency::parse("USD").unwrap()).unwrap();
        let eur = Money::parse("1", eur()).unwrap();
        assert_eq!(eur.checked_add(usd).unwrap_err().field, "currency");
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let big = Money::exact(
            (Decimal::MAX / dec!(10)).trunc(),
            Currency::parse("JPY").unwrap(),
        )
        .unwrap();
        let mut total = Ok(big);
        for _ in 0..20 {
            total = total.and_then(|t: Money| t.checked_add(big));
        }
        assert_eq!(total.unwrap_err().rule, Rule::Overflow);
    }

    #[test]
    fn money_serializes_as_strings() {
        let m = Money::parse("1234.5", eur()).unwrap();
        let json = serde_json::to_value(m).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"amount": "1234.50", "currency": "EUR"})
        );
        assert_eq!(serde_json::from_value::<Money>(json).unwrap(), m);
        assert!(
            serde_json::from_value::<Money>(
                serde_json::json!({"amount": "1.001", "currency": "EUR"})
            )
            .is_err()
        );
    }
}
