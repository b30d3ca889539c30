//! Any invoice core lets you issue, exported as UBL and as CII, passes the official EN 16931 rules.
//!
//! 200 invoices (and credit notes of some of them) are generated from a fixed seed and issued through
//! core's real issue decision ([`issued_invoice`], server-numbered); drafts it refuses are counted by the
//! field it names and generated again. Every issued document is written in both syntaxes, read back
//! (its totals must be the snapshot's to the cent), and all files are checked in one call of
//! `../shared/validators/en16931-check --json` (the CEN validation artefacts run by SaxonC, the
//! stylesheets compiled once), which must report no fatal rule.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use remit_core::bank::BankAccount;
use remit_core::customer::Customer;
use remit_core::decide::issuing::{IssueContext, SeriesHead, credit_note, issued_invoice};
use remit_core::document::en16931::DocumentKind;
use remit_core::document::en16931::PriceBasis;
use remit_core::document::issue::{Address, CreditScope, Party, Snapshot};
use remit_core::document::issued::{IssueCreditNote, IssueInvoice, NumberSource};
use remit_core::document::parts::{Adjustment, Delivery, DocumentAdjustment, Exemption, Period};
use remit_core::document::{AccountingRate, InvoiceDraft, InvoiceLine, TaxRounding};
use remit_core::einvoice::{EInvoice, parse, snapshot_to_cii, snapshot_to_ubl};
use remit_core::ids::{ClientId, CreditNoteId, CustomerId, InvoiceId, OrganisationId};
use remit_core::money::Currency;
use remit_core::settings::Settings;
use remit_core::tax::{TaxCategory, TaxRate};
use remit_core::terms::{EarlyPaymentDiscount, Instalment, PaymentPlan, PaymentTerms};
use rust_decimal::Decimal;

const INVOICES: usize = 200;
const MAX_ATTEMPTS: usize = 5000;
const SEED: [u8; 32] = *b"remit en16931 export, seed no. 1";

const COUNTRIES: [&str; 7] = ["NO", "DE", "FR", "SE", "NL", "IT", "AT"];
const CURRENCIES: [&str; 7] = ["NOK", "EUR", "SEK", "CHF", "JPY", "DKK", "GBP"];
/// Valid IBANs (ISO 13616 check digits).
const IBANS: [&str; 4] = [
    "NO9386011117947",
    "DE89370400440532013000",
    "GB82WEST12345698765432",
    "FR1420041010050500013M02606",
];

fn validator() -> Option<PathBuf> {
    let shared = std::env::var_os("REMIT_SHARED").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
        PathBuf::from,
    );
    let script = shared.join("validators/en16931-check");
    if script.is_file() {
        Some(script)
    } else {
        let msg = format!(
            "SKIPPED: the EN 16931 validator is not at {} (set REMIT_SHARED)",
            script.display()
        );
        println!("{msg}");
        eprintln!("{msg}");
        None
    }
}

fn id(n: usize, kind: u16) -> String {
    format!("019a4d5e-0000-7000-8{kind:03x}-{n:012x}")
}

fn organisation() -> OrganisationId {
    OrganisationId::parse(&id(1, 0)).expect("a v7 id")
}

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date") + Duration::days(offset)
}

fn text(max: usize) -> BoxedStrategy<String> {
    proptest::string::string_regex(&format!(
        "[A-Za-z][A-Za-z0-9 &<>'\"./-]{{0,{max}}}[A-Za-z0-9]"
    ))
    .expect("a regular expression")
    .boxed()
}

fn decimal(max: i64, max_scale: u32) -> impl Strategy<Value = Decimal> {
    (0..=max, 0..=max_scale).prop_map(|(m, s)| Decimal::new(m, s))
}

fn address(country: &'static str) -> impl Strategy<Value = Address> {
    (
        prop::collection::vec(text(20), 1..=4),
        prop::option::of("[0-9]{4,5}"),
        prop::option::of(text(12)),
    )
        .prop_map(move |(lines, postcode, city)| Address {
            lines,
            postcode: postcode.unwrap_or_default(),
            city: city.unwrap_or_default(),
            country: country.to_owned(),
        })
}

/// A VAT identifier of `country`, or none one time in `none_in`.
fn vat_id(country: &'static str, none_in: u32) -> impl Strategy<Value = String> {
    prop_oneof![
        none_in.saturating_sub(1) => "[0-9]{9}".prop_map(move |n| format!("{country}{n}")),
        1 => Just(String::new()),
    ]
}

