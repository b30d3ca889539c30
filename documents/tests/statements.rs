//! The PDF of a customer's statement and of a payment's receipt, read back with poppler's `pdftotext`
//! and `pdffonts`: every figure core computed is printed as the customer's language formats it.

mod tools;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use remit_core::bank::BankAccount;
use remit_core::document::issue::Party;
use remit_core::fixtures;
use remit_core::ids::{CustomerId, InvoiceId, PaymentId};
use remit_core::money::{Currency, Money};
use remit_core::receivables::account::{Account, EntryKind, PaymentMethod};
use remit_core::receivables::aging::{self, AgingPolicy};
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::payment::{self, RecordPayment};
use remit_core::receivables::statement;
use remit_core::receivables::{ItemRef, OpenItem};
use remit_core::settings::Settings;
use remit_documents::{
    Language, Paper, ReceiptDocument, RenderOptions, StatementDocument, receipt_pdf, statement_pdf,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use tools::{assert_contains_all, assert_fonts_embedded, available, file, png, run, text_of};

const IBAN: &str = "DE89370400440532013000";

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn eur() -> Currency {
    Currency::parse("EUR").unwrap()
}

fn money(amount: Decimal) -> Money {
    Money::exact(amount, eur()).unwrap()
}

fn settings() -> Settings {
    let mut settings = fixtures::settings_with_seller(
        fixtures::organisation_id(),
        "Fjord Consulting GmbH",
        fixtures::address("Hafenstraße 12", "20457", "Hamburg", "DE"),
    );
    settings.seller.tax_id = "DE123456789".into();
    settings.seller.legal_id = "HRB 123456".into();
    settings.bank_account = Some(BankAccount {
        iban: IBAN.into(),
        bic: "COBADEFFXXX".into(),
        name: "Fjord Consulting GmbH".into(),
    });
    settings
}

fn customer(seller: &Party) -> Party {
    let mut customer = fixtures::customer(
        CustomerId::parse(fixtures::CUSTOMER).unwrap(),
        fixtures::organisation_id(),
        "Havbris Pêcherie SARL",
        "EUR",
    );
    customer.tax_id = "FR40303265045".into();
    customer.address = fixtures::address("4 quai de la Fosse", "44000", "Nantes", "FR");
    customer.as_buyer(seller)
}

fn invoice_id(n: u32) -> InvoiceId {
    InvoiceId::parse(&format!("019a4d5e-0000-7000-8000-{n:012x}")).unwrap()
}

fn number(n: u32) -> String {
    format!("INV-2026-{n:06}")
}

/// Records invoice `n` of `amount`, issued on `issued` and due 30 days later.
fn invoice(account: &mut Account, n: u32, issued: NaiveDate, amount: Decimal) {
    let item = OpenItem {
        item: ItemRef {
            invoice_id: invoice_id(n),
            instalment: 0,
        },
        number: number(n),
        issue_date: issued,
        due_date: issued + chrono::Days::new(30),
        amount: money(amount),
        open: money(amount),
        discount: None,
        disputed: false,
    };
    account
        .invoice(&number(n), issued, vec![item], EntryKind::Invoice)
        .unwrap();
}

fn payment_of(amount: Decimal, on: NaiveDate, instruction: Instruction) -> RecordPayment {
    RecordPayment {
        id: PaymentId::parse("019a4d5e-7b1c-7c3d-8e9f-00000000aa01").unwrap(),
        organisation_id: fixtures::organisation_id(),
        customer_id: CustomerId::parse(fixtures::CUSTOMER).unwrap(),
        amount: money(amount),
        received_on: on,
        method: PaymentMethod::BankTransfer,
        reference: "REMIT 4711".into(),
        instruction,
    }
}

/// Three invoices in September and October, and 1,500.00 received on 5 October that settles the first
/// and 300.00 of the second.
fn account() -> Account {
    let mut account = Account::default();
    invoice(&mut account, 101, date("2026-09-01"), dec!(1200.00));
    invoice(&mut account, 102, date("2026-09-20"), dec!(850.50));
    invoice(&mut account, 103, date("2026-10-15"), dec!(99.90));
    let payment = payment_of(
        dec!(1500.00),
        date("2026-10-05"),
        Instruction::OldestDueFirst,
    );
    payment::receive(&mut account, &payment, &[], &settings()).unwrap();
    account
}

fn statement_of(account: &Account, from: &str, to: &str, on: &str) -> StatementDocument {
    let settings = settings();
    StatementDocument {
        customer: customer(&settings.seller),
        seller: settings.seller,
        bank_account: settings.bank_account,
        on: date(on),
        from: date(from),
        to: date(to),
        open_items: vec![statement::open_items(account, eur()).unwrap()],
        balance_forward: vec![
            statement::balance_forward(account, eur(), date(from), date(to)).unwrap(),
        ],
        aging: aging::age_in(&[eur()], account.items(), date(on), &AgingPolicy::default()).unwrap(),
    }
}

fn options(language: Language) -> RenderOptions {
    RenderOptions {
        language,
        ..RenderOptions::default()
    }
}

#[test]
fn a_statement_prints_every_open_item_the_running_balance_and_the_total_due() {
    let test = "a_statement_prints_every_open_item_the_running_balance_and_the_total_due";
    if !available("pdftotext", &["-v"], test) {
        return;
    }
    let s = statement_of(&account(), "2026-10-01", "2026-10-31", "2026-11-30");
    // Core's figures: INV-101 paid, 550.50 still open on INV-102 (due 20 Oct), 99.90 on INV-103 (due
    // 14 Nov); the October activity starts from September's 2,050.50.
    let open = &s.open_items[0];
    let items: Vec<_> = open
        .items
        .iter()
        .map(|i| (i.number.as_str(), i.open.amount(), i.days_overdue(s.on)))
        .collect();
    assert_eq!(
        items,
        [
            ("INV-2026-000102", dec!(550.50), 41),
            ("INV-2026-000103", dec!(99.90), 16)
        ]
    );
    assert_eq!(open.total_due.amount(), dec!(650.40));
    let activity = &s.balance_forward[0];
    assert_eq!(activity.opening.amount(), dec!(2050.50));
    assert_eq!(activity.closing.amount(), dec!(650.40));
    let pdf = statement_pdf(&s, &options(Language::English)).unwrap();
    let text = text_of("statement.pdf", &pdf);
    assert_contains_all(
        &text,
        &[
            "Statement of account",
            "Fjord Consulting GmbH",
            "VAT ID: DE123456789",
            "Registration no.: HRB 123456",
            "Havbris Pêcherie SARL",
            "4 quai de la Fosse",
            "44000 Nantes",
            "France",
            "Statement date",
            "Nov 30, 2026",
            "Oct 1, 2026 – Oct 31, 2026",
            "Account in EUR",
            // Open items: number, issue and due date, days overdue, amount, open.
            "INV-2026-000102",
            "Sep 20, 2026",
            "Oct 20, 2026",
            " 41 ",
            "EUR 850.50",
            "EUR 550.50",
            "INV-2026-000103",
            "Nov 14, 2026",
            " 16 ",
            "EUR 99.90",
            "Total due",
            "EUR 650.40",
            // Aged on the statement's date: INV-102 41 days late, INV-103 16.
            "Open amounts by days past due",
            "Not yet due",
            "1–30 days",
            "31–60 days",
            "90+ days",
            // Activity: opening, the payment and the invoice with the balance after each, closing.
            "Opening balance",
            "EUR 2,050.50",
            "-EUR 1,500.00",
            "Invoice",
            "Closing balance",
            "Payment",
            "IBAN: DE89370400440532013000",
            "Page 1 of 1",
        ],
    );
    assert!(!text.contains("INV-2026-000101 "), "settled: {text}");
}

#[test]
fn unapplied_credit_is_stated_and_lowers_the_total_due() {
    let test = "unapplied_credit_is_stated_and_lowers_the_total_due";
    if !available("pdftotext", &["-v"], test) {
        return;
    }
    let mut account = account();
    let named = Instruction::Named(vec![invoice_id(103)]);
    let payment = payment_of(dec!(150.00), date("2026-11-02"), named);
    payment::receive(&mut account, &payment, &[], &settings()).unwrap();
    let s = statement_of(&account, "2026-11-01", "2026-11-30", "2026-11-30");
    assert_eq!(s.open_items[0].unapplied.amount(), dec!(50.10));
    assert_eq!(s.open_items[0].total_due.amount(), dec!(500.40));
    let text = text_of(
        "credit.pdf",
        &statement_pdf(&s, &options(Language::English)).unwrap(),
    );
    assert_contains_all(
        &text,
        &[
            "Less unapplied credit",
            "EUR 50.10",
            "EUR 500.40",
            "EUR 650.40",
            "-EUR 150.00",
        ],
    );
}

#[test]
fn a_german_statement_has_german_labels_dates_and_amounts() {
    if !available("pdftotext", &["-v"], "a_german_statement") {
        return;
    }
    let s = statement_of(&account(), "2026-10-01", "2026-10-31", "2026-11-30");
    let text = text_of(
        "de.pdf",
        &statement_pdf(&s, &options(Language::German)).unwrap(),
    );
    assert_contains_all(
        &text,
        &[
            "Kontoauszug",
            "Offene Posten",
            "Tage überfällig",
            "30.11.2026",
            "550,50 EUR",
            "2.050,50 EUR",
            "Anfangssaldo",
            "Zahlung",
            "Seite 1 von 1",
        ],
    );
}

#[test]
fn a_200_item_statement_paginates_with_page_numbers_on_a4_and_letter() {
    let test = "a_200_item_statement_paginates_with_page_numbers_on_a4_and_letter";
    if !available("pdftotext", &["-v"], test) {
        return;
    }
    let s = long_statement(200);
    assert_eq!(s.open_items[0].items.len(), 200);
    for paper in [Paper::A4, Paper::Letter] {
        let options = RenderOptions {
            paper,
            ..options(Language::English)
        };
        let pdf = statement_pdf(&s, &options).unwrap();
        let text = text_of("long-statement.pdf", &pdf);
        let pages = text.matches('\u{c}').count();
        assert!(pages >= 6, "{paper:?}: {pages} pages");
        let last = format!("Page {pages} of {pages}");
        let total = s.open_items[0].total_due.amount();
        assert_eq!(total, dec!(20100.00));
        assert_contains_all(
            &text,
            &[
                "Page 1 of",
                &last,
                "INV-2026-000001 ",
                "INV-2026-000200",
                "EUR 20,100.00",
            ],
        );
        // The tables' headers repeat on every page they continue on.
        assert!(text.matches("Days overdue").count() >= 3, "{text}");
        assert!(text.matches("Balance").count() >= 3, "{text}");
    }
}

/// `items` invoices of 1.00, 2.00, … issued one a day from 1 March, none paid.
fn long_statement(items: u32) -> StatementDocument {
    let mut account = Account::default();
    for n in 1..=items {
        let issued = date("2026-03-01") + chrono::Days::new(u64::from(n));
        invoice(&mut account, n, issued, Decimal::from(n));
    }
    statement_of(&account, "2026-03-01", "2026-12-31", "2026-12-31")
}

#[test]
fn every_font_of_a_statement_and_a_receipt_is_embedded() {
    if !available("pdffonts", &["-v"], "every_font_is_embedded") {
        return;
    }
    let s = statement_of(&account(), "2026-10-01", "2026-10-31", "2026-11-30");
    let pdfs = [
        statement_pdf(&s, &options(Language::French)).unwrap(),
        receipt_pdf(&receipt(), &options(Language::French)).unwrap(),
    ];
    for pdf in pdfs {
        assert_fonts_embedded("fonts-statement.pdf", &pdf);
    }
}

#[test]
fn rendering_twice_gives_the_same_bytes() {
    let s = statement_of(&account(), "2026-10-01", "2026-10-31", "2026-11-30");
    let r = receipt();
    for language in Language::ALL {
        let options = options(language);
        assert_eq!(
            statement_pdf(&s, &options).unwrap(),
            statement_pdf(&s.clone(), &options).unwrap()
        );
        assert_eq!(
            receipt_pdf(&r, &options).unwrap(),
            receipt_pdf(&r.clone(), &options).unwrap()
        );
    }
}

/// A receipt for a payment of `amount` naming INV-101 (1,200.00) and INV-102 (850.50), allocated by
/// core.
fn receipt_for(amount: Decimal) -> ReceiptDocument {
    let settings = settings();
    let mut account = Account::default();
    invoice(&mut account, 101, date("2026-09-01"), dec!(1200.00));
    invoice(&mut account, 102, date("2026-09-20"), dec!(850.50));
    let named = Instruction::Named(vec![invoice_id(101), invoice_id(102)]);
    let recorded = payment_of(amount, date("2026-10-05"), named);
    let received = payment::receive(&mut account, &recorded, &[], &settings).unwrap();
    ReceiptDocument {
        customer: customer(&settings.seller),
        seller: settings.seller,
        payment: received.payment,
        invoice_numbers: BTreeMap::from([
            (invoice_id(101), number(101)),
            (invoice_id(102), number(102)),
        ]),
    }
}

fn receipt() -> ReceiptDocument {
    receipt_for(dec!(2500.00))
}

#[test]
fn a_receipt_states_the_payment_each_invoice_it_paid_and_the_credit_left() {
    if !available("pdftotext", &["-v"], "a_receipt_states_the_payment") {
        return;
    }
    let r = receipt();
    let applied: Vec<_> = r
        .payment
        .allocation
        .lines
        .iter()
        .map(|l| l.amount.amount())
        .collect();
    assert_eq!(applied, [dec!(1200.00), dec!(850.50)]);
    assert_eq!(r.payment.allocation.unapplied.amount(), dec!(449.50));
    let text = text_of(
        "receipt.pdf",
        &receipt_pdf(&r, &options(Language::English)).unwrap(),
    );
    assert_contains_all(
        &text,
        &[
            "Payment receipt",
            "Fjord Consulting GmbH",
            "Received from",
            "Havbris Pêcherie SARL",
            "Received on",
            "Oct 5, 2026",
            "Amount received",
            "EUR 2,500.00",
            "Bank transfer",
            "REMIT 4711",
            "INV-2026-000101",
            "EUR 1,200.00",
            "INV-2026-000102",
            "EUR 850.50",
            "Credited to your account",
            "EUR 449.50",
            "Total received",
            "Page 1 of 1",
        ],
    );
    let norwegian = receipt_pdf(&r, &options(Language::NorwegianBokmal)).unwrap();
    let text = text_of("receipt-nb.pdf", &norwegian);
    assert_contains_all(
        &text,
        &["Betalingskvittering", "Bankoverføring", "2 500,00 EUR"],
    );
}

#[test]
fn a_receipt_without_credit_leaves_the_credit_line_out() {
    if !available("pdftotext", &["-v"], "a_receipt_without_credit") {
        return;
    }
    let r = receipt_for(dec!(1000.00));
    let text = text_of(
        "receipt-exact.pdf",
        &receipt_pdf(&r, &options(Language::English)).unwrap(),
    );
    assert_contains_all(
        &text,
        &["INV-2026-000101", "EUR 1,000.00", "Total received"],
    );
    assert!(!text.contains("INV-2026-000102"), "{text}");
    assert!(!text.contains("Credited to your account"), "{text}");
}

#[test]
fn a_receipt_needs_the_number_of_every_invoice_it_paid() {
    let mut r = receipt();
    r.invoice_numbers.remove(&invoice_id(102));
    assert!(matches!(
        receipt_pdf(&r, &options(Language::English)),
        Err(remit_documents::RenderError::Inconsistent(_))
    ));
}

#[test]
fn a_statement_and_a_receipt_are_pdf_a_3b_dated_by_their_own_date_not_the_clock() {
    if !available("pdfinfo", &["-v"], "a_statement_and_a_receipt_are_pdf_a_3b") {
        return;
    }
    let s = statement_of(&account(), "2026-10-01", "2026-10-31", "2026-11-30");
    let cases = [
        (
            statement_pdf(&s, &options(Language::English)).unwrap(),
            "2026-11-30",
        ),
        (
            receipt_pdf(&receipt(), &options(Language::English)).unwrap(),
            "2026-10-05",
        ),
    ];
    for (pdf, date) in cases {
        let path = file("pdfa.pdf", &pdf);
        let xmp = run("pdfinfo", &["-meta", path.to_str().unwrap()]);
        assert_contains_all(
            &xmp,
            &[
                "<pdfaid:part>3</pdfaid:part>",
                "<pdfaid:conformance>B</pdfaid:conformance>",
                &format!("<xmp:CreateDate>{date}T00:00:00+00:00</xmp:CreateDate>"),
                "<dc:creator><rdf:Seq><rdf:li>Fjord Consulting GmbH</rdf:li>",
            ],
        );
    }
}

#[test]
fn a_statement_and_a_receipt_carry_the_organisations_logo() {
    if !available(
        "pdfimages",
        &["-v"],
        "a_statement_and_a_receipt_carry_the_logo",
    ) {
        return;
    }
    let with_logo = RenderOptions {
        logo: Some(png()),
        paper: Paper::Letter,
        ..options(Language::English)
    };
    let s = statement_of(&account(), "2026-10-01", "2026-10-31", "2026-11-30");
    let pdfs = [
        statement_pdf(&s, &with_logo).unwrap(),
        receipt_pdf(&receipt(), &with_logo).unwrap(),
    ];
    for pdf in pdfs {
        let path = file("logo-statement.pdf", &pdf);
        let listing = run("pdfimages", &["-list", path.to_str().unwrap()]);
        // Header, rule, then the logo on page 1: 2 × 2 pixels.
        let images: Vec<Vec<&str>> = listing
            .lines()
            .skip(2)
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(images.len(), 1, "{listing}");
        assert_eq!(&images[0][..5], ["1", "0", "image", "2", "2"], "{listing}");
        let info = run("pdfinfo", &[path.to_str().unwrap()]);
        assert!(info.contains("612 x 792 pts (letter)"), "{info}");
    }
}
