//! The PDF of an issued invoice, read back with the tools a recipient's systems use: poppler's
//! `pdftotext` and `pdffonts`, and PyPI's `pikepdf` and `factur-x`. A test whose tool is missing says
//! so loudly ("SKIPPED: ...") instead of passing quietly; `scripts/test` installs them (`apt-get
//! install poppler-utils`, `pip install pikepdf factur-x`) and sets `REMIT_REQUIRE_PDF_TOOLS`, under
//! which a missing tool fails the test.

mod tools;

use std::path::PathBuf;

use chrono::NaiveDate;
use remit_core::bank::BankAccount;
use remit_core::document::issue::{CreditScope, Payee, Snapshot};
use remit_core::document::parts::Period;
use remit_core::document::parts::{Adjustment, Delivery, DocumentAdjustment, Exemption};
use remit_core::document::{AccountingRate, InvoiceDraft, InvoiceLine};
use remit_core::fixtures;
use remit_core::ids::{CustomerId, InvoiceId};
use remit_core::money::Currency;
use remit_core::numbering::InvoiceNumber;
use remit_core::settings::Settings;
use remit_core::tax::{TaxCategory, TaxRate};
use remit_core::terms::{DiscountVat, EarlyPaymentDiscount, Instalment, PaymentPlan, PaymentTerms};
use remit_documents::{EmbeddedInvoice, Language, Paper, RenderOptions, invoice_pdf};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use tools::{
    assert_contains_all, assert_fonts_embedded, available, file, png, python_has, run, text_of,
};

const SELLER_VAT: &str = "DE123456789";
const BUYER_VAT: &str = "FR40303265045";
const IBAN: &str = "DE89370400440532013000";
const EXEMPTION: &str = "Exempt under Article 132(1)(i) of Directive 2006/112/EC";

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn line(description: &str, quantity: Decimal, price: Decimal, rate: Decimal) -> InvoiceLine {
    fixtures::line(description, quantity, price, rate)
}

/// Three kinds of line: standard rate with an allowance, reduced rate with a charge, exempt with its
/// reason; a document allowance, a prepayment, a delivery date, the buyer's references.
fn lines() -> Vec<InvoiceLine> {
    let mut inspection = line("Hull inspection", dec!(10), dec!(123.45), dec!(19));
    inspection.unit_code = "HUR".into();
    inspection.allowances.push(Adjustment {
        percent: Some(dec!(5)),
        reason: "Loyalty discount".into(),
        ..Adjustment::default()
    });
    let mut rope = line("Mooring rope, 12 mm", dec!(3), dec!(4.99), dec!(7));
    rope.unit_code = "MTR".into();
    rope.charges.push(Adjustment {
        amount: Some(dec!(2.50)),
        reason: "Cutting to length".into(),
        ..Adjustment::default()
    });
    let mut training = line("Safety training", dec!(1), dec!(500), dec!(0));
    training.tax_category = TaxCategory::E;
    training.exemption = Some(Exemption {
        code: "VATEX-EU-132-1I".into(),
        text: EXEMPTION.into(),
    });
    vec![inspection, rope, training]
}

/// An invoice issued the way the server issues one (`decide::issuing`): the seller from the
/// settings, the buyer from the customer, the plan from the draft, the payee from the settings.
fn issue(lines: Vec<InvoiceLine>) -> Snapshot {
    issue_with(lines, |_, _| {})
}

