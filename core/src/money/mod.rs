//! Money: an exact decimal amount at its currency's minor units.

mod currency;
mod rounding;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

pub use currency::Currency;
pub use rounding::Rounding;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::validation::{Rule, ValidationError};

/// An amount of money. The amount always has exactly the currency's minor units of decimals, so its text
/// form (`"12.30"`) is canonical: the same amount is the same string on screen, in IndexedDB and in the
/// database. Arithmetic is checked: overflow and mixed currencies are errors, never panics or silent
/// conversions. Serialized as `{"amount": "12.30", "currency": "EUR"}`: amounts are strings, never floats.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "MoneyWire")]
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

#[derive(Serialize)]
struct MoneyWire {
    amount: String,
    currency: Currency,
}

/// Read as `MoneyWire` is written, with the amount's text borrowed from the input where it can be: a
/// customer's position holds two amounts per open invoice, and every read of it decodes them all.
/// Like a derived `Deserialize`, it takes the fields in any order (or as a sequence) and ignores fields
/// it does not know.
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const FIELDS: &[&str] = &["amount", "currency"];
        deserializer.deserialize_struct("MoneyWire", FIELDS, MoneyVisitor)
    }
}

struct MoneyVisitor;

impl<'de> Visitor<'de> for MoneyVisitor {
    type Value = Money;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an amount and its currency")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Money, A::Error> {
        let mut amount: Option<Text<'de>> = None;
        let mut currency: Option<Currency> = None;
        while let Some(key) = map.next_key::<Text<'de>>()? {
            match key.0.as_ref() {
                "amount" if amount.is_some() => return Err(de::Error::duplicate_field("amount")),
                "amount" => amount = Some(map.next_value()?),
                "currency" if currency.is_some() => {
                    return Err(de::Error::duplicate_field("currency"));
                }
                "currency" => currency = Some(map.next_value()?),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let amount = amount.ok_or_else(|| de::Error::missing_field("amount"))?;
        let currency = currency.ok_or_else(|| de::Error::missing_field("currency"))?;
        Money::parse(&amount.0, currency).map_err(de::Error::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Money, A::Error> {
        let amount: Text<'de> = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let currency: Currency = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        Money::parse(&amount.0, currency).map_err(de::Error::custom)
    }
}

/// A string of the input: borrowed when the input lends it, copied when it cannot.
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(text)))
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text.to_owned())))
            }

            fn visit_string<E: de::Error>(self, text: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
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
    fn an_amount_reads_in_any_field_order_from_text_or_a_value_ignoring_unknown_fields() {
        let m = Money::parse("1234.5", eur()).unwrap();
        for text in [
            r#"{"amount": "1234.50", "currency": "EUR"}"#,
            r#"{"currency": "eur", "note": [1], "amount": "1234.5"}"#,
            r#"{"amount": "1234.5\u0030", "currency": "\u0045UR"}"#,
            r#"["1234.50", "EUR"]"#,
        ] {
            assert_eq!(serde_json::from_str::<Money>(text).unwrap(), m, "{text}");
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::from_value::<Money>(value).unwrap(), m, "{text}");
        }
        for text in [
            r#"{"amount": "1.00"}"#,
            r#"{"currency": "EUR"}"#,
            r#"{"amount": "1.00", "amount": "2.00", "currency": "EUR"}"#,
            r#"{"amount": "1.001", "currency": "EUR"}"#,
            r#"{"amount": "1.00", "currency": "EURO"}"#,
            r#"{"amount": 1, "currency": "EUR"}"#,
        ] {
            assert!(serde_json::from_str::<Money>(text).is_err(), "{text}");
        }
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