/// How the invoices of a scenario are taxed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Regime {
    /// Any category but O and B, mixed.
    Vat,
    /// Outside the scope of VAT (O) only.
    OutsideScope,
    /// Italian split payment (B) only, between Italian parties.
    SplitPayment,
}

impl Regime {
    fn countries(self) -> Vec<&'static str> {
        match self {
            Regime::SplitPayment => vec!["IT"],
            _ => COUNTRIES.to_vec(),
        }
    }
}

/// The seller, as the settings print it; sellers outside the scope of VAT are identified by a legal
/// registration identifier only.
fn seller(regime: Regime) -> impl Strategy<Value = Party> {
    let outside_scope = regime == Regime::OutsideScope;
    prop::sample::select(regime.countries()).prop_flat_map(move |country| {
        (
            text(30),
            vat_id(country, if outside_scope { 1 } else { 12 }),
            prop::option::of("[0-9]{9}"),
            address(country),
        )
            .prop_map(move |(name, tax_id, legal_id, address)| Party {
                name,
                tax_id: if outside_scope { String::new() } else { tax_id },
                legal_id: if outside_scope {
                    legal_id.unwrap_or_else(|| "987654321".into())
                } else {
                    legal_id.unwrap_or_default()
                },
                address,
            })
    })
}

fn customer(regime: Regime) -> impl Strategy<Value = Customer> {
    let outside_scope = regime == Regime::OutsideScope;
    (
        text(30),
        prop::sample::select(regime.countries()),
        any::<bool>(),
        prop::sample::select(CURRENCIES.to_vec()),
    )
        .prop_flat_map(move |(name, country, domestic, currency)| {
            (
                Just(name),
                vat_id(country, if outside_scope { 1 } else { 3 }),
                address(country),
                Just(domestic),
                Just(currency),
            )
        })
        .prop_map(
            move |(name, tax_id, address, domestic, currency)| Customer {
                id: CustomerId::parse(&id(2, 0)).expect("a v7 id"),
                organisation_id: organisation(),
                name,
                email: String::new(),
                currency: Currency::parse(currency).expect("a known currency"),
                payment_terms_days: 14,
                tax_id: if outside_scope { String::new() } else { tax_id },
                // A domestic customer entered with a name only is taken to be in the seller's country.
                address: if domestic {
                    Address::default()
                } else {
                    address
                },
                language: None,
            },
        )
}

fn settings(seller: Party) -> impl Strategy<Value = Settings> {
    (
        prop::option::of((prop::sample::select(IBANS.to_vec()), any::<bool>())),
        prop::sample::select(vec!["", "30", "58", "31", "49", "1", "ZZZ", "10"]),
        prop::option::of(prop::sample::select(vec!["NOK", "EUR"])),
    )
        .prop_map(move |(account, means, accounting)| {
            let mut s = Settings::initial(organisation(), &seller.name);
            s.seller = seller.clone();
            s.bank_account = account.map(|(iban, bic)| BankAccount {
                iban: iban.into(),
                bic: if bic {
                    "DNBANOKK".into()
                } else {
                    String::new()
                },
                name: seller.name.clone(),
            });
            s.payment_means_code = means.into();
            s.accounting_currency = accounting.map(|c| Currency::parse(c).expect("currency"));
            s
        })
}

/// A VAT category and rate with the exemption its category needs.
fn vat(regime: Regime) -> BoxedStrategy<(TaxCategory, Decimal, Option<Exemption>)> {
    let exempt = |category, code: &'static str| {
        (
            Just(category),
            Just(Decimal::ZERO),
            prop::option::of(text(30)),
        )
            .prop_map(move |(c, r, text)| {
                (
                    c,
                    r,
                    Some(Exemption {
                        code: code.into(),
                        text: text.unwrap_or_default(),
                    }),
                )
            })
    };
    match regime {
        Regime::OutsideScope => return exempt(TaxCategory::O, "VATEX-EU-O").boxed(),
        Regime::SplitPayment => {
            return prop::sample::select(vec![22i64, 10, 4])
                .prop_map(|r| (TaxCategory::B, Decimal::from(r), None))
                .boxed();
        }
        Regime::Vat => {}
    }
    prop_oneof![
        12 => prop::sample::select(vec![25i64, 15, 12, 19, 7, 21, 20, 6, 81])
            .prop_map(|r| (TaxCategory::S, Decimal::new(r, u32::from(r == 81)), None)),
        1 => Just((TaxCategory::Z, Decimal::ZERO, None)),
        1 => exempt(TaxCategory::E, "VATEX-EU-132-1I"),
        1 => exempt(TaxCategory::AE, "VATEX-EU-AE"),
        1 => exempt(TaxCategory::K, "VATEX-EU-IC"),
        1 => exempt(TaxCategory::G, "VATEX-EU-G"),
        1 => prop::sample::select(vec![
            (TaxCategory::L, Decimal::from(7)),
            (TaxCategory::L, Decimal::ZERO),
            (TaxCategory::M, Decimal::from(4)),
        ])
        .prop_map(|(c, r)| (c, r, None)),
    ]
    .boxed()
}