/// [`issue`], with the draft and the settings changed by `change` first.
fn issue_with(
    lines: Vec<InvoiceLine>,
    change: impl FnOnce(&mut InvoiceDraft, &mut Settings),
) -> Snapshot {
    let organisation = fixtures::organisation_id();
    let mut settings = fixtures::settings_with_seller(
        organisation,
        "Fjord Consulting GmbH",
        fixtures::address("Hafenstraße 12", "20457", "Hamburg", "DE"),
    );
    settings.seller.tax_id = SELLER_VAT.into();
    settings.bank_account = Some(BankAccount {
        iban: IBAN.into(),
        bic: "COBADEFFXXX".into(),
        name: "Fjord Consulting GmbH".into(),
    });
    settings.payment_means_code = "58".into();
    let mut customer = fixtures::customer(
        CustomerId::parse(fixtures::CUSTOMER).unwrap(),
        organisation,
        "Havbris Pêcherie SARL",
        "EUR",
    );
    customer.tax_id = BUYER_VAT.into();
    customer.address = fixtures::address("4 quai de la Fosse", "44000", "Nantes", "FR");
    let mut draft: InvoiceDraft = fixtures::draft_for(
        InvoiceId::parse("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f").unwrap(),
        &customer,
        lines,
    );
    draft.allowances.push(DocumentAdjustment {
        adjustment: Adjustment {
            amount: Some(dec!(10)),
            reason: "Early order".into(),
            ..Adjustment::default()
        },
        tax_category: TaxCategory::S,
        tax_rate: TaxRate::new(dec!(19)).unwrap(),
    });
    draft.prepaid = dec!(100);
    draft.buyer_reference = "PROJ-7".into();
    draft.purchase_order = "PO-4711".into();
    draft.delivery = Some(Delivery {
        date: Some(date("2026-11-20")),
        period: None,
    });
    draft.note = "Thank you for your order.".into();
    draft.terms = Some(PaymentPlan {
        discount: Some(EarlyPaymentDiscount {
            percent: dec!(2),
            days: 10,
            vat: DiscountVat::ReducesVat,
        }),
        ..PaymentPlan::single(PaymentTerms::Net { days: 30 })
    });
    draft.due_date = date("2026-12-23");
    change(&mut draft, &mut settings);
    let plan = draft.payment_plan().unwrap();
    let seller = settings.seller.clone();
    let buyer = customer.as_buyer(&seller);
    Snapshot::issue_for(
        &draft,
        InvoiceNumber::parse("INV-2026-000042").unwrap(),
        seller,
        buyer,
        plan,
        &Payee::of(&settings),
    )
    .unwrap()
}

fn invoice() -> Snapshot {
    issue(lines())
}

fn options(language: Language) -> RenderOptions {
    RenderOptions {
        language,
        ..RenderOptions::default()
    }
}

#[test]
fn the_totals_printed_are_the_ones_core_computed() {
    let s = invoice();
    let t = &s.totals;
    let amounts = [
        t.line_net_total,
        t.allowance_total,
        t.tax_exclusive,
        t.tax_total,
        t.tax_inclusive,
        t.prepaid,
        t.amount_due,
    ]
    .map(|m| m.amount());
    // 1172.77 (1234.50 − 5 %) + 17.47 (14.97 + 2.50) + 500.00; VAT 19 % of 1162.77, 7 % of 17.47.
    assert_eq!(
        amounts,
        [
            dec!(1690.24),
            dec!(10.00),
            dec!(1680.24),
            dec!(222.15),
            dec!(1902.39),
            dec!(100.00),
            dec!(1802.39)
        ]
    );
    assert_eq!(s.schedule[0].due_date, date("2026-12-23"));
}

#[test]
fn an_invoice_states_every_value_en_16931_and_article_226_require() {
    let test = "an_invoice_states_every_value_en_16931_and_article_226_require";
    if !available("pdftotext", &["-v"], test) {
        return;
    }
    let s = invoice();
    let text = text_of(
        "invoice-en.pdf",
        &invoice_pdf(&s, &options(Language::English)).unwrap(),
    );
    let reference = s.references.payment_reference.as_ref().unwrap().as_str();
    assert_contains_all(
        &text,
        &[
            "Invoice",
            "INV-2026-000042",
            "Fjord Consulting GmbH",
            "Hafenstraße 12",
            "20457 Hamburg",
            "Germany",
            "Havbris Pêcherie SARL",
            "4 quai de la Fosse",
            "44000 Nantes",
            "France",
            &format!("VAT ID: {SELLER_VAT}"),
            &format!("VAT ID: {BUYER_VAT}"),
            // Issue date, date of supply, due date, last day of the discount.
            "Nov 23, 2026",
            "Date of supply",
            "Nov 20, 2026",
            "Due date",
            "Dec 23, 2026",
            "Dec 3, 2026",
            "PROJ-7",
            "PO-4711",
            // Lines: quantity, unit, unit price, rate per line, line net, allowance and charge.
            "Hull inspection",
            "123.45",
            "19%",
            "1,172.77",
            "Loyalty discount",
            "-61.73",
            "Mooring rope, 12 mm",
            "7%",
            "Cutting to length",
            "2.50",
            "0% E",
            "Safety training",
            "Early order",
            // The VAT breakdown and the exemption text.
            "Standard rate",
            "Exempt",
            EXEMPTION,
            "EUR 1,162.77",
            "EUR 220.93",
            "EUR 1.22",
            // Totals.
            "EUR 1,690.24",
            "EUR 1,680.24",
            "EUR 222.15",
            "EUR 1,902.39",
            "EUR 100.00",
            "EUR 1,802.39",
            // Payment.
            "Net 30 days",
            "Early payment discount: 2%",
            "EUR 36.05",
            &format!("IBAN: {IBAN}"),
            "BIC: COBADEFFXXX",
            reference,
            "Thank you for your order.",
            "Page 1 of 1",
        ],
    );
}

