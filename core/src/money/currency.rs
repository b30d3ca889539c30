//! ISO 4217 currencies and their minor units.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::validation::{Rule, ValidationError};

/// An ISO 4217 currency that Remit knows, with its number of minor units (decimals of an amount).
///
/// Only [`Currency::parse`] builds one, so a `Currency` always has a known number of minor units.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

/// Every active ISO 4217 code with its minor units (ISO 4217 list one, 2024 edition).
const ISO_4217: &[(&str, u8)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BOV", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHE", 2),
    ("CHF", 2),
    ("CHW", 2),
    ("CLF", 4),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("COU", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MXV", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("USN", 2),
    ("UYI", 0),
    ("UYU", 2),
    ("UYW", 4),
    ("UZS", 2),
    ("VED", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XCG", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

/// The smallest cash payment where the national practice rounds cash totals (the difference becomes
/// the document's rounding amount, BT-114). Currencies absent here are paid to the minor unit.
const CASH_INCREMENTS: &[(&str, i64, u32)] = &[
    ("AUD", 5, 2),
    ("CAD", 5, 2),
    ("CHF", 5, 2),
    ("CZK", 1, 0),
    ("DKK", 50, 2),
    ("HUF", 5, 0),
    ("NOK", 1, 0),
    ("NZD", 10, 2),
    ("SEK", 1, 0),
];

impl Currency {
    /// Parses an ISO 4217 alphabetic code (`"EUR"`); lower case is accepted and normalised.
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        let unknown = || ValidationError::new("currency", Rule::Currency);
        // Every stored amount carries its currency: no allocation on the way from text to a code.
        let [a, b, c]: [u8; 3] = code.trim().as_bytes().try_into().map_err(|_| unknown())?;
        let upper = [
            a.to_ascii_uppercase(),
            b.to_ascii_uppercase(),
            c.to_ascii_uppercase(),
        ];
        ISO_4217
            .binary_search_by(|(c, _)| c.as_bytes().cmp(&upper[..]))
            .map(|i| Currency {
                code: upper,
                minor_units: ISO_4217[i].1,
            })
            .map_err(|_| unknown())
    }

    pub fn code(&self) -> &str {
        // The bytes come from the ASCII table above.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Decimals of an amount in this currency: JPY 0, EUR 2, BHD 3.
    pub fn minor_units(&self) -> u32 {
        u32::from(self.minor_units)
    }

    /// The smallest amount (one minor unit): 0.01 for EUR, 1 for JPY, 0.001 for BHD.
    pub fn minor_unit(&self) -> Decimal {
        Decimal::new(1, self.minor_units())
    }

    /// The national cash-rounding increment, if cash totals in this currency are customarily rounded.
    pub fn cash_increment(&self) -> Option<Decimal> {
        CASH_INCREMENTS
            .iter()
            .find(|(c, _, _)| *c == self.code())
            .map(|&(_, mantissa, scale)| Decimal::new(mantissa, scale))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

impl TryFrom<String> for Currency {
    type Error = ValidationError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Currency::parse(&code)
    }
}

/// Read from the code's text as it lies in the input, without copying it into a `String` first.
impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Code;
        impl Visitor<'_> for Code {
            type Value = Currency;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an ISO 4217 currency code")
            }

            fn visit_str<E: de::Error>(self, code: &str) -> Result<Currency, E> {
                Currency::parse(code).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Code)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn the_table_is_sorted_so_lookups_find_every_code() {
        assert!(ISO_4217.windows(2).all(|w| w[0].0 < w[1].0));
        for (code, units) in ISO_4217 {
            assert_eq!(
                Currency::parse(code).unwrap().minor_units(),
                u32::from(*units)
            );
        }
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        for (code, units, unit) in [
            ("JPY", 0, dec!(1)),
            ("EUR", 2, dec!(0.01)),
            ("usd", 2, dec!(0.01)),
            ("BHD", 3, dec!(0.001)),
            ("KWD", 3, dec!(0.001)),
        ] {
            let c = Currency::parse(code).unwrap();
            assert_eq!(c.minor_units(), units, "{code}");
            assert_eq!(c.minor_unit(), unit, "{code}");
        }
    }

    #[test]
    fn unknown_codes_are_refused_naming_the_field() {
        let e = Currency::parse("EURO").unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("currency", Rule::Currency));
        assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
    }

    #[test]
    fn cash_increments_are_national_practice() {
        let inc = |c: &str| Currency::parse(c).unwrap().cash_increment();
        assert_eq!(inc("CHF"), Some(dec!(0.05)));
        assert_eq!(inc("SEK"), Some(dec!(1)));
        assert_eq!(inc("EUR"), None);
    }
}
