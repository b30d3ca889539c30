//! What both syntax readers share: namespaces, XSD decimals and dates, codes, and the assumptions a
//! reader makes when a document leaves a value out.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::ParseError;
use super::xml::Element;
use crate::document::en16931::{DocumentKind, VatClass};
use crate::money::Currency;
use crate::tax::{TaxCategory, TaxRate};

pub const VEFA: &str = "http://difi.no/xsd/vefa/validator/1.0";

/// Amounts are computed in this currency when a document states none at all (a rule test fragment):
/// two minor units, as the EN 16931 rules round.
const STAND_IN_CURRENCY: &str = "EUR";

/// Invoice type codes (UNCL1001) EN 16931 treats as credit notes; every other code it allows is an
/// invoice (commercial, corrected, prepayment, self-billed …).
const CREDIT_NOTE_CODES: &[&str] = &[
    "81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532",
];
const INVOICE_CODES: &[&str] = &[
    "71", "80", "82", "84", "102", "130", "202", "203", "204", "211", "218", "219", "295", "325",
    "326", "331", "380", "382", "383", "384", "385", "386", "387", "388", "389", "390", "393",
    "394", "395", "456", "457", "527", "551", "553", "575", "623", "633", "751", "780", "817",
    "870", "875", "876", "877", "935",
];

fn invalid(term: &'static str, element: &str, value: &str, expected: &'static str) -> ParseError {
    ParseError::Invalid {
        term,
        element: element.to_owned(),
        value: value.to_owned(),
        expected,
    }
}

/// An `xs:decimal`: optional sign, digits with an optional point (`100.`, `.50` and `00` included),
/// no exponent. More precision than 28 digits is an error, never a silent rounding.
pub fn decimal(text: &str, term: &'static str, element: &str) -> Result<Decimal, ParseError> {
    let err = || invalid(term, element, text, "a decimal number");
    let (sign, digits) = match text.as_bytes().first() {
        Some(b'+') => ("", &text[1..]),
        Some(b'-') => ("-", &text[1..]),
        _ => ("", text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return Err(err());
    }
    let int = if int.is_empty() { "0" } else { int };
    let canonical = if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    };
    Decimal::from_str_exact(&canonical).map_err(|_| err())
}

/// The decimal in an element, when the element is there.
pub fn opt_decimal(
    el: Option<&Element>,
    term: &'static str,
    element: &str,
) -> Result<Option<Decimal>, ParseError> {
    el.map(|e| decimal(e.text(), term, element)).transpose()
}

/// A date written `YYYY-MM-DD` (UBL) or, with `compact`, `YYYYMMDD` (CII format 102).
pub fn date(
    text: &str,
    compact: bool,
    term: &'static str,
    element: &str,
) -> Result<NaiveDate, ParseError> {
    let format = if compact { "%Y%m%d" } else { "%Y-%m-%d" };
    NaiveDate::parse_from_str(text, format).map_err(|_| {
        invalid(
            term,
            element,
            text,
            if compact {
                "a date YYYYMMDD"
            } else {
                "a date YYYY-MM-DD"
            },
        )
    })
}

pub fn currency(text: &str, term: &'static str, element: &str) -> Result<Currency, ParseError> {
    Currency::parse(text).map_err(|_| invalid(term, element, text, "an ISO 4217 currency code"))
}

/// Non-empty trimmed text, owned.
pub fn text(el: Option<&Element>) -> Option<String> {
    el.map(Element::text)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The kind a type code (BT-3) names; `fallback` when the document states none.
pub fn kind(code: Option<&str>, fallback: DocumentKind) -> Result<DocumentKind, ParseError> {
    match code {
        None => Ok(fallback),
        Some(c) if CREDIT_NOTE_CODES.contains(&c) => Ok(DocumentKind::CreditNote),
        Some(c) if INVOICE_CODES.contains(&c) => Ok(DocumentKind::Invoice),
        Some(c) => Err(invalid(
            "BT-3",
            "type code",
            c,
            "a UNCL1001 invoice or credit note code EN 16931 allows",
        )),
    }
}

/// The type code written for a kind when the header states none.
pub fn default_type_code(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Invoice => "380",
        DocumentKind::CreditNote => "381",
    }
}

