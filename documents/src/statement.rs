//! A customer's statement as core computed it (`remit_core::receivables::statement`), laid out as rows:
//! the parties, the statement's date and period, then one section per currency with the open items (days
//! overdue on the statement's date, as core counts them), unapplied credit and the total due, and the
//! account's activity with its running balance from the opening to the closing balance; the bank account
//! last. Every amount is one core computed; this module only formats and places them.

use chrono::NaiveDate;
use remit_core::bank::BankAccount;
use remit_core::document::issue::Party;
use remit_core::money::{Currency, Money};
use remit_core::receivables::account::EntryKind;
use remit_core::receivables::aging::AgingReport;
use remit_core::receivables::statement::{BalanceForward, OpenItemStatement};
use rust_decimal::Decimal;

use crate::RenderError;
use crate::layout::{BODY, Flow, LEADING, Row};
use crate::locale::{Arg, Localizer};
use crate::parts;
use crate::text::{Face, Fonts};

/// What a statement prints: who sends it and to whom, its date and period, and the statements core
/// computed for each currency of the customer's account (`open_items` and `balance_forward` as the
/// server's `GET /api/customers/{id}/statement` gives them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementDocument {
    /// The organisation, as its settings name it (the seller of its invoices).
    pub seller: Party,
    /// Where the customer pays.
    pub bank_account: Option<BankAccount>,
    pub customer: Party,
    /// The statement's date: open items' days overdue are counted to it.
    pub on: NaiveDate,
    /// The period of the account's activity.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub open_items: Vec<OpenItemStatement>,
    pub balance_forward: Vec<BalanceForward>,
    /// What is open by how late it is on the statement's date, per currency, as core aged it; printed
    /// below the open items of its currency.
    pub aging: Vec<AgingReport>,
}

impl StatementDocument {
    /// The currencies with a statement, in the order they are given.
    fn currencies(&self) -> Vec<Currency> {
        let mut currencies: Vec<Currency> = Vec::new();
        let given = self.open_items.iter().map(|s| s.currency);
        for currency in given.chain(self.balance_forward.iter().map(|s| s.currency)) {
            if !currencies.contains(&currency) {
                currencies.push(currency);
            }
        }
        currencies
    }
}

/// The `$kind` an account entry's message selects its wording by.
fn entry_kind(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Invoice => "invoice",
        EntryKind::FeeInvoice => "fee-invoice",
        EntryKind::CreditNote => "credit-note",
        EntryKind::Payment => "payment",
        EntryKind::Refund => "refund",
        EntryKind::DiscountTaken => "discount-taken",
        EntryKind::WriteOff => "write-off",
        EntryKind::Allocation => "allocation",
        EntryKind::AllocationReversal => "allocation-reversal",
        EntryKind::DiscountReversal => "discount-reversal",
        EntryKind::Void => "void",
    }
}

/// Rows of one statement, built against the fonts (for measuring) and the customer's language.
pub struct Writer<'a> {
    pub fonts: &'a Fonts,
    pub l10n: &'a Localizer,
    pub statement: &'a StatementDocument,
    pub width: f32,
}