#[test]
fn a_german_invoice_has_german_labels_and_number_formatting() {
    let test = "a_german_invoice_has_german_labels_and_number_formatting";
    if !available("pdftotext", &["-v"], test) {
        return;
    }
    let pdf = invoice_pdf(&invoice(), &options(Language::German)).unwrap();
    let text = text_of("invoice-de.pdf", &pdf);
    assert_contains_all(
        &text,
        &[
            "Rechnung",
            "Rechnungsnummer",
            "Liefer-/Leistungsdatum",
            "20.11.2026",
            "Fällig am",
            "23.12.2026",
            "USt-IdNr.: DE123456789",
            "Deutschland",
            "Frankreich",
            "1.172,77",
            "19 %",
            "1.902,39 EUR",
            "1.802,39 EUR",
            "Zahlbetrag",
            "Befreiungsgrund",
            "Seite 1 von 1",
        ],
    );
    assert!(!text.contains("1,902.39"), "{text}");
}

#[test]
fn every_language_renders_its_own_labels() {
    let test = "every_language_renders_its_own_labels";
    if !available("pdftotext", &["-v"], test) {
        return;
    }
    let expected = [
        (Language::English, "Amount due"),
        (Language::German, "Zahlbetrag"),
        (Language::French, "Net à payer"),
        (Language::NorwegianBokmal, "Å betale"),
    ];
    for (language, label) in expected {
        let pdf = invoice_pdf(&invoice(), &options(language)).unwrap();
        let text = text_of(&format!("invoice-{}.pdf", language.tag()), &pdf);
        assert!(text.contains(label), "{language:?}: {text}");
    }
}

#[test]
fn every_font_is_embedded() {
    if !available("pdffonts", &["-v"], "every_font_is_embedded") {
        return;
    }
    let pdf = invoice_pdf(&invoice(), &options(Language::French)).unwrap();
    assert_fonts_embedded("fonts.pdf", &pdf);
}

#[test]
fn rendering_twice_gives_the_same_bytes() {
    let s = invoice();
    let mut with_xml = options(Language::German);
    with_xml.embedded_invoice = Some(EmbeddedInvoice::factur_x(b"<xml/>".to_vec()));
    for options in [options(Language::English), with_xml] {
        assert_eq!(
            invoice_pdf(&s, &options).unwrap(),
            invoice_pdf(&s.clone(), &options).unwrap()
        );
    }
}

#[test]
fn a_500_line_invoice_paginates_with_page_numbers_on_a4_and_letter() {
    let test = "a_500_line_invoice_paginates_with_page_numbers_on_a4_and_letter";
    if !available("pdftotext", &["-v"], test) {
        return;
    }
    let many: Vec<InvoiceLine> = (1..=500)
        .map(|i| line(&format!("Item number {i}"), dec!(1), dec!(10), dec!(19)))
        .collect();
    let s = issue(many);
    for paper in [Paper::A4, Paper::Letter] {
        let options = RenderOptions {
            paper,
            ..options(Language::English)
        };
        let pdf = invoice_pdf(&s, &options).unwrap();
        let info = run("pdfinfo", &[file("long.pdf", &pdf).to_str().unwrap()]);
        let size = match paper {
            Paper::A4 => "595.28 x 841.89 pts (A4)",
            Paper::Letter => "612 x 792 pts (letter)",
        };
        assert!(info.contains(size), "{info}");
        let text = text_of("long.pdf", &pdf);
        let pages = text.matches('\u{c}').count();
        assert!(pages >= 8, "{paper:?}: {pages} pages");
        let last = format!("Page {pages} of {pages}");
        assert_contains_all(
            &text,
            &[
                "Page 1 of",
                &last,
                "Item number 1 ",
                "Item number 500",
                "EUR 5,838.10",
            ],
        );
        // The table's header repeats on every page the lines continue on.
        assert!(text.matches("Unit price").count() >= pages - 1, "{text}");
    }
}

#[test]
fn a_credit_note_is_titled_and_numbered_as_one_and_names_the_invoice_it_corrects() {
    if !available(
        "pdftotext",
        &["-v"],
        "a_credit_note_is_titled_and_numbered_as_one",
    ) {
        return;
    }
    let invoice = invoice();
    let credit = invoice
        .credit_note(
            &[],
            InvoiceNumber::parse("CN-2026-000003").unwrap(),
            date("2026-11-25"),
            &CreditScope::Full,
        )
        .unwrap();
    let text = text_of(
        "credit.pdf",
        &invoice_pdf(&credit, &options(Language::English)).unwrap(),
    );
    assert_contains_all(
        &text,
        &[
            "Credit note",
            "Credit note number",
            "CN-2026-000003",
            "Corrects invoice",
            "INV-2026-000042",
        ],
    );
    assert!(!text.contains("Due date"), "{text}");
}