/// The currency amounts are computed in: BT-5, else the first `currencyID` in the document, else the
/// stand-in (noted as an assumption).
pub fn document_currency(
    stated: Option<Currency>,
    root: &Element,
    assumptions: &mut Vec<String>,
) -> Result<Currency, ParseError> {
    if let Some(c) = stated {
        return Ok(c);
    }
    if let Some(code) = root.find_attr("currencyID") {
        let c = currency(code, "BT-5", "@currencyID")?;
        assumptions.push(format!(
            "no invoice currency (BT-5) stated; amounts computed in {c}, the currency of its amounts"
        ));
        return Ok(c);
    }
    assumptions.push(format!(
        "no currency stated at all; amounts computed at two decimals (as {STAND_IN_CURRENCY})"
    ));
    currency(STAND_IN_CURRENCY, "BT-5", "stand-in")
}

/// A VAT rate (BT-96, BT-103, BT-119, BT-152) between 0 and 100.
pub fn rate(text: &str, term: &'static str, element: &str) -> Result<TaxRate, ParseError> {
    let percent = decimal(text, term, element)?;
    TaxRate::new(percent).map_err(|_| {
        invalid(
            term,
            element,
            text,
            "a percentage from 0 to 100 with at most 4 decimals",
        )
    })
}

/// A category code EN 16931 allows (UNCL5305 subset), or `None`.
pub fn category(code: Option<&str>) -> Option<TaxCategory> {
    code.and_then(|c| TaxCategory::parse(c).ok())
}

/// The VAT of a line. A line always has one in core's model: a line without a category EN 16931 allows
/// is computed outside the scope of VAT (O, no rate, no tax) — never in a category it did not state —
/// and the assumption is noted.
pub fn line_vat(
    code: Option<&str>,
    rate: Option<TaxRate>,
    label: &str,
    assumptions: &mut Vec<String>,
) -> VatClass {
    match category(code) {
        Some(category) => VatClass { category, rate },
        None => {
            let what = match code {
                Some(c) => format!("VAT category {c:?} is not one EN 16931 allows"),
                None => "no VAT category (BT-151) stated".to_owned(),
            };
            assumptions.push(format!(
                "{label}: {what}; computed outside the scope of VAT (O, no rate)"
            ));
            VatClass {
                category: TaxCategory::O,
                rate: None,
            }
        }
    }
}

/// The VAT of a document-level allowance or charge; `None` (which core refuses to total) when no
/// category EN 16931 allows is stated.
pub fn allowance_vat(
    code: Option<&str>,
    rate: Option<TaxRate>,
    label: &str,
    assumptions: &mut Vec<String>,
) -> Option<VatClass> {
    let category = category(code);
    if category.is_none() {
        assumptions.push(format!(
            "{label}: no VAT category EN 16931 allows (BT-95/BT-102); VAT totals cannot be computed"
        ));
    }
    category.map(|category| VatClass { category, rate })
}

/// The charge indicator (`true` charge, `false` allowance); a missing or unreadable one is read as an
/// allowance and noted.
pub fn is_charge(indicator: Option<&str>, label: &str, assumptions: &mut Vec<String>) -> bool {
    match indicator {
        Some("true") | Some("1") => true,
        Some("false") | Some("0") => false,
        other => {
            assumptions.push(format!(
                "{label}: charge indicator {other:?} is neither true nor false; read as an allowance"
            ));
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn xsd_decimals_include_the_forms_real_invoices_use() {
        for (text, value) in [
            ("100.", "100"),
            (".00", "0"),
            ("00", "0"),
            ("+5", "5"),
            ("-0.5", "-0.5"),
        ] {
            assert_eq!(
                decimal(text, "BT-0", "x").unwrap(),
                Decimal::from_str(value).unwrap(),
                "{text}"
            );
        }
        for bad in [
            "",
            ".",
            "1e5",
            "1,5",
            "12a",
            "--1",
            "99999999999999999999999999999999",
        ] {
            assert!(
                matches!(
                    decimal(bad, "BT-129", "q"),
                    Err(ParseError::Invalid { term: "BT-129", .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_type_code_decides_the_kind() {
        assert_eq!(
            kind(Some("381"), DocumentKind::Invoice).unwrap(),
            DocumentKind::CreditNote
        );
        assert_eq!(
            kind(Some("384"), DocumentKind::CreditNote).unwrap(),
            DocumentKind::Invoice
        );
        assert_eq!(
            kind(None, DocumentKind::CreditNote).unwrap(),
            DocumentKind::CreditNote
        );
        assert!(kind(Some("999"), DocumentKind::Invoice).is_err());
    }

    #[test]
    fn dates_follow_each_syntax() {
        let d = NaiveDate::from_ymd_opt(2013, 4, 10).unwrap();
        assert_eq!(date("2013-04-10", false, "BT-2", "x").unwrap(), d);
        assert_eq!(date("20130410", true, "BT-2", "x").unwrap(), d);
        assert!(date("2013-02-30", false, "BT-2", "x").is_err());
    }
}