impl Writer<'_> {
    /// Lays out the whole statement.
    pub fn write(&self, flow: &mut Flow, logo: Option<(f32, f32)>) -> Result<(), RenderError> {
        let title = self.l10n.label("statement-title")?;
        flow.place(parts::heading(self.fonts, self.width, title, logo));
        flow.place(self.parties()?);
        for currency in self.statement.currencies() {
            self.section(flow, currency)?;
        }
        if let Some(account) = &self.statement.bank_account {
            let lines = parts::bank_lines(self.l10n, account)?;
            for row in parts::paragraphs(self.fonts, self.width, lines) {
                flow.place(row);
            }
        }
        Ok(())
    }

    /// The seller and the customer on the left, the statement's date and period on the right.
    fn parties(&self) -> Result<Row, RenderError> {
        let l = self.l10n;
        let s = self.statement;
        let mut left = vec![(Face::Bold, l.label("seller")?)];
        left.extend(parts::party_lines(l, &s.seller)?);
        if !s.seller.legal_id.is_empty() {
            let id = l.text("registration-id", &[("id", Arg::Text(&s.seller.legal_id))])?;
            left.push((Face::Regular, id));
        }
        left.push((Face::Regular, String::new()));
        left.push((Face::Bold, l.label("statement-customer")?));
        left.extend(parts::party_lines(l, &s.customer)?);
        let (start, end) = (l.date(s.from)?, l.date(s.to)?);
        let period = l.text(
            "period",
            &[("start", Arg::Text(&start)), ("end", Arg::Text(&end))],
        )?;
        let right = vec![
            (l.label("statement-date")?, l.date(s.on)?),
            (l.label("statement-period")?, period),
        ];
        Ok(parts::beside(self.fonts, self.width, left, right))
    }

    /// One currency's open items and activity.
    fn section(&self, flow: &mut Flow, currency: Currency) -> Result<(), RenderError> {
        let l = self.l10n;
        let title = l.text(
            "statement-currency",
            &[("currency", Arg::Text(currency.code()))],
        )?;
        let mut row = Row::new(LEADING * 1.6);
        row.text(0.0, 0.0, Face::Bold, BODY + 2.0, title);
        flow.place(row);
        let s = self.statement;
        if let Some(open) = s.open_items.iter().find(|o| o.currency == currency) {
            self.open_items(flow, open)?;
        }
        if let Some(report) = s.aging.iter().find(|a| a.currency == currency) {
            flow.place(self.aging(report)?);
        }
        if let Some(activity) = s.balance_forward.iter().find(|b| b.currency == currency) {
            self.activity(flow, activity)?;
        }
        Ok(())
    }

    /// A table's title and its header of `columns` (label, right edge or left edge, right-aligned).
    fn header(&self, title: &str, columns: &[(&str, f32, bool)]) -> Result<Row, RenderError> {
        let l = self.l10n;
        let mut row = Row::new(2.0 * LEADING + 4.0);
        row.text(0.0, 0.0, Face::Bold, BODY + 1.0, l.label(title)?);
        for &(id, x, right) in columns {
            let label = l.label(id)?;
            if right {
                row.text_right(self.fonts, x, LEADING, Face::Bold, BODY, label);
            } else {
                row.text(x, LEADING, Face::Bold, BODY, label);
            }
        }
        row.rule(0.0, self.width, 2.0 * LEADING + 1.0, 0.6);
        Ok(row)
    }

    /// A label and an amount, right-aligned under the tables' amount columns.
    fn total(&self, label: String, amount: Money, face: Face) -> Result<Row, RenderError> {
        let mut row = Row::new(LEADING);
        row.text(self.width - 250.0, 0.0, face, BODY, label);
        let amount = self.l10n.money(amount)?;
        row.text_right(self.fonts, self.width, 0.0, face, BODY, amount);
        Ok(row)
    }

    fn open_items(&self, flow: &mut Flow, open: &OpenItemStatement) -> Result<(), RenderError> {
        let (l, f, w) = (self.l10n, self.fonts, self.width);
        let (issued, due, late, amount) = (w * 0.28, w * 0.43, w * 0.68, w * 0.84);
        flow.start_table(self.header(
            "open-items",
            &[
                ("column-invoice", 0.0, false),
                ("issue-date", issued, false),
                ("due-date", due, false),
                ("column-days-overdue", late, true),
                ("column-amount", amount, true),
                ("column-open", w, true),
            ],
        )?);
        for item in &open.items {
            let mut row = Row::new(LEADING);
            let number = if item.disputed {
                l.text("disputed-item", &[("number", Arg::Text(&item.number))])?
            } else {
                item.number.clone()
            };
            row.text(0.0, 0.0, Face::Regular, BODY, number);
            row.text(issued, 0.0, Face::Regular, BODY, l.date(item.issue_date)?);
            row.text(due, 0.0, Face::Regular, BODY, l.date(item.due_date)?);
            let days = l.quantity(Decimal::from(item.days_overdue(self.statement.on)))?;
            row.text_right(f, late, 0.0, Face::Regular, BODY, days);
            row.text_right(f, amount, 0.0, Face::Regular, BODY, l.money(item.amount)?);
            row.text_right(f, w, 0.0, Face::Regular, BODY, l.money(item.open)?);
            flow.place(row);
        }
        if open.items.is_empty() {
            let mut row = Row::new(LEADING);
            row.text(0.0, 0.0, Face::Regular, BODY, l.label("no-open-items")?);
            flow.place(row);
        }
        flow.end_table();
        flow.place(parts::closing_rule(w));
        if !open.unapplied.is_zero() {
            flow.place(self.total(l.label("unapplied-credit")?, open.unapplied, Face::Regular)?);
        }
        flow.place(self.total(l.label("statement-total-due")?, open.total_due, Face::Bold)?);
        flow.place(Row::new(LEADING));
        Ok(())
    }

    /// The aging buckets side by side: each label over its amount.
    fn aging(&self, report: &AgingReport) -> Result<Row, RenderError> {
        let (l, f, w) = (self.l10n, self.fonts, self.width);
        let mut row = Row::new(4.0 * LEADING);
        row.text(0.0, 0.0, Face::Bold, BODY + 1.0, l.label("aging")?);
        let column = w / report.buckets.len().max(1) as f32;
        for (i, bucket) in report.buckets.iter().enumerate() {
            let right = (i + 1) as f32 * column;
            let label = l.text("aging-bucket", &[("label", Arg::Text(&bucket.label))])?;
            row.text_right(f, right, LEADING, Face::Bold, BODY, label);
            row.text_right(
                f,
                right,
                2.0 * LEADING,
                Face::Regular,
                BODY,
                l.money(bucket.amount)?,
            );
        }
        row.rule(0.0, w, 2.0 * LEADING - 1.0, 0.4);
        Ok(row)
    }

    fn activity(&self, flow: &mut Flow, activity: &BalanceForward) -> Result<(), RenderError> {
        let (l, f, w) = (self.l10n, self.fonts, self.width);
        let (reference, kind, amount) = (70.0, w * 0.56, w - 95.0);
        flow.start_table(self.header(
            "account-activity",
            &[
                ("column-date", 0.0, false),
                ("column-reference", reference, false),
                ("column-entry", kind, false),
                ("column-amount", amount, true),
                ("column-balance", w, true),
            ],
        )?);
        let balance_row = |date: NaiveDate, id: &str, balance: Money| -> Result<Row, RenderError> {
            let mut row = Row::new(LEADING);
            row.text(0.0, 0.0, Face::Bold, BODY, l.date(date)?);
            row.text(reference, 0.0, Face::Bold, BODY, l.label(id)?);
            row.text_right(f, w, 0.0, Face::Bold, BODY, l.money(balance)?);
            Ok(row)
        };
        flow.place(balance_row(
            activity.from,
            "opening-balance",
            activity.opening,
        )?);
        let reference_width = kind - reference - 6.0;
        for line in &activity.lines {
            let wrapped = f.wrap(Face::Regular, BODY, &line.reference, reference_width);
            let mut row = Row::new(wrapped.len() as f32 * LEADING);
            row.text(0.0, 0.0, Face::Regular, BODY, l.date(line.date)?);
            for (i, text) in wrapped.into_iter().enumerate() {
                row.text(reference, i as f32 * LEADING, Face::Regular, BODY, text);
            }
            let entry = l.text("entry-kind", &[("kind", Arg::Text(entry_kind(line.kind)))])?;
            row.text(kind, 0.0, Face::Regular, BODY, entry);
            row.text_right(f, amount, 0.0, Face::Regular, BODY, l.money(line.amount)?);
            row.text_right(f, w, 0.0, Face::Regular, BODY, l.money(line.balance)?);
            flow.place(row);
        }
        flow.end_table();
        flow.place(parts::closing_rule(w));
        flow.place(balance_row(
            activity.to,
            "closing-balance",
            activity.closing,
        )?);
        flow.place(Row::new(LEADING));
        Ok(())
    }
}
