use rust_decimal_macros::dec;

use super::*;
use crate::document::issued::Voided;
use crate::fixtures;
use crate::money::Currency;
use crate::receivables::ItemRef;
use crate::receivables::allocation::AllocationLine;

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn nok(text: &str) -> Money {
    Money::parse(text, Currency::parse("NOK").unwrap()).unwrap()
}

/// INV-2026-000001 to Fiskeri AS: 1,250.00 NOK, issued 2026-11-23, due 2026-12-07.
fn invoice() -> Invoice {
    fixtures::issued(vec![fixtures::line(
        "Net repair",
        dec!(4),
        dec!(250),
        dec!(25),
    )])
}

fn paid(invoice: &Invoice, amount: &str) -> InvoiceBalance {
    let mut balance = InvoiceBalance::of(invoice, &[], &[], &[]).unwrap();
    balance
        .settle(&[AllocationLine {
            item: ItemRef {
                invoice_id: invoice.id,
                instalment: 0,
            },
            amount: nok(amount),
            discount: nok("0"),
        }])
        .unwrap();
    balance
}

#[test]
fn an_invoice_is_open_until_nothing_is_owed_and_void_once_voided() {
    let invoice = invoice();
    let unpaid = InvoiceListing::unpaid(&invoice).unwrap();
    assert_eq!(unpaid.status, InvoiceStatus::Open);
    assert_eq!(unpaid.open, nok("1250.00"));
    assert_eq!(unpaid.due_date, date("2026-12-07"));
    assert_eq!(unpaid.issue_date, date("2026-11-23"));

    let part = InvoiceListing::of(&invoice, &paid(&invoice, "1000.00")).unwrap();
    assert_eq!(
        (part.status, part.open),
        (InvoiceStatus::Open, nok("250.00"))
    );

    let whole = InvoiceListing::of(&invoice, &paid(&invoice, "1250.00")).unwrap();
    assert_eq!(
        (whole.status, whole.open),
        (InvoiceStatus::Paid, nok("0.00"))
    );
    assert_eq!(whole.due_date, date("2026-12-07"));

    let mut voided = invoice.clone();
    voided.voided = Some(Voided {
        on: date("2026-11-24"),
        reason: "Issued twice".into(),
    });
    let void = InvoiceListing::unpaid(&voided).unwrap();
    assert_eq!((void.status, void.open), (InvoiceStatus::Void, nok("0.00")));
}

#[test]
fn the_listing_is_searched_by_the_number_and_the_buyers_name() {
    let listing = InvoiceListing::unpaid(&invoice()).unwrap();
    assert_eq!(listing.number, "inv-2026-000001");
    assert_eq!(
        listing.words,
        ["inv-2026-000001", "2026-000001", "000001", "fiskeri", "as"]
    );
    assert!(search::matches(
        &listing.words,
        &search::query_words("FISK")
    ));
    assert!(search::matches(
        &listing.words,
        &search::query_words("inv-2026")
    ));
    assert!(!search::matches(
        &listing.words,
        &search::query_words("nordlys")
    ));
}

#[test]
fn overdue_is_an_open_invoice_due_before_today_so_it_changes_with_the_clock() {
    let listing = InvoiceListing::unpaid(&invoice()).unwrap();
    let cases: &[(InvoiceFilter, &str, bool)] = &[
        (InvoiceFilter::All, "2026-12-07", true),
        (InvoiceFilter::Open, "2026-12-07", true),
        (InvoiceFilter::Overdue, "2026-12-07", false),
        (InvoiceFilter::Overdue, "2026-12-08", true),
        (InvoiceFilter::Paid, "2026-12-08", false),
        (InvoiceFilter::Void, "2026-12-08", false),
    ];
    for (filter, today, admitted) in cases {
        assert_eq!(
            filter.admits(&listing, date(today)),
            *admitted,
            "{filter:?} on {today}"
        );
    }
    assert!(!listing.is_overdue(date("2026-12-07")));
    assert!(listing.is_overdue(date("2026-12-08")));
    let invoice = invoice();
    let settled = InvoiceListing::of(&invoice, &paid(&invoice, "1250.00")).unwrap();
    assert!(!settled.is_overdue(date("2027-06-01")));
    assert!(InvoiceFilter::Paid.admits(&settled, date("2027-06-01")));
}

#[test]
fn filters_read_a_status_and_a_range_of_due_dates() {
    let today = date("2026-12-01");
    assert_eq!(InvoiceFilter::All.bounds(today), None);
    let overdue = InvoiceFilter::Overdue.bounds(today).unwrap();
    assert_eq!(overdue.status, InvoiceStatus::Open);
    assert_eq!((overdue.from, overdue.before), (None, Some(today)));
    assert!(!overdue.newest_first);
    assert!(InvoiceFilter::Paid.bounds(today).unwrap().newest_first);
    assert_eq!(
        serde_json::to_value(InvoiceStatus::Void).unwrap(),
        serde_json::json!(InvoiceStatus::Void.as_str())
    );
}

#[test]
fn a_customer_is_listed_by_its_folded_name() {
    let listing = CustomerListing::of("  Ærø Fiskeri AS ");
    assert_eq!(listing.name, "aero fiskeri as");
    assert_eq!(listing.words, ["aero", "fiskeri", "as"]);
}
