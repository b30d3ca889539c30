//! Double entry: the journal each document and account entry posts, from which a general-ledger export
//! is built. Every journal entry balances: its debits equal its credits.
//!
//! - Invoice: debit Accounts Receivable (total with VAT), credit Revenue (net) and VAT payable (tax);
//!   a cash-rounding amount (BT-114) posts to Rounding. A credit note is the reverse.
//! - Payment: debit Bank (Cash for cash), credit AR. Refund: debit AR, credit Bank (or Cash).
//! - Early-payment discount taken: debit Discounts allowed (and VAT payable for its VAT part when the
//!   discount reduces VAT), credit AR.
//! - Write-off: debit Bad debt, credit AR. Fee invoice: debit AR, credit Fee income.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::document::en16931::{DOCUMENT_ROUNDING, DocumentKind, Totals};
use crate::money::Money;
use crate::receivables::account::{Entry, EntryKind, PaymentMethod};
use crate::terms::DiscountVat;
use crate::validation::{Rule, ValidationError};

/// The general-ledger accounts Remit posts to; the organisation maps them to its chart of accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerAccount {
    AccountsReceivable,
    Revenue,
    FeeIncome,
    VatPayable,
    Bank,
    /// Cash on hand, for payments and refunds made in cash.
    Cash,
    DiscountsAllowed,
    BadDebt,
    Rounding,
}

/// One side of a journal entry; exactly one of `debit` and `credit` is non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    pub account: LedgerAccount,
    pub debit: Money,
    pub credit: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub date: NaiveDate,
    pub reference: String,
    pub postings: Vec<Posting>,
}

impl JournalEntry {
    fn new(date: NaiveDate, reference: &str) -> Self {
        Self {
            date,
            reference: reference.to_owned(),
            postings: Vec::new(),
        }
    }

    /// Posts `amount` to `account` on the debit side (`debit = true`) or the credit side; a negative
    /// amount goes to the other side, and a zero amount posts nothing.
    fn post(
        &mut self,
        account: LedgerAccount,
        amount: Money,
        debit: bool,
    ) -> Result<(), ValidationError> {
        if amount.is_zero() {
            return Ok(());
        }
        let zero = Money::zero(amount.currency());
        let (magnitude, debit) = if amount.amount().is_sign_negative() {
            (zero.checked_sub(amount)?, !debit)
        } else {
            (amount, debit)
        };
        self.postings.push(Posting {
            account,
            debit: if debit { magnitude } else { zero },
            credit: if debit { zero } else { magnitude },
        });
        Ok(())
    }

    /// (Σ debits, Σ credits).
    pub fn sums(&self) -> Result<(Decimal, Decimal), ValidationError> {
        self.postings
            .iter()
            .try_fold((Decimal::ZERO, Decimal::ZERO), |(d, c), p| {
                Ok((
                    d.checked_add(p.debit.amount())
                        .ok_or_else(|| ValidationError::new("debit", Rule::Overflow))?,
                    c.checked_add(p.credit.amount())
                        .ok_or_else(|| ValidationError::new("credit", Rule::Overflow))?,
                ))
            })
    }

    pub fn is_balanced(&self) -> bool {
        self.sums().is_ok_and(|(d, c)| d == c)
    }
}

impl LedgerAccount {
    /// The name an export uses; the organisation maps it to its chart of accounts.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerAccount::AccountsReceivable => "accounts_receivable",
            LedgerAccount::Revenue => "revenue",
            LedgerAccount::FeeIncome => "fee_income",
            LedgerAccount::VatPayable => "vat_payable",
            LedgerAccount::Bank => "bank",
            LedgerAccount::Cash => "cash",
            LedgerAccount::DiscountsAllowed => "discounts_allowed",
            LedgerAccount::BadDebt => "bad_debt",
            LedgerAccount::Rounding => "rounding",
        }
    }
}