fn adjustment(codes: Vec<&'static str>) -> impl Strategy<Value = Adjustment> {
    (
        prop_oneof![
            decimal(20_000, 2).prop_map(|a| (Some(a), None)),
            (0i64..=1000).prop_map(|p| (None, Some(Decimal::new(p, 1)))),
        ],
        prop::sample::select(codes),
        prop::option::of(text(20)),
    )
        .prop_map(|((amount, percent), code, reason)| Adjustment {
            amount,
            percent,
            reason: match (code, reason) {
                ("", None) => "Adjustment".into(),
                (_, reason) => reason.unwrap_or_default(),
            },
            reason_code: code.into(),
        })
}

fn line(regime: Regime) -> impl Strategy<Value = InvoiceLine> {
    (
        (
            text(40),
            (-500i64..20_000, 0u32..=3).prop_map(|(m, s)| Decimal::new(m, s)),
            decimal(2_000_000, 4),
            vat(regime),
            prop::sample::select(vec!["C62", "HUR", "KGM", "MTR", "DAY", "H87", "LTR", "XBX"]),
        ),
        (
            prop::option::of(prop::sample::select(vec![10i64, 12, 100])),
            prop::option::of(decimal(50_000, 2)),
            prop::collection::vec(adjustment(vec!["95", "100", "41", ""]), 0..=1),
            prop::collection::vec(adjustment(vec!["FC", "ABL", "AA", ""]), 0..=1),
            prop::option::of((0i64..20, 0i64..40)),
        ),
    )
        .prop_map(
            |(
                (description, quantity, unit_price, (category, rate, exemption), unit),
                (base, list_discount, allowances, charges, period),
            )| InvoiceLine {
                description,
                quantity,
                unit_price,
                tax_category: category,
                tax_rate: TaxRate::new(rate).expect("a rate"),
                item_id: None,
                unit_code: unit.into(),
                price_base_quantity: base.map(Decimal::from),
                gross_price: list_discount.map(|d| unit_price + d),
                price_discount: list_discount,
                allowances,
                charges,
                exemption,
                period: period.map(|(start, days)| Period {
                    start: day(start),
                    end: day(start + days),
                }),
            },
        )
}

fn plan() -> impl Strategy<Value = Option<PaymentPlan>> {
    let terms = prop::sample::select(vec![
        PaymentTerms::DueOnReceipt,
        PaymentTerms::Net { days: 14 },
        PaymentTerms::Net { days: 30 },
        PaymentTerms::NetEndOfMonth { days: 30 },
        PaymentTerms::EndOfFollowingMonth,
        PaymentTerms::DayOfNextMonth { day: 15 },
    ]);
    prop::option::of((
        terms.clone(),
        prop::option::of(terms),
        prop::option::of(prop::sample::select(vec![(2i64, 10u16), (3, 7)])),
    ))
    .prop_map(|p| {
        p.map(|(first, second, discount)| PaymentPlan {
            instalments: match second {
                Some(second) => vec![
                    Instalment {
                        percent: Decimal::from(40),
                        terms: first,
                    },
                    Instalment {
                        percent: Decimal::from(60),
                        terms: second,
                    },
                ],
                None => vec![Instalment {
                    percent: Decimal::ONE_HUNDRED,
                    terms: first,
                }],
            },
            discount: discount.map(|(percent, days)| EarlyPaymentDiscount {
                percent: Decimal::from(percent),
                days,
                vat: Default::default(),
            }),
        })
    })
}

/// What a document-level allowance or charge is made of before it is put in a line's VAT class.
type DocumentLevel = (usize, Adjustment);

fn document_level(codes: Vec<&'static str>) -> impl Strategy<Value = Vec<DocumentLevel>> {
    prop::collection::vec((0usize..6, adjustment(codes)), 0..=2)
}

