//! Performance targets of the core (see BENCHMARKS.md):
//! - totals of a 10,000-line invoice: ≤ 5 ms native;
//! - statement and aging of a customer with 10,000 documents: ≤ 20 ms.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use remit_core::document::TaxRounding;
use remit_core::document::en16931::{
    AllowanceCharge, Document, DocumentKind, Line, LineNetBasis, PayableRounding, Price,
    PriceBasis, VatClass, compute,
};
use remit_core::ids::InvoiceId;
use remit_core::money::{Currency, Money};
use remit_core::receivables::account::{Account, EntryKind, PaymentMethod};
use remit_core::receivables::aging::{AgingPolicy, age};
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::statement::{balance_forward, open_items};
use remit_core::receivables::{ItemRef, OpenItem};
use remit_core::tax::{TaxCategory, TaxRate};
use rust_decimal::Decimal;

fn invoice(lines: usize) -> Document {
    let rates = [
        Decimal::new(25, 0),
        Decimal::new(15, 0),
        Decimal::new(12, 0),
        Decimal::ZERO,
    ];
    Document {
        kind: DocumentKind::Invoice,
        currency: Currency::parse("EUR").unwrap(),
        price_basis: PriceBasis::Net,
        tax_rounding: TaxRounding::PerDocument,
        lines: (0..lines)
            .map(|i| Line {
                id: (i + 1).to_string(),
                name: format!("Item {i}"),
                quantity: Decimal::new((i % 97) as i64 + 1, (i % 3) as u32),
                unit_code: "C62".into(),
                price: Price {
                    net: Decimal::new(((i * 7919) % 100_000) as i64, 3),
                    ..Price::default()
                },
                allowances: if i % 10 == 0 {
                    vec![AllowanceCharge {
                        percent: Some(Decimal::new(5, 0)),
                        ..AllowanceCharge::default()
                    }]
                } else {
                    vec![]
                },
                vat: VatClass {
                    category: if i % 4 == 3 {
                        TaxCategory::Z
                    } else {
                        TaxCategory::S
                    },
                    rate: Some(TaxRate::new(rates[i % 4]).unwrap()),
                },
                ..Line::default()
            })
            .collect(),
        allowances: vec![],
        charges: vec![],
        prepaid: Decimal::ZERO,
        payable_rounding: PayableRounding::None,
    }
}

fn customer_with(documents: usize) -> Account {
    let eur = Currency::parse("EUR").unwrap();
    let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let mut account = Account::default();
    for n in 0..documents {
        let date = start + chrono::Days::new((n / 8) as u64);
        let reference = format!("INV-{n:06}");
        if n % 4 == 3 {
            let paid = Money::exact(Decimal::new(15_000, 2), eur).unwrap();
            account
                .receive(
                    &reference,
                    date,
                    paid,
                    PaymentMethod::BankTransfer,
                    &Instruction::OldestDueFirst,
                )
                .unwrap();
            continue;
        }
        // Ids must be version-7 UUIDs; the sequence number fills the random part.
        let id = InvoiceId::parse(&format!("019a4d5e-0000-7000-8000-{n:012x}")).unwrap();
        let amount = Money::exact(Decimal::new(10_000 + (n as i64 % 5_000), 2), eur).unwrap();
        let item = OpenItem {
            item: ItemRef {
                invoice_id: id,
                instalment: 0,
            },
            number: reference.clone(),
            issue_date: date,
            due_date: date + chrono::Days::new(30),
            amount,
            open: amount,
            discount: None,
            disputed: false,
        };
        account
            .invoice(&reference, date, vec![item], EntryKind::Invoice)
            .unwrap();
    }
    account
}

fn benches(c: &mut Criterion) {
    let doc = invoice(10_000);
    c.bench_function("totals of a 10,000-line invoice", |b| {
        b.iter(|| compute(black_box(&doc), LineNetBasis::Computed).unwrap())
    });

    let account = customer_with(10_000);
    let eur = Currency::parse("EUR").unwrap();
    let today = NaiveDate::from_ymd_opt(2023, 6, 30).unwrap();
    let from = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    c.bench_function(
        "statement and aging of a customer with 10,000 documents",
        |b| {
            b.iter(|| {
                let statement = balance_forward(black_box(&account), eur, from, today).unwrap();
                let open = open_items(&account, eur).unwrap();
                let aging = age(account.items(), today, &AgingPolicy::default()).unwrap();
                (statement, open, aging)
            })
        },
    );
}

criterion_group!(core, benches);
criterion_main!(core);