#[test]
fn a_logo_is_drawn_and_a_broken_one_is_refused() {
    let s = invoice();
    let mut with_logo = options(Language::English);
    with_logo.logo = Some(png());
    let logo = invoice_pdf(&s, &with_logo).unwrap();
    if available(
        "pdfimages",
        &["-v"],
        "a_logo_is_drawn_and_a_broken_one_is_refused",
    ) {
        let path = file("logo.pdf", &logo);
        let listing = run("pdfimages", &["-list", path.to_str().unwrap()]);
        // Header, rule, then one image: page 1, 2 × 2 pixels, three components through an ICC profile
        // (PDF/A allows no device colours).
        let images: Vec<Vec<&str>> = listing
            .lines()
            .skip(2)
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(images.len(), 1, "{listing}");
        let expected = ["1", "0", "image", "2", "2", "icc", "3"];
        assert_eq!(&images[0][..7], expected, "{listing}");
    }
    with_logo.logo = Some(b"not a png".to_vec());
    assert!(matches!(
        invoice_pdf(&s, &with_logo),
        Err(remit_documents::RenderError::Logo(_))
    ));
}

/// The CII the hybrid embeds: the test invoice itself, as core exports it (what the server embeds).
fn cii() -> Vec<u8> {
    remit_core::einvoice::snapshot_to_cii(&invoice())
        .expect("the test invoice exports as CII")
        .into_bytes()
}

/// The hybrid with `xml` embedded, written to `name` (a file per test: they run in parallel).
fn hybrid(name: &str, xml: &[u8]) -> PathBuf {
    let mut options = options(Language::French);
    options.embedded_invoice = Some(EmbeddedInvoice::factur_x(xml.to_vec()));
    file(name, &invoice_pdf(&invoice(), &options).unwrap())
}

#[test]
fn a_hybrid_declares_its_xml_as_the_alternative_and_factur_x_in_its_xmp() {
    let test = "a_hybrid_declares_its_xml_as_the_alternative_and_factur_x_in_its_xmp";
    let xml = cii();
    if !python_has("pikepdf", test) {
        return;
    }
    let path = hybrid("factur-x-pikepdf.pdf", &xml);
    let script = r#"
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
# qpdf's structural check of what lopdf wrote back.
print("problems", pdf.check_pdf_syntax())
root = pdf.Root
af = root.AF
assert len(af) == 1, af
spec = af[0]
print("name", str(spec.UF))
print("relationship", str(spec.AFRelationship))
print("subtype", str(spec.EF.F.Subtype))
names = root.Names.EmbeddedFiles.Names
print("tree", str(names[0]))
meta = pdf.open_metadata()
fx = "{urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#}"
for key in ["pdfaid:part", "pdfaid:conformance"]:
    print(key, meta.get(key))
for key in ["DocumentType", "DocumentFileName", "Version", "ConformanceLevel"]:
    print("fx:" + key, meta.get(fx + key))
xmp = bytes(root.Metadata.read_bytes()).decode()
print("schema", xmp.count("<pdfaExtension:schemas>"), "Factur-X PDFA Extension Schema" in xmp and "pdfaSchema:prefix>fx<" in xmp)
"#;
    let out = run("python3", &["-c", script, path.to_str().unwrap()]);
    assert_contains_all(
        &out,
        &[
            "problems []",
            "name factur-x.xml",
            "relationship /Alternative",
            "subtype /text/xml",
            "tree factur-x.xml",
            "pdfaid:part 3",
            "pdfaid:conformance B",
            "fx:DocumentType INVOICE",
            "fx:DocumentFileName factur-x.xml",
            "fx:Version 1.0",
            "fx:ConformanceLevel EN 16931",
            "schema 1 True",
        ],
    );
}

