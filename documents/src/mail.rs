//! The default subject and body of a mailed document, in the customer's language: from the same
//! catalogues (`mail-*` messages) and formatters as the PDF, so the amount and the date read as they do
//! on the document.

use chrono::NaiveDate;
use remit_core::mail::MailedKind;
use remit_core::money::Money;

use crate::locale::{Arg, Localizer};
use crate::{Language, RenderError};

/// A mail's subject and plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailText {
    pub subject: String,
    pub body: String,
}

/// What a mail says about the document it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailedFacts<'a> {
    pub kind: MailedKind,
    pub number: &'a str,
    /// The seller's name, signing the mail.
    pub seller: &'a str,
    /// What the customer owes (an invoice) or is credited (a credit note).
    pub amount: Money,
    /// The invoice's (last) due date; `None` for a credit note.
    pub due_date: Option<NaiveDate>,
}

/// The subject and body a mail of `facts` gets in `language` when the user wrote none. The subject is
/// one line: control characters of the seller's name are left out.
pub fn mail_text(language: Language, facts: &MailedFacts) -> Result<MailText, RenderError> {
    let l = Localizer::new(language)?;
    let seller: String = facts.seller.chars().filter(|c| !c.is_control()).collect();
    let amount = l.money(facts.amount)?;
    let date = facts.due_date.map(|d| l.date(d)).transpose()?;
    let kind = match (facts.kind, &date) {
        (MailedKind::CreditNote, _) => "credit-note",
        (MailedKind::Invoice, Some(_)) => "invoice-due",
        (MailedKind::Invoice, None) => "invoice",
    };
    let args = [
        ("kind", Arg::Text(kind)),
        ("number", Arg::Text(facts.number)),
        ("seller", Arg::Text(&seller)),
        ("amount", Arg::Text(&amount)),
        ("date", Arg::Text(date.as_deref().unwrap_or_default())),
    ];
    let subject = l.text("mail-subject", &args)?;
    let body = [
        l.label("mail-greeting")?,
        l.text("mail-body", &args)?,
        format!("{}\n{}", l.label("mail-closing")?, facts.seller),
    ]
    .join("\n\n");
    Ok(MailText { subject, body })
}

#[cfg(test)]
mod tests {
    use remit_core::money::Currency;
    use rust_decimal_macros::dec;

    use super::*;

    fn invoice() -> MailedFacts<'static> {
        MailedFacts {
            kind: MailedKind::Invoice,
            number: "INV-2026-000001",
            seller: "Nordlys AS",
            amount: Money::exact(dec!(1299.88), Currency::parse("EUR").unwrap()).unwrap(),
            due_date: NaiveDate::from_ymd_opt(2026, 12, 7),
        }
    }

    /// CLDR's separators use no-break spaces; compared here as plain ones.
    fn plain(text: &str) -> String {
        text.replace(['\u{a0}', '\u{202f}'], " ")
    }

    #[test]
    fn the_mail_is_in_the_customers_language_with_the_amount_and_date_formatted_by_locale() {
        let cases = [
            (
                Language::English,
                "Invoice INV-2026-000001 from Nordlys AS",
                "EUR 1,299.88",
                "Dec 7, 2026",
            ),
            (
                Language::German,
                "Rechnung INV-2026-000001 von Nordlys AS",
                "1.299,88 EUR",
                "07.12.2026",
            ),
            (
                Language::French,
                "Facture INV-2026-000001 de Nordlys AS",
                "1 299,88 EUR",
                "7 déc. 2026",
            ),
            (
                Language::NorwegianBokmal,
                "Faktura INV-2026-000001 fra Nordlys AS",
                "1 299,88 EUR",
                "7. des. 2026",
            ),
        ];
        for (language, subject, amount, date) in cases {
            let text = mail_text(language, &invoice()).unwrap();
            assert_eq!(text.subject, subject, "{language:?}");
            let body = plain(&text.body);
            assert!(body.contains(amount), "{language:?}: {body}");
            assert!(body.contains(date), "{language:?}: {body}");
            assert!(body.ends_with("\nNordlys AS"), "{language:?}: {body}");
        }
    }

    #[test]
    fn a_credit_note_is_named_as_one_and_has_no_due_date() {
        let credit_note = MailedFacts {
            kind: MailedKind::CreditNote,
            number: "CN-2026-000001",
            due_date: None,
            ..invoice()
        };
        let text = mail_text(Language::German, &credit_note).unwrap();
        assert_eq!(text.subject, "Gutschrift CN-2026-000001 von Nordlys AS");
        assert!(
            plain(&text.body).contains("Gutschrift CN-2026-000001 über 1.299,88 EUR."),
            "{}",
            text.body
        );
    }

    #[test]
    fn the_subject_is_one_line_whatever_the_sellers_name_holds() {
        let facts = MailedFacts {
            seller: "Nordlys AS\r\nBcc: all@example.org",
            ..invoice()
        };
        let text = mail_text(Language::English, &facts).unwrap();
        assert!(!text.subject.chars().any(char::is_control), "{text:?}");
    }
}
