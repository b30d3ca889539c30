//! Issuing freezes a document. Core produces a canonical snapshot — parties, lines, rates, rounding
//! policy, terms, totals and the core version that computed them — and its SHA-256. The PDF, the portal
//! and the e-invoice all render from the snapshot, so they cannot disagree, and the digest proves later
//! that nothing changed. Corrections are credit notes (full, partial, by line) referencing the invoice.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use super::en16931::{self, Document, DocumentKind, LineNetBasis, Totals};
use super::parts::Delivery;
use super::{AccountingRate, InvoiceDraft};
use crate::bank::BankAccount;
use crate::money::{Currency, Money};
use crate::numbering::InvoiceNumber;
use crate::numbering::creditor_reference::CreditorReference;
use crate::settings::Settings;
use crate::terms::{PaymentPlan, ScheduledPayment};
use crate::validation::{Rule, ValidationError, optional_text, required_text};
use crate::wire::{self, Fields};

/// The version of the rules that computed a snapshot.
pub const CORE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A postal address (BG-5 / BG-8).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Address {
    pub lines: Vec<String>,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// Seller or buyer as printed on the document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    /// VAT identifier (BT-31 / BT-48), empty when the party has none.
    pub tax_id: String,
    /// Legal registration identifier (BT-30 / BT-47), such as an organisation number; empty when not
    /// given. A seller outside the scope of VAT (category O) is identified by it (BR-CO-26, BR-O-02).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub legal_id: String,
    pub address: Address,
}

impl Party {
    pub fn validate(&self) -> Result<(), ValidationError> {
        required_text("name", &self.name, 200)?;
        optional_text("tax_id", &self.tax_id, 40)?;
        optional_text("legal_id", &self.legal_id, 40)?;
        if !crate::codes::is_country(&self.address.country) {
            return Err(ValidationError::new(
                "address.country",
                Rule::Format {
                    detail: "an ISO 3166-1 alpha-2 code such as NO".into(),
                },
            ));
        }
        Ok(())
    }
}

/// An issued invoice or credit note, frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub kind: DocumentKind,
    pub number: InvoiceNumber,
    pub issue_date: NaiveDate,
    pub seller: Party,
    pub buyer: Party,
    pub document: Document,
    pub plan: PaymentPlan,
    pub schedule: Vec<ScheduledPayment>,
    pub totals: Totals,
    /// BT-25: the invoice a credit note corrects.
    pub preceding_invoice: Option<InvoiceNumber>,
    pub note: String,
    pub core_version: String,
    /// What an invoice states for the buyer's records and for payment; a credit note keeps the buyer's
    /// references and the delivery of its invoice. Empty on documents issued before it was captured.
    #[serde(default, skip_serializing_if = "References::is_empty")]
    pub references: References,
}

/// The references and payment details frozen with an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct References {
    /// The ISO 11649 creditor reference of the invoice number (BT-83), for the bank reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_reference: Option<CreditorReference>,
    /// BT-10.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub buyer_reference: String,
    /// BT-13.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub purchase_order: String,
    /// BT-72 / BG-14.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// BG-17.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<BankAccount>,
    /// BT-81.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub payment_means_code: String,
    /// BT-6 and BT-111, when the invoice's currency is not the accounting currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounting: Option<AccountingVat>,
    /// BT-26: on a credit note, the issue date of the invoice it corrects (BT-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preceding_issue_date: Option<NaiveDate>,
}

impl References {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The VAT total in the accounting currency (BT-111), at the rate the user confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountingVat {
    /// BT-6.
    pub currency: Currency,
    pub rate: AccountingRate,
    /// BT-111: BT-110 × rate, rounded half away from zero to the accounting currency.
    pub tax_total: Money,
}

/// What the seller's settings add to an invoice at issue.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Payee {
    pub bank_account: Option<BankAccount>,
    pub payment_means_code: String,
    pub accounting_currency: Option<Currency>,
}

impl Payee {
    pub fn of(settings: &Settings) -> Self {
        Self {
            bank_account: settings.bank_account.clone(),
            payment_means_code: settings.payment_means_code.clone(),
            accounting_currency: settings.accounting_currency,
        }
    }