#[derive(Debug, Clone)]
struct Scenario {
    settings: Settings,
    customer: Customer,
    draft: InvoiceDraft,
}

#[allow(clippy::too_many_lines, reason = "one draft field after another")]
fn scenario() -> impl Strategy<Value = Scenario> {
    prop_oneof![
        8 => Just(Regime::Vat),
        1 => Just(Regime::OutsideScope),
        1 => Just(Regime::SplitPayment),
    ]
    .prop_flat_map(|regime| {
        (
            seller(regime).prop_flat_map(settings),
            customer(regime),
            prop::collection::vec(line(regime), 1..6),
            (
                document_level(vec!["95", "100", ""]),
                document_level(vec!["FC", "ABL", ""]),
                prop::option::of(0i64..200),
                any::<bool>(),
                any::<bool>(),
                prop_oneof![3 => Just(PriceBasis::Net), 1 => Just(PriceBasis::Gross)],
            ),
            (
                0i64..40,
                plan(),
                prop::option::of(text(20)),
                prop::option::of(text(20)),
                prop::option::of((
                    prop::option::of(0i64..40),
                    prop::option::of((0i64..20, 0i64..30)),
                )),
                prop::option::of(text(60)),
            ),
        )
            .prop_map(
                |(
                    settings,
                    customer,
                    lines,
                    (allowances, charges, prepaid, cash_rounding, per_line, price_basis),
                    (issued, terms, buyer_reference, purchase_order, delivery, note),
                )| {
                    let issue_date = day(issued);
                    let place = |list: Vec<DocumentLevel>| -> Vec<DocumentAdjustment> {
                        if price_basis == PriceBasis::Gross {
                            return Vec::new();
                        }
                        list.into_iter()
                            .map(|(i, adjustment)| {
                                let l = &lines[i % lines.len()];
                                DocumentAdjustment {
                                    adjustment,
                                    tax_category: l.tax_category,
                                    tax_rate: l.tax_rate,
                                }
                            })
                            .collect()
                    };
                    let intra_community = lines.iter().any(|l| l.tax_category == TaxCategory::K);
                    let delivery = delivery
                        .map(|(date, period)| Delivery {
                            date: date.map(day),
                            period: period.map(|(start, days)| Period {
                                start: day(start),
                                end: day(start + days),
                            }),
                        })
                        .filter(|d| d.date.is_some() || d.period.is_some())
                        .or(intra_community.then_some(Delivery {
                            date: Some(issue_date),
                            period: None,
                        }));
                    let currency = customer.currency;
                    let due_date = terms.as_ref().map_or(issue_date + Duration::days(14), |p| {
                        p.due_date(issue_date).expect("terms give a due date")
                    });
                    let accounting_rate = settings
                        .accounting_currency
                        .filter(|books| *books != currency)
                        .map(|_| AccountingRate {
                            rate: Decimal::new(117_385, 4),
                            date: issue_date,
                        });
                    let draft = InvoiceDraft {
                        id: InvoiceId::parse(&id(3, 0)).expect("a v7 id"),
                        organisation_id: organisation(),
                        customer_id: customer.id,
                        currency,
                        issue_date,
                        due_date,
                        tax_rounding: if per_line {
                            TaxRounding::PerLine
                        } else {
                            TaxRounding::PerDocument
                        },
                        allowances: place(allowances),
                        charges: place(charges),
                        lines,
                        note: note.unwrap_or_default(),
                        version: 0,
                        price_basis,
                        prepaid: prepaid.map(Decimal::from).unwrap_or_default(),
                        buyer_reference: buyer_reference.unwrap_or_default(),
                        purchase_order: purchase_order.unwrap_or_default(),
                        delivery,
                        cash_rounding: cash_rounding && currency.cash_increment().is_some(),
                        terms,
                        accounting_rate,
                    };
                    Scenario {
                        settings,
                        customer,
                        draft,
                    }
                },
            )
    })
}