/// A general-ledger export: one CSV row per posting (`date,reference,account,debit,credit,currency`),
/// entries in the order given. Refuses an entry whose debits and credits differ, so an unbalanced
/// journal can never reach the books.
pub fn export_csv(entries: &[JournalEntry]) -> Result<String, ValidationError> {
    let mut csv = String::from("date,reference,account,debit,credit,currency\n");
    for (i, entry) in entries.iter().enumerate() {
        if !entry.is_balanced() {
            return Err(ValidationError::new(
                format!("entries[{i}]"),
                Rule::Matches {
                    expected: "debits equal to credits".into(),
                },
            ));
        }
        for p in &entry.postings {
            // References are free text: quote them, doubling any quote inside.
            let reference = entry.reference.replace('"', "\"\"");
            csv.push_str(&format!(
                "{},\"{}\",{},{},{},{}\n",
                entry.date,
                reference,
                p.account.as_str(),
                p.debit.amount(),
                p.credit.amount(),
                p.debit.currency()
            ));
        }
    }
    Ok(csv)
}

/// The journal of an issued invoice or credit note, from its computed totals.
pub fn for_document(
    kind: DocumentKind,
    date: NaiveDate,
    reference: &str,
    totals: &Totals,
) -> Result<JournalEntry, ValidationError> {
    // An invoice debits AR; a credit note is the same entry with the sides swapped.
    let receivable_side = kind == DocumentKind::Invoice;
    let mut entry = JournalEntry::new(date, reference);
    let receivable = totals.tax_inclusive.checked_add(totals.rounding)?;
    entry.post(
        LedgerAccount::AccountsReceivable,
        receivable,
        receivable_side,
    )?;
    entry.post(
        LedgerAccount::Revenue,
        totals.tax_exclusive,
        !receivable_side,
    )?;
    entry.post(
        LedgerAccount::VatPayable,
        totals.tax_total,
        !receivable_side,
    )?;
    entry.post(LedgerAccount::Rounding, totals.rounding, !receivable_side)?;
    Ok(entry)
}

/// The VAT share of the invoice a discount was taken on: its VAT total and its total with VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VatShare {
    pub tax_total: Money,
    pub tax_inclusive: Money,
}

/// The journal of an account entry. Allocations post nothing (they move money between an open item and
/// unapplied credit, both inside AR); invoices and credit notes are posted by [`for_document`].
pub fn for_account_entry(
    entry: &Entry,
    discount_vat: DiscountVat,
    vat_share: Option<VatShare>,
) -> Result<Option<JournalEntry>, ValidationError> {
    use LedgerAccount::*;
    let mut j = JournalEntry::new(entry.date, &entry.reference);
    let amount = entry.amount;
    let money_account = match entry.method {
        Some(PaymentMethod::Cash) => Cash,
        _ => Bank,
    };
    match entry.kind {
        // A void is posted with its invoice's document journal, reversed.
        EntryKind::Invoice
        | EntryKind::CreditNote
        | EntryKind::Void
        | EntryKind::Allocation
        | EntryKind::AllocationReversal => {
            return Ok(None);
        }
        EntryKind::Payment => {
            j.post(money_account, amount, true)?;
            j.post(AccountsReceivable, amount, false)?;
        }
        EntryKind::Refund => {
            j.post(AccountsReceivable, amount, true)?;
            j.post(money_account, amount, false)?;
        }
        EntryKind::WriteOff => {
            j.post(BadDebt, amount, true)?;
            j.post(AccountsReceivable, amount, false)?;
        }
        EntryKind::FeeInvoice => {
            j.post(AccountsReceivable, amount, true)?;
            j.post(FeeIncome, amount, false)?;
        }
        EntryKind::DiscountTaken | EntryKind::DiscountReversal => {
            let vat = discount_vat_part(amount, discount_vat, vat_share)?;
            let net = amount.checked_sub(vat)?;
            let taken = entry.kind == EntryKind::DiscountTaken;
            j.post(DiscountsAllowed, net, taken)?;
            j.post(VatPayable, vat, taken)?;
            j.post(AccountsReceivable, amount, !taken)?;
        }
    }
    Ok(Some(j))
}