    /// The VAT total in the accounting currency, when the document is in another one; refused without
    /// a confirmed rate.
    fn accounting(
        &self,
        draft: &InvoiceDraft,
        tax_total: Money,
    ) -> Result<Option<AccountingVat>, ValidationError> {
        let Some(currency) = AccountingRate::needed_for(draft.currency, self.accounting_currency)
        else {
            return Ok(None);
        };
        let rate = draft.accounting_rate.ok_or_else(|| {
            ValidationError::new(
                "accounting_rate",
                Rule::Matches {
                    expected: format!(
                        "a confirmed rate from {} to {currency}, the accounting currency",
                        draft.currency
                    ),
                },
            )
        })?;
        AccountingVat::at(currency, rate, tax_total).map(Some)
    }
}

impl AccountingVat {
    /// BT-111 of a document whose VAT total is `tax_total`, converted at `rate` into `currency`.
    fn at(
        currency: Currency,
        rate: AccountingRate,
        tax_total: Money,
    ) -> Result<Self, ValidationError> {
        let amount = tax_total
            .amount()
            .checked_mul(rate.rate)
            .ok_or_else(|| ValidationError::new("accounting_rate.rate", Rule::Overflow))?;
        Ok(Self {
            currency,
            rate,
            tax_total: Money::rounded(amount, currency, en16931::DOCUMENT_ROUNDING),
        })
    }
}

/// What a credit note corrects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "lines", rename_all = "snake_case")]
pub enum CreditScope {
    /// Everything not yet credited.
    Full,
    /// These quantities of these lines (by index on the invoice).
    Lines(Vec<(usize, Decimal)>),
}

impl<'de> Deserialize<'de> for CreditScope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::object(deserializer, Self::read)
    }
}

impl CreditScope {
    const VARIANTS: &[&str] = &["full", "lines"];

    fn read(fields: &mut Fields) -> Result<Self, serde_json::Error> {
        let kind = fields.tag("kind")?;
        Ok(match kind.as_str() {
            "full" => {
                fields.take::<()>("lines")?;
                Self::Full
            }
            "lines" => Self::Lines(fields.take("lines")?),
            _ => return Err(wire::unknown(&kind, Self::VARIANTS)),
        })
    }
}

impl Snapshot {
    /// Issues a draft under `number`, without payment details (see [`Snapshot::issue_for`]).
    pub fn issue(
        draft: &InvoiceDraft,
        number: InvoiceNumber,
        seller: Party,
        buyer: Party,
        plan: PaymentPlan,
    ) -> Result<Self, ValidationError> {
        Self::issue_for(draft, number, seller, buyer, plan, &Payee::default())
    }

    /// Issues a draft under `number` for `payee`. VAT-inclusive prices are converted to net prices
    /// first ([`super::inclusive::to_net_prices`]): a snapshot always states net prices. The payment
    /// reference, the buyer's references, the delivery, the bank account and the VAT total in the
    /// accounting currency are frozen with it.
    pub fn issue_for(
        draft: &InvoiceDraft,
        number: InvoiceNumber,
        seller: Party,
        buyer: Party,
        plan: PaymentPlan,
        payee: &Payee,
    ) -> Result<Self, ValidationError> {
        draft.validate()?;
        draft.check_complete()?;
        let draft = &super::inclusive::to_net_prices(draft)?;
        let mut snapshot = Self::freeze(
            DocumentKind::Invoice,
            number,
            draft.issue_date,
            seller,
            buyer,
            draft.to_document(),
            plan,
            None,
            draft.note.clone(),
        )?;
        snapshot.references = References {
            payment_reference: Some(CreditorReference::for_invoice(&snapshot.number)),
            buyer_reference: draft.buyer_reference.clone(),
            purchase_order: draft.purchase_order.clone(),
            delivery: draft.delivery,
            bank_account: payee.bank_account.clone(),
            payment_means_code: payee.payment_means_code.clone(),
            accounting: payee.accounting(draft, snapshot.totals.tax_total)?,
            preceding_issue_date: None,
        };
        Ok(snapshot)
    }

    #[allow(clippy::too_many_arguments)]
    fn freeze(
        kind: DocumentKind,
        number: InvoiceNumber,
        issue_date: NaiveDate,
        seller: Party,
        buyer: Party,
        mut document: Document,
        plan: PaymentPlan,
        preceding_invoice: Option<InvoiceNumber>,
        note: String,
    ) -> Result<Self, ValidationError> {
        seller.validate().map_err(|e| e.within("seller"))?;
        buyer.validate().map_err(|e| e.within("buyer"))?;
        document.kind = kind;
        let totals = en16931::compute(&document, LineNetBasis::Computed)?;
        let schedule = plan
            .schedule(issue_date, totals.amount_due)
            .map_err(|e| e.within("plan"))?;
        Ok(Self {
            kind,
            number,
            issue_date,
            seller,
            buyer,
            document,
            plan,
            schedule,
            totals,
            preceding_invoice,
            note,
            core_version: CORE_VERSION.to_owned(),
            references: References::default(),
        })
    }

