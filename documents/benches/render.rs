//! Performance targets of the PDF (issue 13, BENCHMARKS.md): a 10-line invoice ≤ 20 ms, a 500-line
//! invoice ≤ 200 ms, native, each from the snapshot to the finished bytes (fonts subset and
//! embedded, the Factur-X metadata step included).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use remit_core::bank::BankAccount;
use remit_core::document::issue::{Payee, Snapshot};
use remit_core::fixtures;
use remit_core::numbering::InvoiceNumber;
use remit_documents::{EmbeddedInvoice, Language, RenderOptions, invoice_pdf};
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
}

criterion_group!(benches, render);
criterion_main!(benches);
