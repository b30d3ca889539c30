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
    /// What the customer owes (an invoice), is credited (a credit note) or paid (a receipt).
    pub amount: Money,
    /// The invoice's (last) due date; the day a receipt's payment was received; `None` for a credit
    /// note.
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
        (MailedKind::Receipt, _) => "receipt",
        (MailedKind::PortalLink, _) => {
            return Err(RenderError::Catalogue(
                "a portal link's mail is worded by link_mail_text".into(),
            ));
        }
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

/// Which default wording a mail carrying a portal link gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkWording {
    /// A link just made for the customer: who sends it, what it shows, until when it works.
    NewLink,
    /// A fresh link to read the answer to a question the customer asked in the portal; `resolved`
    /// when the answer ends the question.
    Answer { resolved: bool },
}

/// What the default text of a mailed portal link says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkMailFacts<'a> {
    pub wording: LinkWording,
    /// The organisation's name, sending the link and signing the mail.
    pub seller: &'a str,
    /// The number of the invoice an invoice link shows; `None` for a statement link.
    pub invoice_number: Option<&'a str>,
    /// The last day the link opens.
    pub expires_on: NaiveDate,
    /// The link's full address.
    pub url: &'a str,
}

/// The subject and body a mailed portal link gets in `language` when the user wrote none: who sends
/// it, what it shows (the statement, or invoice N), until when it works, and its address on a line of
/// its own.
pub fn link_mail_text(language: Language, facts: &LinkMailFacts) -> Result<MailText, RenderError> {
    let l = Localizer::new(language)?;
    let seller: String = facts.seller.chars().filter(|c| !c.is_control()).collect();
    let date = l.date(facts.expires_on)?;
    let (subject_id, body_id) = match facts.wording {
        LinkWording::NewLink => ("link-mail-subject", "link-mail-body"),
        LinkWording::Answer { .. } => ("link-mail-answer-subject", "link-mail-answer-body"),
    };
    let resolved = match facts.wording {
        LinkWording::Answer { resolved: true } => "yes",
        _ => "no",
    };
    let scope = match facts.invoice_number {
        Some(_) => "invoice",
        None => "statement",
    };
    let args = [
        ("scope", Arg::Text(scope)),
        (
            "number",
            Arg::Text(facts.invoice_number.unwrap_or_default()),
        ),
        ("seller", Arg::Text(&seller)),
        ("date", Arg::Text(&date)),
        ("resolved", Arg::Text(resolved)),
    ];
    let subject = l.text(subject_id, &args)?;
    let body = [
        l.label("mail-greeting")?,
        l.text(body_id, &args)?,
        format!("{}\n{}", l.text("link-mail-open", &args)?, facts.url),
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

    fn link(invoice_number: Option<&'static str>) -> LinkMailFacts<'static> {
        LinkMailFacts {
            wording: LinkWording::NewLink,
            seller: "Nordlys AS",
            invoice_number,
            expires_on: NaiveDate::from_ymd_opt(2026, 12, 30).unwrap(),
            url: "https://remit.example/p/abc",
        }
    }

    #[test]
    fn a_mailed_link_says_who_sends_it_what_it_shows_and_until_when_in_the_customers_language() {
        let cases = [
            (
                Language::English,
                "Your account with Nordlys AS",
                "your statement",
                "Dec 30, 2026",
            ),
            (
                Language::German,
                "Ihr Konto bei Nordlys AS",
                "Kontoauszug",
                "30.12.2026",
            ),
            (
                Language::French,
                "Votre compte chez Nordlys AS",
                "relevé de compte",
                "30 déc. 2026",
            ),
            (
                Language::NorwegianBokmal,
                "Kontoen din hos Nordlys AS",
                "kontoutskriften",
                "30. des. 2026",
            ),
        ];
        for (language, subject, shows, date) in cases {
            let text = link_mail_text(language, &link(None)).unwrap();
            assert_eq!(text.subject, subject, "{language:?}");
            let body = plain(&text.body);
            for expected in [shows, date, "Nordlys AS", "\nhttps://remit.example/p/abc\n"] {
                assert!(
                    body.contains(expected),
                    "{language:?}: {expected} in {body}"
                );
            }
        }
    }

    #[test]
    fn an_invoice_link_names_its_invoice() {
        let text = link_mail_text(Language::English, &link(Some("INV-2026-000007"))).unwrap();
        assert_eq!(
            text.subject,
            "Invoice INV-2026-000007 from Nordlys AS: your link"
        );
        assert!(
            text.body.contains("a link to invoice INV-2026-000007"),
            "{}",
            text.body
        );
        assert!(
            mail_text(
                Language::English,
                &MailedFacts {
                    kind: MailedKind::PortalLink,
                    ..invoice()
                }
            )
            .is_err()
        );
    }

    #[test]
    fn an_answer_says_the_question_was_answered_or_resolved_and_gives_the_link() {
        let answered = LinkMailFacts {
            wording: LinkWording::Answer { resolved: false },
            ..link(Some("INV-2026-000007"))
        };
        let text = link_mail_text(Language::English, &answered).unwrap();
        assert_eq!(
            text.subject,
            "Your question about invoice INV-2026-000007: Nordlys AS answered"
        );
        assert!(
            text.body.contains(
                "Nordlys AS has answered your question about invoice INV-2026-000007. Read the answer"
            ),
            "{}",
            text.body
        );
        let resolved = LinkMailFacts {
            wording: LinkWording::Answer { resolved: true },
            ..link(None)
        };
        let text = link_mail_text(Language::German, &resolved).unwrap();
        assert_eq!(text.subject, "Ihre Frage an Nordlys AS: eine Antwort");
        assert!(
            text.body.contains("Nordlys AS hat Ihre Anfrage erledigt.")
                && text.body.contains("\nhttps://remit.example/p/abc\n"),
            "{}",
            text.body
        );
    }
}
