//! Customer statements: what the customer owes, as they will read it.
//!
//! - Open-item: every unpaid instalment with its open amount, less unapplied credit.
//! - Balance-forward: the opening balance, every document and payment of the period with a running
//!   balance, and the closing balance.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::OpenItem;
use super::account::{Account, Entry, EntryKind};
use super::position::Position;
use crate::money::{Currency, Money};
use crate::validation::{Rule, ValidationError};

/// One line of a balance-forward statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub date: NaiveDate,
    pub reference: String,
    pub kind: EntryKind,
    /// Positive when it raises what the customer owes, negative when it lowers it.
    pub amount: Money,
    /// The balance after this line.
    pub balance: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceForward {
    pub currency: Currency,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub opening: Money,
    pub lines: Vec<StatementLine>,
    pub closing: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenItemStatement {
    pub currency: Currency,
    pub items: Vec<OpenItem>,
    pub unapplied: Money,
    /// Σ open − unapplied: the account balance.
    pub total_due: Money,
}

/// Checks a statement's period: it must not end before it starts. This rule is the requester's to keep,
/// unlike the account's own (amounts that overflow), so a shell checks it first and answers it apart.
pub fn check_period(from: NaiveDate, to: NaiveDate) -> Result<(), ValidationError> {
    if to < from {
        return Err(ValidationError::new(
            "to",
            Rule::Matches {
                expected: "on or after the start of the period".into(),
            },
        ));
    }
    Ok(())
}

/// The balance-forward statement of `account` in `currency` for the days `from` to `to` inclusive.
pub fn balance_forward(
    account: &Account,
    currency: Currency,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BalanceForward, ValidationError> {
    balance_forward_since(
        account.balance(currency)?,
        account.entries(),
        currency,
        from,
        to,
    )
}

/// The balance-forward statement from the account's `balance` now and `entries`, which hold at least
/// every entry dated `from` or later (older ones are ignored): the opening balance is what the balance
/// was before those entries, so a statement never reads the history before its period.
pub fn balance_forward_since(
    balance: Money,
    entries: &[Entry],
    currency: Currency,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BalanceForward, ValidationError> {
    check_period(from, to)?;
    let mut entries: Vec<_> = entries
        .iter()
        .filter(|e| e.amount.currency() == currency && e.kind.balance_sign() != 0 && e.date >= from)
        .collect();
    entries.sort_by_key(|e| (e.date, e.seq));
    let signed = |e: &Entry| {
        if e.kind.balance_sign() > 0 {
            Ok(e.amount)
        } else {
            Money::zero(currency).checked_sub(e.amount)
        }
    };
    let mut opening = balance;
    for e in &entries {
        opening = opening.checked_sub(signed(e)?)?;
    }
    let mut lines = Vec::new();
    for e in entries.into_iter().filter(|e| e.date <= to) {
        let amount = signed(e)?;
        let before = lines.last().map_or(opening, |l: &StatementLine| l.balance);
        lines.push(StatementLine {
            date: e.date,
            reference: e.reference.clone(),
            kind: e.kind,
            amount,
            balance: before.checked_add(amount)?,
        });
    }
    let closing = lines.last().map_or(opening, |l| l.balance);
    Ok(BalanceForward {
        currency,
        from,
        to,
        opening,
        lines,
        closing,
    })
}

/// The open-item statement of an account's position in `currency`, oldest due first.
pub fn open_items(
    account: &Position,
    currency: Currency,
) -> Result<OpenItemStatement, ValidationError> {
    let mut items: Vec<OpenItem> = account
        .items()
        .iter()
        .filter(|i| i.open.currency() == currency && !i.is_settled())
        .cloned()
        .collect();
    items.sort_by(|a, b| {
        (a.due_date, &a.number, a.item.instalment).cmp(&(b.due_date, &b.number, b.item.instalment))
    });
    let unapplied = account.unapplied(currency);
    let total_due = Money::sum(currency, items.iter().map(|i| i.open))?.checked_sub(unapplied)?;
    Ok(OpenItemStatement {
        currency,
        items,
        unapplied,
        total_due,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::InvoiceId;
    use crate::receivables::ItemRef;
    use crate::receivables::account::PaymentMethod;
    use crate::receivables::allocation::Instruction;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn d(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, month, day).unwrap()
    }

    fn item(n: u8, issued: NaiveDate, amount: Decimal) -> OpenItem {
        let amount = Money::exact(amount, eur()).unwrap();
        OpenItem {
            item: ItemRef {
                invoice_id: InvoiceId::parse(&format!("019a4d5e-0000-7000-8000-0000000005{n:02x}"))
                    .unwrap(),
                instalment: 0,
            },
            number: format!("INV-{n}"),
            issue_date: issued,
            due_date: issued + chrono::Days::new(30),
            amount,
            open: amount,
            discount: None,
            disputed: false,
        }
    }

    fn account() -> Account {
        let mut a = Account::default();
        a.invoice(
            "INV-1",
            d(1, 10),
            vec![item(1, d(1, 10), dec!(100))],
            EntryKind::Invoice,
        )
        .unwrap();
        a.invoice(
            "INV-2",
            d(2, 5),
            vec![item(2, d(2, 5), dec!(250))],
            EntryKind::Invoice,
        )
        .unwrap();
        a.receive(
            "PAY-1",
            d(2, 20),
            Money::exact(dec!(120), eur()).unwrap(),
            PaymentMethod::BankTransfer,
            &Instruction::OldestDueFirst,
        )
        .unwrap();
        a.invoice(
            "INV-3",
            d(3, 2),
            vec![item(3, d(3, 2), dec!(40))],
            EntryKind::Invoice,
        )
        .unwrap();
        a
    }

    #[test]
    fn a_balance_forward_statement_carries_the_earlier_months_as_its_opening() {
        let s = balance_forward(&account(), eur(), d(2, 1), d(2, 28)).unwrap();
        assert_eq!(s.opening.amount(), dec!(100.00));
        let lines: Vec<_> = s
            .lines
            .iter()
            .map(|l| (l.reference.as_str(), l.amount.amount(), l.balance.amount()))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("INV-2", dec!(250.00), dec!(350.00)),
                ("PAY-1", dec!(-120.00), dec!(230.00))
            ]
        );
        assert_eq!(s.closing.amount(), dec!(230.00));
    }

    #[test]
    fn an_open_item_statement_lists_what_is_unpaid() {
        let s = open_items(&account(), eur()).unwrap();
        let items: Vec<_> = s
            .items
            .iter()
            .map(|i| (i.number.as_str(), i.open.amount()))
            .collect();
        assert_eq!(items, vec![("INV-2", dec!(230.00)), ("INV-3", dec!(40.00))]);
        assert_eq!(s.total_due.amount(), dec!(270.00));
        assert_eq!(s.total_due, account().balance(eur()).unwrap());
    }

    #[test]
    fn a_statement_counts_days_overdue_from_each_due_date_to_its_date_and_none_before_due() {
        let s = open_items(&account(), eur()).unwrap();
        // INV-2 fell due on 7 March, INV-3 falls due on 1 April.
        let late: Vec<_> = s
            .items
            .iter()
            .map(|i| (i.number.as_str(), i.days_overdue(d(3, 20))))
            .collect();
        assert_eq!(late, vec![("INV-2", 13), ("INV-3", 0)]);
    }

    #[test]
    fn a_period_must_not_end_before_it_starts() {
        assert_eq!(
            balance_forward(&account(), eur(), d(3, 1), d(2, 1))
                .unwrap_err()
                .field,
            "to"
        );
        assert_eq!(check_period(d(3, 1), d(2, 1)).unwrap_err().field, "to");
        assert_eq!(check_period(d(2, 1), d(2, 1)), Ok(()));
    }

    proptest! {
        #[test]
        fn closing_is_opening_plus_activity_and_periods_chain(
            amounts in prop::collection::vec((1i64..100_000, 1u32..12, 1u32..28, any::<bool>()), 1..30),
            split in 2u32..12,
        ) {
            let mut a = Account::default();
            for (n, (amount, month, day, is_payment)) in amounts.iter().enumerate() {
                let date = d(*month, *day);
                let money = Money::exact(Decimal::new(*amount, 2), eur()).unwrap();
                if *is_payment {
                    a.receive("P", date, money, PaymentMethod::BankTransfer, &Instruction::OldestDueFirst).unwrap();
                } else {
                    a.invoice("I", date, vec![item(n as u8, date, money.amount())], EntryKind::Invoice).unwrap();
                }
            }
            let first = balance_forward(&a, eur(), d(1, 1), d(split, 1).pred_opt().unwrap()).unwrap();
            let second = balance_forward(&a, eur(), d(split, 1), d(12, 31)).unwrap();
            let activity = |s: &BalanceForward| Money::sum(eur(), s.lines.iter().map(|l| l.amount)).unwrap();
            prop_assert_eq!(first.opening.checked_add(activity(&first)).unwrap(), first.closing);
            prop_assert_eq!(second.opening, first.closing);
            prop_assert_eq!(second.opening.checked_add(activity(&second)).unwrap(), second.closing);
            prop_assert_eq!(second.closing, a.balance(eur()).unwrap());
            // A statement read from the entries of its period on (as the server stores them) is the same.
            let since: Vec<Entry> = a.entries().iter().filter(|e| e.date >= d(split, 1)).cloned().collect();
            let from_rows = balance_forward_since(a.balance(eur()).unwrap(), &since, eur(), d(split, 1), d(12, 31)).unwrap();
            prop_assert_eq!(from_rows, second);
        }
    }
}