/// Issues generated drafts through core's issue decision until `INVOICES` are issued; returns them with
/// the credit notes of every fifth, and how often each field was the reason for a refusal.
fn issue_documents() -> (Vec<Snapshot>, BTreeMap<String, usize>) {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &SEED),
    );
    let strategy = scenario();
    let client = ClientId::parse(&id(4, 0)).expect("a v7 id");
    let mut documents = Vec::new();
    let mut refused: BTreeMap<String, usize> = BTreeMap::new();
    let mut invoices = 0;
    for attempt in 0..MAX_ATTEMPTS {
        if invoices == INVOICES {
            break;
        }
        let s = strategy
            .new_tree(&mut runner)
            .expect("a scenario")
            .current();
        let request = IssueInvoice {
            invoice_id: InvoiceId::parse(&id(attempt + 1, 1)).expect("a v7 id"),
            draft: s.draft.clone(),
            number: NumberSource::Server,
        };
        let ctx = IssueContext {
            settings: &s.settings,
            customer: &s.customer,
            client,
            draft_head: None,
            issued_from_draft: Vec::new(),
            last_in_sequence: Some(SeriesHead {
                position: invoices as u64,
                issue_date: day(0),
            }),
            lease: None,
            number_taken: false,
        };
        let invoice = match issued_invoice(&request, &ctx) {
            Ok(issued) => issued.invoice,
            Err(e) => {
                let field = e.field.unwrap_or_default();
                // Indexes apart, so the summary counts kinds of refusal.
                let kind: String = field.chars().filter(|c| !c.is_ascii_digit()).collect();
                *refused.entry(kind).or_default() += 1;
                continue;
            }
        };
        invoices += 1;
        if invoices % 5 == 0 {
            let scope = if invoices % 10 == 0 {
                CreditScope::Full
            } else {
                CreditScope::Lines(vec![(0, invoice.snapshot.document.lines[0].quantity)])
            };
            let request = IssueCreditNote {
                credit_note_id: CreditNoteId::parse(&id(invoices, 2)).expect("a v7 id"),
                organisation_id: organisation(),
                invoice_id: invoice.id,
                issue_date: invoice.snapshot.issue_date,
                scope,
                note: "Returned goods".into(),
            };
            // A credit of nothing (every quantity zero) is refused, rightly; there is nothing to export.
            if let Ok(cn) = credit_note(&request, &invoice, &[], &s.settings, None) {
                documents.push(cn.snapshot);
            }
        }
        documents.push(invoice.snapshot);
    }
    assert_eq!(
        invoices, INVOICES,
        "only {invoices} of {MAX_ATTEMPTS} generated drafts were issued; refused: {refused:?}"
    );
    (documents, refused)
}

/// The generated documents reach every VAT category core offers and include credit notes, so the
/// check cannot pass by generating only the easy cases.
fn assert_covers_the_categories_and_credit_notes(documents: &[Snapshot]) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for d in documents {
        for line in &d.document.lines {
            *seen.entry(line.vat.category.code()).or_default() += 1;
        }
    }
    println!("lines by VAT category: {seen:?}");
    for category in TaxCategory::ALL {
        assert!(
            seen.contains_key(category.code()),
            "no issued line of category {category}: {seen:?}"
        );
    }
    assert!(
        documents.iter().any(|d| d.kind == DocumentKind::CreditNote),
        "no credit note"
    );
}

/// A directory of this test's exports, removed when the test ends, passed or failed.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("remit-en16931-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Best effort: a directory left in the system's temporary folder is harmless.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How many exports read back with each of the fields a credit note or a line may carry: the test
/// fails when the generators stop producing one, so its rules are really checked.
#[derive(Debug, Default)]
struct Coverage {
    credit_notes_in_accounting_currency: usize,
    credit_notes_with_payment_means: usize,
    credit_notes_with_invoice_date: usize,
    line_periods: usize,
    vatex_codes: usize,
}

impl Coverage {
    fn count(&mut self, read: &EInvoice) {
        let h = &read.header;
        if read.document.kind == DocumentKind::CreditNote {
            self.credit_notes_in_accounting_currency +=
                usize::from(h.tax_total_in_tax_currency.is_some());
            self.credit_notes_with_payment_means += usize::from(h.payment.means_code.is_some());
            self.credit_notes_with_invoice_date +=
                usize::from(h.preceding.iter().any(|p| p.issue_date.is_some()));
        }
        self.line_periods += read
            .document
            .lines
            .iter()
            .filter(|l| l.period.is_some())
            .count();
        self.vatex_codes += read
            .stated
            .vat
            .iter()
            .filter(|v| v.exemption_code.is_some())
            .count();
    }

    fn assert_every_field_occurs(&self) {
        println!("exports with the optional fields: {self:?}");
        let c = self;
        for (field, count) in [
            (
                "BT-111 on a credit note",
                c.credit_notes_in_accounting_currency,
            ),
            ("BT-81 on a credit note", c.credit_notes_with_payment_means),
            ("BT-26 on a credit note", c.credit_notes_with_invoice_date),
            ("BG-26 line period", c.line_periods),
            ("BT-121 VATEX code", c.vatex_codes),
        ] {
            assert!(count > 0, "no export states {field}: {self:?}");
        }
    }
}