#[test]
fn the_factur_x_library_extracts_the_embedded_xml_unchanged_and_valid() {
    let test = "the_factur_x_library_extracts_the_embedded_xml_unchanged_and_valid";
    let xml = cii();
    if !python_has("facturx", test) {
        return;
    }
    let path = hybrid("factur-x-library.pdf", &xml);
    let out_path = file("extracted.xml", b"");
    let script = r#"
import sys
from facturx import get_facturx_xml_from_pdf, get_level, get_flavor
from lxml import etree
with open(sys.argv[1], "rb") as f:
    # check_xsd: the library validates the XML against the Factur-X XSD of its level.
    filename, xml = get_facturx_xml_from_pdf(f.read(), check_xsd=True)
with open(sys.argv[2], "wb") as out:
    out.write(xml)
print("filename", filename)
tree = etree.fromstring(xml)
print("flavor", get_flavor(tree))
print("level", get_level(tree))
"#;
    let out = run(
        "python3",
        &[
            "-c",
            script,
            path.to_str().unwrap(),
            out_path.to_str().unwrap(),
        ],
    );
    assert_contains_all(
        &out,
        &["filename factur-x.xml", "flavor factur-x", "level en16931"],
    );
    assert_eq!(std::fs::read(&out_path).unwrap(), xml);
}

#[test]
fn a_character_the_fonts_lack_is_refused_rather_than_printed_as_a_box() {
    let mut s = invoice();
    s.buyer.name = "株式会社 Havbris".into();
    let err = invoice_pdf(&s, &options(Language::English)).unwrap_err();
    assert!(
        matches!(&err, remit_documents::RenderError::Pdf(m) if m.contains("NotDef")),
        "{err}"
    );
}

#[test]
fn instalments_a_supply_period_and_the_vat_in_the_books_currency_are_stated() {
    let test = "instalments_a_supply_period_and_the_vat_in_the_books_currency_are_stated";
    if !available("pdftotext", &["-v"], test) {
        return;
    }
    let s = issue_with(lines(), |draft, settings| {
        let half = |terms| Instalment {
            percent: dec!(50),
            terms,
        };
        draft.terms = Some(PaymentPlan {
            instalments: vec![
                half(PaymentTerms::Net { days: 14 }),
                half(PaymentTerms::EndOfFollowingMonth),
            ],
            discount: None,
        });
        draft.due_date = date("2026-12-31");
        draft.delivery = Some(Delivery {
            date: None,
            period: Some(Period {
                start: date("2026-11-01"),
                end: date("2026-11-15"),
            }),
        });
        settings.accounting_currency = Some(Currency::parse("NOK").unwrap());
        draft.accounting_rate = Some(AccountingRate {
            rate: dec!(11.7),
            date: date("2026-11-23"),
        });
    });
    let due: Vec<_> = s.schedule.iter().map(|p| p.amount.amount()).collect();
    assert_eq!(due, [dec!(901.20), dec!(901.19)]);
    let books = s.references.accounting.as_ref().unwrap().tax_total.amount();
    assert_eq!(books, dec!(2599.16)); // 222.15 × 11.7
    let text = text_of(
        "instalments.pdf",
        &invoice_pdf(&s, &options(Language::English)).unwrap(),
    );
    assert_contains_all(
        &text,
        &[
            "Net 14 days",
            "At the end of the following month",
            "EUR 901.20 due Dec 7, 2026",
            "EUR 901.19 due Dec 31, 2026",
            "Period of supply",
            "Nov 1, 2026 – Nov 15, 2026",
            "VAT in NOK at 11.7: NOK 2,599.16",
        ],
    );
}

#[test]
fn an_invoice_without_optional_details_leaves_their_labels_out() {
    let test = "an_invoice_without_optional_details_leaves_their_labels_out";
    if !available("pdftotext", &["-v"], test) {
        return;
    }
    // Core's plainest issue: no payee, no delivery, no references, one line, a buyer without VAT id.
    let mut seller = issue(lines()).seller;
    seller.tax_id.clear();
    let mut buyer = seller.clone();
    buyer.name = "Kari Nordmann".into();
    let draft = fixtures::draft("NOK", vec![line("Repair", dec!(2), dec!(450), dec!(25))]);
    let s = Snapshot::issue(
        &draft,
        InvoiceNumber::parse("INV-2026-000043").unwrap(),
        seller,
        buyer,
        draft.payment_plan().unwrap(),
    )
    .unwrap();
    let pdf = invoice_pdf(&s, &options(Language::NorwegianBokmal)).unwrap();
    let text = text_of("minimal.pdf", &pdf);
    assert_contains_all(
        &text,
        &[
            "Faktura",
            "Kari Nordmann",
            "1 125,00 NOK",
            "Netto 14 dager",
            "Side 1 av 1",
        ],
    );
    for absent in [
        "MVA-nr.",
        "Leveringsdato",
        "Deres referanse",
        "Bankkonto",
        "Merknad",
    ] {
        assert!(!text.contains(absent), "{absent} in:\n{text}");
    }
}