/// The part of a discount that is VAT: the invoice's VAT share of it, when the discount reduces VAT.
fn discount_vat_part(
    discount: Money,
    treatment: DiscountVat,
    share: Option<VatShare>,
) -> Result<Money, ValidationError> {
    match (treatment, share) {
        (DiscountVat::ReducesVat, Some(share)) if !share.tax_inclusive.is_zero() => {
            let part = discount
                .amount()
                .checked_mul(share.tax_total.amount())
                .and_then(|a| a.checked_div(share.tax_inclusive.amount()))
                .ok_or_else(|| ValidationError::new("discount", Rule::Overflow))?;
            Ok(Money::rounded(part, discount.currency(), DOCUMENT_ROUNDING))
        }
        _ => Ok(Money::zero(discount.currency())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::TaxRounding;
    use crate::document::en16931::{
        Document, Line, LineNetBasis, PayableRounding, Price, PriceBasis, VatClass, compute,
    };
    use crate::money::Currency;
    use crate::tax::{TaxCategory, TaxRate};
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn d() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 4).unwrap()
    }

    fn totals(lines: &[(Decimal, Decimal, Decimal)], increment: Option<Decimal>) -> Totals {
        let doc = Document {
            kind: DocumentKind::Invoice,
            currency: Currency::parse("CHF").unwrap(),
            price_basis: PriceBasis::Net,
            tax_rounding: TaxRounding::PerDocument,
            lines: lines
                .iter()
                .map(|&(q, p, r)| Line {
                    quantity: q,
                    price: Price {
                        net: p,
                        ..Price::default()
                    },
                    vat: VatClass {
                        category: TaxCategory::S,
                        rate: Some(TaxRate::new(r).unwrap()),
                    },
                    ..Line::default()
                })
                .collect(),
            allowances: vec![],
            charges: vec![],
            prepaid: Decimal::ZERO,
            payable_rounding: increment.map_or(PayableRounding::None, PayableRounding::ToIncrement),
        };
        compute(&doc, LineNetBasis::Computed).unwrap()
    }

    fn amounts(j: &JournalEntry) -> Vec<(LedgerAccount, Decimal, Decimal)> {
        j.postings
            .iter()
            .map(|p| (p.account, p.debit.amount(), p.credit.amount()))
            .collect()
    }

    #[test]
    fn an_invoice_debits_receivables_and_credits_revenue_vat_and_rounding() {
        let t = totals(&[(dec!(1), dec!(10.01), dec!(8.1))], Some(dec!(0.05)));
        let j = for_document(DocumentKind::Invoice, d(), "INV-1", &t).unwrap();
        assert_eq!(
            amounts(&j),
            vec![
                (LedgerAccount::AccountsReceivable, dec!(10.80), dec!(0.00)),
                (LedgerAccount::Revenue, dec!(0.00), dec!(10.01)),
                (LedgerAccount::VatPayable, dec!(0.00), dec!(0.81)),
                (LedgerAccount::Rounding, dec!(0.02), dec!(0.00)),
            ]
        );
        assert!(j.is_balanced());
        let credit = for_document(DocumentKind::CreditNote, d(), "CN-1", &t).unwrap();
        assert_eq!(credit.postings[0].credit.amount(), dec!(10.80));
        assert!(credit.is_balanced());
    }

    #[test]
    fn a_discount_that_reduces_vat_books_its_vat_share() {
        let chf = Currency::parse("CHF").unwrap();
        let entry = Entry {
            seq: 3,
            date: d(),
            reference: "PAY-1".into(),
            kind: EntryKind::DiscountTaken,
            amount: Money::parse("23.80", chf).unwrap(),
            item: None,
            reverses: None,
            method: Some(PaymentMethod::BankTransfer),
        };
        let share = VatShare {
            tax_total: Money::parse("190", chf).unwrap(),
            tax_inclusive: Money::parse("1190", chf).unwrap(),
        };
        let j = for_account_entry(&entry, DiscountVat::ReducesVat, Some(share))
            .unwrap()
            .unwrap();
        assert_eq!(
            amounts(&j),
            vec![
                (LedgerAccount::DiscountsAllowed, dec!(20.00), dec!(0.00)),
                (LedgerAccount::VatPayable, dec!(3.80), dec!(0.00)),
                (LedgerAccount::AccountsReceivable, dec!(0.00), dec!(23.80)),
            ]
        );
        let cash = Entry {
            kind: EntryKind::Payment,
            method: Some(PaymentMethod::Cash),
            ..entry.clone()
        };
        let j = for_account_entry(&cash, DiscountVat::ReducesVat, None)
            .unwrap()
            .unwrap();
        assert_eq!(j.postings[0].account, LedgerAccount::Cash);
        let gross_only = for_account_entry(&entry, DiscountVat::GrossOnly, Some(share))
            .unwrap()
            .unwrap();
        assert_eq!(gross_only.postings.len(), 2);
        assert!(gross_only.is_balanced());
    }

    #[test]
    fn a_negative_invoice_posts_like_a_credit_note() {
        // The Swedish "Kreditering med negativ faktura": an invoice (380) whose lines are negative.
        let t = totals(&[(dec!(-2), dec!(50), dec!(8.1))], None);
        assert_eq!(t.amount_due.amount(), dec!(-108.10));
        let j = for_document(DocumentKind::Invoice, d(), "INV-9", &t).unwrap();
        assert_eq!(
            amounts(&j),
            vec![
                (LedgerAccount::AccountsReceivable, dec!(0.00), dec!(108.10)),
                (LedgerAccount::Revenue, dec!(100.00), dec!(0.00)),
                (LedgerAccount::VatPayable, dec!(8.10), dec!(0.00)),
            ]
        );
        assert!(j.is_balanced());
    }

    #[test]
    fn the_export_has_a_row_per_posting_and_refuses_an_unbalanced_entry() {
        let t = totals(&[(dec!(1), dec!(10.01), dec!(8.1))], Some(dec!(0.05)));
        let mut j = for_document(DocumentKind::Invoice, d(), "INV \"7\"", &t).unwrap();
        let csv = export_csv(std::slice::from_ref(&j)).unwrap();
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows[0], "date,reference,account,debit,credit,currency");
        assert_eq!(
            rows[1],
            "2026-05-04,\"INV \"\"7\"\"\",accounts_receivable,10.80,0.00,CHF"
        );
        assert_eq!(rows.len(), 5);
        j.postings.pop();
        assert_eq!(export_csv(&[j]).unwrap_err().field, "entries[0]");
    }

    proptest! {
        #[test]
        fn every_journal_entry_balances(
            lines in prop::collection::vec((1i64..10_000, 0i64..1_000_000, prop::sample::select(vec![dec!(0), dec!(2.6), dec!(8.1)])), 1..20),
            cash in any::<bool>(),
            kinds in prop::collection::vec(0usize..7, 1..10),
            amount in 1i64..1_000_000,
        ) {
            let lines: Vec<_> = lines.into_iter().map(|(q, p, r)| (Decimal::new(q, 1), Decimal::new(p, 3), r)).collect();
            let t = totals(&lines, cash.then_some(dec!(0.05)));
            for kind in [DocumentKind::Invoice, DocumentKind::CreditNote] {
                prop_assert!(for_document(kind, d(), "X", &t).unwrap().is_balanced());
            }
            let chf = Currency::parse("CHF").unwrap();
            let all = [EntryKind::Payment, EntryKind::Refund, EntryKind::WriteOff, EntryKind::FeeInvoice,
                       EntryKind::DiscountTaken, EntryKind::DiscountReversal, EntryKind::Allocation];
            for k in kinds {
                let entry = Entry { seq: 1, date: d(), reference: "E".into(), kind: all[k],
                    amount: Money::exact(Decimal::new(amount, 2), chf).unwrap(), item: None, reverses: None, method: None };
                let share = VatShare { tax_total: t.tax_total, tax_inclusive: t.tax_inclusive };
                if let Some(j) = for_account_entry(&entry, DiscountVat::ReducesVat, Some(share)).unwrap() {
                    prop_assert!(j.is_balanced());
                }
            }
        }
    }
}