/// Reading an export back reproduces the snapshot's totals to the cent, and the fields it carries
/// besides: BT-111, BT-81, BT-26, each line's period.
fn assert_reads_back(snapshot: &Snapshot, written: &str, file: &Path) -> EInvoice {
    let read = parse(written.as_bytes())
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .remove(0);
    let r = &snapshot.references;
    assert_eq!(
        read.header.tax_total_in_tax_currency,
        r.accounting.as_ref().map(|a| a.tax_total.amount()),
        "{}: BT-111",
        file.display()
    );
    let means = (!r.payment_means_code.is_empty()).then_some(r.payment_means_code.as_str());
    if means.is_some() {
        assert_eq!(
            read.header.payment.means_code.as_deref(),
            means,
            "{}: BT-81",
            file.display()
        );
    }
    assert_eq!(
        read.header.preceding.first().and_then(|p| p.issue_date),
        r.preceding_issue_date,
        "{}: BT-26",
        file.display()
    );
    let periods = |lines: &[remit_core::document::en16931::Line]| -> Vec<Option<Period>> {
        lines.iter().map(|l| l.period).collect()
    };
    assert_eq!(
        periods(&read.document.lines),
        periods(&snapshot.document.lines),
        "{}: BT-134/BT-135",
        file.display()
    );
    let t = &snapshot.totals;
    let s = &read.stated;
    let cents = |m: &remit_core::money::Money| Some(m.amount());
    assert_eq!(
        (
            s.line_net_total,
            s.tax_exclusive,
            s.tax_total,
            s.tax_inclusive,
            s.amount_due
        ),
        (
            cents(&t.line_net_total),
            cents(&t.tax_exclusive),
            cents(&t.tax_total),
            cents(&t.tax_inclusive),
            cents(&t.amount_due)
        ),
        "{}",
        file.display()
    );
    // EN 16931 cannot say that VAT was rounded per line (the rules allow it within one unit): core
    // recomputes the document read back with the rounding the snapshot was issued with.
    let mut read = read;
    read.document.tax_rounding = snapshot.document.tax_rounding;
    let computed = remit_core::einvoice::check(&read).computed;
    assert_eq!(
        computed.amount_due,
        Some(t.amount_due),
        "{}: core computes another amount due from the export",
        file.display()
    );
    read
}

#[test]
fn every_invoice_core_issues_passes_the_official_en16931_rules_as_ubl_and_cii() {
    let Some(validator) = validator() else {
        return;
    };
    let started = Instant::now();
    let (documents, refused) = issue_documents();
    println!(
        "issued {} documents; refused drafts by field: {refused:?}",
        documents.len()
    );
    assert_covers_the_categories_and_credit_notes(&documents);
    let dir = TempDir::new();
    let dir = &dir.0;
    let mut files = Vec::new();
    let mut coverage = Coverage::default();
    for (i, snapshot) in documents.iter().enumerate() {
        for (syntax, written) in [
            ("ubl", snapshot_to_ubl(snapshot)),
            ("cii", snapshot_to_cii(snapshot)),
        ] {
            let written = written
                .unwrap_or_else(|e| panic!("{} cannot be exported: {e}", snapshot.number.as_str()));
            let file = dir.join(format!("{i:03}-{}-{syntax}.xml", snapshot.number.as_str()));
            std::fs::write(&file, &written).expect("the export is written");
            coverage.count(&assert_reads_back(snapshot, &written, &file));
            files.push(file);
        }
    }
    coverage.assert_every_field_occurs();
    let output = Command::new(&validator)
        .arg("--json")
        .args(&files)
        .output()
        .expect("en16931-check runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut failures = Vec::new();
    let mut checked = 0;
    for line in stdout.lines() {
        let report: serde_json::Value = serde_json::from_str(line).expect("one JSON object a line");
        checked += 1;
        let fatal = report["fatal"].as_array().expect("a list of rule ids");
        if !fatal.is_empty() {
            let ids: Vec<&str> = fatal.iter().filter_map(|r| r.as_str()).collect();
            failures.push(format!("{}: {}", report["file"], ids.join(" ")));
        }
    }
    println!(
        "en16931-check: {checked} files in {:.1} s (whole test)",
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} exports fail fatal rules:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        checked,
        files.len(),
        "every file is reported (exit status {:?}): {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