    /// The canonical text of the snapshot: JSON with fields in declaration order and amounts as strings,
    /// so the same document always serializes to the same bytes.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// SHA-256 of the canonical text, lower-case hex.
    pub fn digest(&self) -> String {
        Sha256::digest(self.canonical_json().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The quantity of each line (in the invoice's order) not yet credited by `earlier`: what a credit
    /// note may still take of it. Credit notes of other invoices in `earlier` count for nothing.
    pub fn creditable(&self, earlier: &[Snapshot]) -> Vec<Decimal> {
        let credited = earlier
            .iter()
            .filter(|c| c.preceding_invoice.as_ref() == Some(&self.number))
            .flat_map(|c| c.document.lines.iter());
        self.document
            .lines
            .iter()
            .map(|line| {
                credited
                    .clone()
                    .filter(|l| l.id == line.id)
                    .fold(line.quantity, |left, l| left - l.quantity)
            })
            .collect()
    }

    /// A credit note correcting this invoice, given the credit notes already issued against it: never
    /// more of a line than was invoiced and not yet credited.
    pub fn credit_note(
        &self,
        earlier: &[Snapshot],
        number: InvoiceNumber,
        issue_date: NaiveDate,
        scope: &CreditScope,
    ) -> Result<Snapshot, ValidationError> {
        if self.kind != DocumentKind::Invoice {
            return Err(ValidationError::new(
                "invoice",
                Rule::Matches {
                    expected: "an invoice".into(),
                },
            ));
        }
        let creditable = self.creditable(earlier);
        let remaining = |index: usize| creditable[index];
        let wanted: Vec<(usize, Decimal)> = match scope {
            CreditScope::Full => (0..self.document.lines.len())
                .map(|i| (i, remaining(i)))
                .collect(),
            CreditScope::Lines(lines) => lines.clone(),
        };
        let mut document = self.document.clone();
        document.lines.clear();
        for (n, &(index, quantity)) in wanted.iter().enumerate() {
            let field = format!("lines[{n}]");
            let line = self
                .document
                .lines
                .get(index)
                .ok_or_else(|| ValidationError::new(format!("{field}.line"), Rule::Required))?;
            let left = remaining(index);
            if quantity.is_zero() && matches!(scope, CreditScope::Full) {
                continue;
            }
            let same_direction = quantity.is_sign_negative() == line.quantity.is_sign_negative();
            if quantity.is_zero() || !same_direction || quantity.abs() > left.abs() {
                return Err(ValidationError::new(
                    format!("{field}.quantity"),
                    Rule::Range {
                        min: "0".into(),
                        max: left.to_string(),
                    },
                ));
            }
            let mut credited = line.clone();
            credited.quantity = quantity;
            credited.stated_net = None;
            document.lines.push(credited);
        }
        if document.lines.is_empty() {
            return Err(ValidationError::new(
                "lines",
                Rule::Matches {
                    expected: "something not yet credited".into(),
                },
            ));
        }
        if !matches!(scope, CreditScope::Full) {
            // Document-level allowances and charges belong to the whole invoice; a partial credit
            // corrects lines only.
            document.allowances.clear();
            document.charges.clear();
        }
        document.prepaid = Decimal::ZERO;
        let mut credit_note = Self::freeze(
            DocumentKind::CreditNote,
            number,
            issue_date,
            self.seller.clone(),
            self.buyer.clone(),
            document,
            PaymentPlan::single(crate::terms::PaymentTerms::DueOnReceipt),
            Some(self.number.clone()),
            String::new(),
        )?;
        // The buyer's references, the delivery and the payment details are those of the invoice the
        // credit note corrects; its VAT in the accounting currency is at the invoice's rate. It has no
        // payment reference of its own: nothing is paid against it.
        let r = &self.references;
        let accounting = r
            .accounting
            .as_ref()
            .map(|a| AccountingVat::at(a.currency, a.rate, credit_note.totals.tax_total))
            .transpose()?;
        credit_note.references = References {
            payment_reference: None,
            buyer_reference: r.buyer_reference.clone(),
            purchase_order: r.purchase_order.clone(),
            delivery: r.delivery,
            bank_account: r.bank_account.clone(),
            payment_means_code: r.payment_means_code.clone(),
            accounting,
            preceding_issue_date: Some(self.issue_date),
        };
        Ok(credit_note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn draft() -> InvoiceDraft {
        fixtures::draft(
            "NOK",
            vec![
                fixtures::line("Net repair", dec!(4), dec!(250), dec!(25)),
                fixtures::line("Rope", dec!(10), dec!(3.99), dec!(25)),
            ],
        )
    }
    use crate::terms::PaymentTerms;
    use rust_decimal_macros::dec;

    fn party(name: &str) -> Party {
        Party {
            name: name.into(),
            tax_id: "NO999999999MVA".into(),
            legal_id: String::new(),
            address: Address {
                lines: vec!["Strandgata 1".into()],
                postcode: "5013".into(),
                city: "Bergen".into(),
                country: "NO".into(),
            },
        }
    }

    fn issued() -> Snapshot {
        Snapshot::issue(
            &draft(),
            InvoiceNumber::parse("INV-2026-000001").unwrap(),
            party("Fjord Consulting AS"),
            party("Havbris Fiskeri AS"),
            PaymentPlan::single(PaymentTerms::Net { days: 14 }),
        )
        .unwrap()
    }

    #[test]
    fn a_snapshot_is_canonical_and_its_digest_detects_any_change() {
        let a = issued();
        assert_eq!(a.canonical_json(), issued().canonical_json());
        assert_eq!(a.digest().len(), 64);
        assert_eq!(a.digest(), issued().digest());
        let mut b = a.clone();
        b.document.lines[1].price.net = dec!(3.98);
        assert_ne!(a.digest(), b.digest());
        assert_eq!(a.totals.amount_due.amount(), dec!(1299.88));
        assert_eq!(
            a.schedule[0].due_date,
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
        );
        assert_eq!(a.core_version, CORE_VERSION);
    }

    #[test]
    fn a_vat_inclusive_draft_is_issued_with_net_prices() {
        let d = InvoiceDraft {
            price_basis: en16931::PriceBasis::Gross,
            ..fixtures::draft(
                "EUR",
                vec![fixtures::line("Mug", dec!(3), dec!(9.99), dec!(19))],
            )
        };
        let s = Snapshot::issue(
            &d,
            InvoiceNumber::parse("INV-2026-000002").unwrap(),
            party("Fjord Consulting AS"),
            party("Havbris Fiskeri AS"),
            PaymentPlan::single(PaymentTerms::Net { days: 14 }),
        )
        .unwrap();
        assert_eq!(s.document.price_basis, en16931::PriceBasis::Net);
        assert_eq!(s.document.lines[0].price.net, dec!(8.3949));
        // Shown 29.97; the cent no net price can reproduce is reported before issue.
        assert_eq!(s.totals.amount_due.amount(), dec!(29.96));
        assert_eq!(
            super::super::inclusive::unreproducible(&d)
                .unwrap()
                .amount(),
            dec!(0.01)
        );
    }

    #[test]
    fn an_invoice_freezes_its_references_bank_account_and_vat_in_the_accounting_currency() {
        let payee = Payee {
            bank_account: Some(BankAccount {
                iban: "NO9386011117947".into(),
                bic: "DNBANOKK".into(),
                name: "Fjord Consulting AS".into(),
            }),
            payment_means_code: "30".into(),
            accounting_currency: Some(Currency::parse("NOK").unwrap()),
        };
        let mut d = fixtures::draft(
            "EUR",
            vec![fixtures::line("Audit", dec!(3), dec!(9.99), dec!(19))],
        );
        d.buyer_reference = "PROJ-7".into();
        d.purchase_order = "PO-118".into();
        let issue = |d: &InvoiceDraft| {
            Snapshot::issue_for(
                d,
                InvoiceNumber::parse("INV-2026-000003").unwrap(),
                party("Fjord Consulting AS"),
                party("Havbris Fiskeri AS"),
                PaymentPlan::single(PaymentTerms::Net { days: 14 }),
                &payee,
            )
        };
        assert_eq!(issue(&d).unwrap_err().field, "accounting_rate");
        d.accounting_rate = Some(AccountingRate {
            rate: dec!(11.7385),
            date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        });
        let s = issue(&d).unwrap();
        let r = &s.references;
        assert_eq!(
            r.payment_reference.as_ref().map(CreditorReference::as_str),
            Some("RF40INV2026000003")
        );
        assert!(CreditorReference::is_valid("RF40INV2026000003"));
        assert_eq!(
            (r.buyer_reference.as_str(), r.purchase_order.as_str()),
            ("PROJ-7", "PO-118")
        );
        assert_eq!(r.bank_account, payee.bank_account);
        // BT-110 = 5.69 EUR (29.97 × 19 %); × 11.7385 = 66.792065 → 66.79 NOK.
        let accounting = r.accounting.as_ref().unwrap();
        assert_eq!(s.totals.tax_total.amount(), dec!(5.69));
        assert_eq!(accounting.tax_total.amount(), dec!(66.79));
        assert_eq!(accounting.tax_total.currency().code(), "NOK");
        // The same currency as the books: no rate needed, no BT-111.
        let nok = fixtures::draft("NOK", d.lines.clone());
        assert_eq!(issue(&nok).unwrap().references.accounting, None);
    }

    #[test]
    fn a_snapshot_without_references_reads_and_writes_as_before() {
        let mut old: serde_json::Value = serde_json::to_value(issued()).unwrap();
        old.as_object_mut().unwrap().remove("references");
        let read: Snapshot = serde_json::from_value(old.clone()).unwrap();
        assert!(read.references.is_empty());
        assert_eq!(serde_json::to_value(&read).unwrap(), old);
    }

    #[test]
    fn an_empty_draft_or_a_bad_party_cannot_be_issued() {
        let mut empty = draft();
        empty.lines.clear();
        let n = InvoiceNumber::parse("INV-1").unwrap();
        let plan = PaymentPlan::single(PaymentTerms::DueOnReceipt);
        assert_eq!(
            Snapshot::issue(&empty, n.clone(), party("A"), party("B"), plan.clone())
                .unwrap_err()
                .field,
            "lines"
        );
        let mut buyer = party("B");
        buyer.address.country = "Norway".into();
        assert_eq!(
            Snapshot::issue(&draft(), n, party("A"), buyer, plan)
                .unwrap_err()
                .field,
            "buyer.address.country"
        );
    }

    #[test]
    fn credit_notes_never_credit_more_than_was_invoiced() {
        let invoice = issued();
        let n = |s: &str| InvoiceNumber::parse(s).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let first = invoice
            .credit_note(&[], n("CN-1"), d, &CreditScope::Lines(vec![(1, dec!(4))]))
            .unwrap();
        assert_eq!(first.kind, DocumentKind::CreditNote);
        assert_eq!(first.preceding_invoice, Some(invoice.number.clone()));
        assert_eq!(first.totals.amount_due.amount(), dec!(19.95)); // 4 × 3.99 = 15.96 + 25 % = 19.95
        let too_much = invoice.credit_note(
            std::slice::from_ref(&first),
            n("CN-2"),
            d,
            &CreditScope::Lines(vec![(1, dec!(7))]),
        );
        assert_eq!(too_much.unwrap_err().field, "lines[0].quantity");
        let rest = invoice
            .credit_note(
                std::slice::from_ref(&first),
                n("CN-2"),
                d,
                &CreditScope::Full,
            )
            .unwrap();
        let credited = first
            .totals
            .amount_due
            .checked_add(rest.totals.amount_due)
            .unwrap();
        assert_eq!(credited, invoice.totals.amount_due);
        assert!(
            invoice
                .credit_note(&[first, rest], n("CN-3"), d, &CreditScope::Full)
                .is_err()
        );
    }

    #[test]
    fn what_is_left_to_credit_is_each_lines_quantity_less_what_its_credit_notes_took() {
        let invoice = issued();
        let n = |s: &str| InvoiceNumber::parse(s).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let invoiced: Vec<Decimal> = invoice.document.lines.iter().map(|l| l.quantity).collect();
        assert_eq!(invoice.creditable(&[]), invoiced);
        let first = invoice
            .credit_note(&[], n("CN-1"), d, &CreditScope::Lines(vec![(1, dec!(4))]))
            .unwrap();
        let mut left = invoiced.clone();
        left[1] -= dec!(4);
        assert_eq!(invoice.creditable(std::slice::from_ref(&first)), left);
        // Another invoice's credit note takes nothing from this one.
        let mut other = first.clone();
        other.preceding_invoice = Some(n("INV-OTHER"));
        assert_eq!(invoice.creditable(&[other]), invoiced);
        let rest = invoice
            .credit_note(
                std::slice::from_ref(&first),
                n("CN-2"),
                d,
                &CreditScope::Full,
            )
            .unwrap();
        assert!(
            invoice
                .creditable(&[first, rest])
                .iter()
                .all(Decimal::is_zero)
        );
    }
}
