//! Performance targets of the PDF (issue 13, BENCHMARKS.md): a 10-line invoice ≤ 20 ms, a 500-line
//! invoice ≤ 200 ms, a statement of 200 open items (and their 200 lines of activity) ≤ 100 ms, native,
//! each from the snapshot or statement to the finished bytes (fonts subset and embedded, the Factur-X
//! metadata step included).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use remit_core::bank::BankAccount;
use remit_core::document::issue::{Payee, Snapshot};
use remit_core::fixtures;
use remit_core::ids::InvoiceId;
use remit_core::money::{Currency, Money};
use remit_core::numbering::InvoiceNumber;
use remit_core::receivables::account::{Account, EntryKind};
use remit_core::receivables::aging::{self, AgingPolicy};
use remit_core::receivables::statement;
use remit_core::receivables::{ItemRef, OpenItem};
use remit_documents::{
    EmbeddedInvoice, Language, RenderOptions, StatementDocument, invoice_pdf, statement_pdf,
};
use rust_decimal::Decimal;

fn snapshot(lines: usize) -> Snapshot {
    let draft = fixtures::draft(
        "EUR",
        (1..=lines)
            .map(|i| {
                let rate = if i % 3 == 0 { 7 } else { 19 };
                fixtures::line(
                    &format!("Consulting, work package {i}"),
                    Decimal::new(i as i64 % 17 + 1, 0),
                    Decimal::new(12_345 + i as i64, 2),
                    Decimal::new(rate, 0),
                )
            })
            .collect(),
    );
    let seller = fixtures::settings_with_seller(
        fixtures::organisation_id(),
        "Fjord Consulting GmbH",
        fixtures::address("Hafenstraße 12", "20457", "Hamburg", "DE"),
    )
    .seller;
    let mut buyer = seller.clone();
    buyer.name = "Havbris Fiskeri AS".into();
    let payee = Payee {
        bank_account: Some(BankAccount {
            iban: "DE89370400440532013000".into(),
            bic: "COBADEFFXXX".into(),
            name: "Fjord Consulting GmbH".into(),
        }),
        payment_means_code: "58".into(),
        accounting_currency: None,
    };
    Snapshot::issue_for(
        &draft,
        InvoiceNumber::parse("INV-2026-000042").unwrap(),
        seller,
        buyer,
        draft.payment_plan().unwrap(),
        &payee,
    )
    .unwrap()
}

/// A customer with `items` unpaid invoices, one a day: as many open items and lines of activity.
fn statement(items: u32) -> StatementDocument {
    let eur = Currency::parse("EUR").unwrap();
    let day =
        |n: u32| chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(n.into());
    let mut account = Account::default();
    for n in 1..=items {
        let number = format!("INV-2026-{n:06}");
        let amount = Money::exact(Decimal::new(i64::from(n) * 1_999, 2), eur).unwrap();
        let item = OpenItem {
            item: ItemRef {
                invoice_id: InvoiceId::parse(&format!("019a4d5e-0000-7000-8000-{n:012x}")).unwrap(),
                instalment: 0,
            },
            number: number.clone(),
            issue_date: day(n),
            due_date: day(n + 30),
            amount,
            open: amount,
            discount: None,
            disputed: false,
        };
        account
            .invoice(&number, day(n), vec![item], EntryKind::Invoice)
            .unwrap();
    }
    let settings = fixtures::settings_with_seller(
        fixtures::organisation_id(),
        "Fjord Consulting GmbH",
        fixtures::address("Hafenstraße 12", "20457", "Hamburg", "DE"),
    );
    let mut customer = settings.seller.clone();
    customer.name = "Havbris Fiskeri AS".into();
    let (from, to) = (day(0), day(items + 1));
    StatementDocument {
        seller: settings.seller,
        bank_account: settings.bank_account,
        customer,
        on: to,
        from,
        to,
        open_items: vec![statement::open_items(&account, eur).unwrap()],
        balance_forward: vec![statement::balance_forward(&account, eur, from, to).unwrap()],
        aging: aging::age_in(&[eur], account.items(), to, &AgingPolicy::default()).unwrap(),
    }
}

fn render(c: &mut Criterion) {
    let options = RenderOptions {
        language: Language::German,
        embedded_invoice: Some(EmbeddedInvoice::factur_x(vec![b' '; 20_000])),
        ..RenderOptions::default()
    };
    for lines in [10, 500] {
        let s = snapshot(lines);
        c.bench_function(&format!("pdf of a {lines}-line invoice"), |b| {
            b.iter(|| invoice_pdf(black_box(&s), &options).unwrap())
        });
    }
    let s = statement(200);
    let options = RenderOptions {
        language: Language::German,
        ..RenderOptions::default()
    };
    c.bench_function("pdf of a 200-item statement", |b| {
        b.iter(|| statement_pdf(black_box(&s), &options).unwrap())
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
