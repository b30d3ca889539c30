//! The invoice XML taken out of a Factur-X / ZUGFeRD PDF: found in a real Factur-X invoice and in the
//! hybrids Remit renders, a clear error for a PDF without one, and never a panic, whatever the bytes
//! (random, truncated, bits flipped). The same property runs unbounded under cargo-fuzz
//! (`documents/fuzz`, target `embedded_invoice`).

use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use remit_core::document::issue::{Party, Snapshot};
use remit_core::einvoice::{parse, snapshot_to_cii};
use remit_core::fixtures;
use remit_core::numbering::InvoiceNumber;
use remit_core::terms::{PaymentPlan, PaymentTerms};
use remit_documents::{
    EmbeddedInvoice, ExtractError, MAX_PDF_BYTES, RenderOptions, embedded_invoice, invoice_pdf,
};
use rust_decimal_macros::dec;

/// The one real Factur-X invoice of the shared corpus (`akretion/factur-x`'s EN 16931 example), or
/// `None` with a loud SKIPPED line when the corpus is not beside the clone. `REMIT_REQUIRE_CORPUS`
/// makes a missing corpus a failure.
fn real_factur_x() -> Option<Vec<u8>> {
    let corpus = std::env::var_os("REMIT_CORPUS").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus")),
        PathBuf::from,
    );
    let file = corpus.join("akretion+factur-x/tests/fixtures/pdf/invoice_EN16931.pdf");
    match std::fs::read(&file) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            let message = format!(
                "SKIPPED: the real Factur-X invoice is not at {} ({e}; set REMIT_CORPUS)",
                file.display()
            );
            assert!(
                std::env::var_os("REMIT_REQUIRE_CORPUS").is_none(),
                "{message}"
            );
            println!("{message}");
            eprintln!("{message}");
            None
        }
    }
}

fn party(name: &str) -> Party {
    Party {
        name: name.into(),
        tax_id: "DE123456789".into(),
        legal_id: String::new(),
        address: fixtures::address("Hafenstraße 12", "20457", "Hamburg", "DE"),
    }
}

fn snapshot() -> Snapshot {
    Snapshot::issue(
        &fixtures::draft(
            "EUR",
            vec![
                fixtures::line("Hull inspection", dec!(10), dec!(123.45), dec!(19)),
                fixtures::line("Mooring rope", dec!(3), dec!(4.99), dec!(7)),
            ],
        ),
        InvoiceNumber::parse("INV-2026-000042").unwrap(),
        party("Fjord Consulting GmbH"),
        party("Hanse Logistik GmbH"),
        PaymentPlan::single(PaymentTerms::Net { days: 14 }),
    )
    .unwrap()
}

/// A PDF Remit renders, with `xml` embedded as `factur-x.xml` (or nothing embedded).
fn remit_pdf(xml: Option<Vec<u8>>) -> Vec<u8> {
    let options = RenderOptions {
        embedded_invoice: xml.map(EmbeddedInvoice::factur_x),
        ..RenderOptions::default()
    };
    invoice_pdf(&snapshot(), &options).unwrap()
}

fn remit_factur_x() -> Vec<u8> {
    remit_pdf(Some(snapshot_to_cii(&snapshot()).unwrap().into_bytes()))
}

#[test]
fn the_cii_of_a_real_factur_x_invoice_is_found_and_reads_as_an_en16931_invoice() {
    let Some(pdf) = real_factur_x() else { return };
    let embedded = embedded_invoice(&pdf).unwrap();
    assert_eq!(embedded.file_name, "factur-x.xml");
    let invoices = parse(&embedded.xml).unwrap();
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0].header.number.as_deref(), Some("F20260023"));
}

#[test]
fn the_cii_remit_embeds_comes_out_byte_for_byte() {
    let cii = snapshot_to_cii(&snapshot()).unwrap();
    let embedded = embedded_invoice(&remit_factur_x()).unwrap();
    assert_eq!(embedded.file_name, "factur-x.xml");
    assert_eq!(String::from_utf8(embedded.xml).unwrap(), cii);
}

#[test]
fn a_pdf_without_an_embedded_invoice_says_so_and_names_what_it_looked_for() {
    let e = embedded_invoice(&remit_pdf(None)).unwrap_err();
    assert!(
        matches!(&e, ExtractError::NoInvoice { found } if found.is_empty()),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(message.contains("factur-x.xml"), "{message}");
    assert!(message.contains("zugferd-invoice.xml"), "{message}");
    assert!(message.contains("embedded files: none"), "{message}");
}

#[test]
fn broken_xml_inside_is_handed_out_as_it_is_for_the_xml_reader_to_refuse() {
    let embedded = embedded_invoice(&remit_pdf(Some(b"<Invoice><broken".to_vec()))).unwrap();
    assert_eq!(embedded.xml, b"<Invoice><broken");
    assert!(parse(&embedded.xml).is_err());
}

#[test]
fn truncated_corrupt_oversized_and_non_pdf_bytes_are_errors() {
    let pdf = remit_factur_x();
    for cut in [5, 100, pdf.len() / 2] {
        assert!(embedded_invoice(&pdf[..cut]).is_err(), "cut at {cut}");
    }
    assert!(matches!(
        embedded_invoice(b"<Invoice/>"),
        Err(ExtractError::NotPdf)
    ));
    assert!(embedded_invoice(b"%PDF-1.7\n garbage \n%%EOF").is_err());
    let oversized = [b"%PDF-".as_slice(), &vec![b' '; MAX_PDF_BYTES]].concat();
    assert!(matches!(
        embedded_invoice(&oversized),
        Err(ExtractError::TooLarge { .. })
    ));
}

/// The PDFs the mutation property starts from: Remit's hybrid, and the real one when it is there.
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds = vec![remit_factur_x()];
        seeds.extend(real_factur_x());
        seeds
    })
}

fn mutated(seed: &[u8], flips: &[(usize, u8)], keep: usize) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for &(at, bit) in flips {
        let at = at % bytes.len();
        bytes[at] ^= 1 << (bit % 8);
    }
    bytes.truncate(keep % (bytes.len() + 1));
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_after_a_pdf_header_never_panic(tail in prop::collection::vec(any::<u8>(), 0..4096)) {
        let bytes = [b"%PDF-1.7\n".as_slice(), &tail].concat();
        let _ = embedded_invoice(&bytes);
    }

    #[test]
    fn a_real_pdf_with_bits_flipped_or_cut_short_never_panics(
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..16),
        keep in any::<usize>(),
        which in any::<usize>(),
    ) {
        let seeds = seeds();
        let seed = &seeds[which % seeds.len()];
        match embedded_invoice(&mutated(seed, &flips, keep)) {
            // What comes out is at most what a PDF may hold; reading it is the XML reader's job.
            Ok(embedded) => prop_assert!(embedded.xml.len() <= remit_documents::MAX_XML_BYTES),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
