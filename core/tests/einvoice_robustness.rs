//! The fuzz harness of `core/fuzz`, bounded and deterministic, on every stable test run: the corpus and
//! mutations of it — truncations, byte flips, elements duplicated and removed, numbers at and beyond
//! what a decimal holds. Reading never panics (bad input is a `ParseError`); whatever reads is checked
//! and reported without panicking, and what the writers write reads back as the same document.

mod einvoice_common;

use einvoice_common::{as_written, corpus_dir, corpus_files};
use remit_core::einvoice::{Syntax, check, parse, report, to_cii, to_ubl};

/// The property every input must have.
fn exercise(bytes: &[u8]) {
    let lines = report::for_file("input", bytes);
    assert!(!lines.is_empty());
    let Ok(invoices) = parse(bytes) else {
        assert_eq!(report::exit_status(&lines), 2);
        return;
    };
    assert_eq!(lines.len(), invoices.len());
    for inv in &invoices {
        let computed = check(inv).computed;
        for (syntax, written) in [
            (
                Syntax::Ubl,
                to_ubl(inv).expect("an EN 16931 document is written"),
            ),
            (
                Syntax::Cii,
                to_cii(inv).expect("an EN 16931 document is written"),
            ),
        ] {
            let back = parse(written.as_bytes()).unwrap_or_else(|e| {
                panic!("the {syntax:?} writer wrote what cannot be read: {e}\n{written}")
            });
            assert_eq!(back.len(), 1);
            assert_eq!(as_written(&back[0], syntax), as_written(inv, syntax));
            assert_eq!(check(&back[0]).computed, computed);
        }
    }
}

/// A small deterministic generator (64-bit LCG), so every run tries the same mutations.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next()).unwrap_or(0) % n.max(1)
    }
}

/// The byte span of the first `<tag …>…</tag>` element.
fn element_span(text: &str, tag: &str) -> Option<(usize, usize)> {
    let start = text
        .find(&format!("<{tag}>"))
        .or_else(|| text.find(&format!("<{tag} ")))?;
    let close = format!("</{tag}>");
    let end = start + text[start..].find(&close)? + close.len();
    Some((start, end))
}

const ELEMENTS: &[&str] = &[
    "cac:InvoiceLine",
    "cac:CreditNoteLine",
    "cac:AllowanceCharge",
    "cac:TaxTotal",
    "cac:TaxSubtotal",
    "cac:LegalMonetaryTotal",
    "cac:Price",
    "cac:ClassifiedTaxCategory",
    "cbc:InvoicedQuantity",
    "cbc:LineExtensionAmount",
    "cbc:DocumentCurrencyCode",
    "cbc:InvoiceTypeCode",
    "ram:IncludedSupplyChainTradeLineItem",
    "ram:ApplicableTradeTax",
    "ram:SpecifiedTradeAllowanceCharge",
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation",
    "ram:NetPriceProductTradePrice",
    "ram:BilledQuantity",
    "ram:LineTotalAmount",
    "ram:InvoiceCurrencyCode",
    "invoice",
    "test",
];

/// Numbers at the edge of what a decimal holds, past it, and malformed.
const NUMBERS: &[&str] = &[
    "10000000000000000000000000000",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "0.0000000000000000000000000001",
    "1e28",
    "0",
    "-0.001",
    "NaN",
    "",
];

const NUMERIC: &[&str] = &[
    "cbc:InvoicedQuantity",
    "cbc:PriceAmount",
    "cbc:BaseQuantity",
    "cbc:Amount",
    "cbc:LineExtensionAmount",
    "cbc:TaxableAmount",
    "cbc:Percent",
    "cbc:PrepaidAmount",
    "cbc:PayableRoundingAmount",
    "cbc:MultiplierFactorNumeric",
    "ram:BilledQuantity",
    "ram:ChargeAmount",
    "ram:BasisQuantity",
    "ram:ActualAmount",
    "ram:RateApplicablePercent",
    "ram:LineTotalAmount",
    "ram:BasisAmount",
];

/// Replaces the text of the first `<tag …>text</tag>`.
fn with_number(text: &str, tag: &str, number: &str) -> Option<String> {
    let (start, end) = element_span(text, tag)?;
    let open_end = start + text[start..end].find('>')? + 1;
    let close = end - tag.len() - 3;
    Some(format!("{}{number}{}", &text[..open_end], &text[close..]))
}

fn mutations(bytes: &[u8], seed: u64) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let step = bytes.len() / 60 + 1;
    out.extend((0..bytes.len()).step_by(step).map(|n| bytes[..n].to_vec()));
    let mut rng = Lcg(seed);
    for _ in 0..80 {
        let mut flipped = bytes.to_vec();
        for _ in 0..=rng.below(3) {
            let at = rng.below(flipped.len());
            if let Some(b) = flipped.get_mut(at) {
                // Mostly structural characters, sometimes any byte.
                *b = match rng.below(4) {
                    0 => b"<>/&\"=:"[rng.below(7)],
                    1 => b"0123456789.-"[rng.below(12)],
                    _ => u8::try_from(rng.below(256)).unwrap_or(0),
                };
            }
        }
        out.push(flipped);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        for tag in ELEMENTS {
            if let Some((start, end)) = element_span(text, tag) {
                let element = &text[start..end];
                out.push(format!("{}{element}{}", &text[..end], &text[end..]).into_bytes());
                out.push(format!("{}{}", &text[..start], &text[end..]).into_bytes());
            }
        }
        for tag in NUMERIC {
            for number in NUMBERS {
                if let Some(m) = with_number(text, tag, number) {
                    out.push(m.into_bytes());
                }
            }
        }
    }
    out
}

#[test]
fn hostile_inputs_are_errors_not_panics() {
    for bytes in [
        &b""[..],
        b"\xef\xbb\xbf",
        b"<?xml version=\"1.0\"?>",
        b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><x>&b;</x>",
        b"<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">&#0;</Invoice>",
        b"<testSet xmlns=\"http://difi.no/xsd/vefa/validator/1.0\"><test/></testSet>",
    ] {
        exercise(bytes);
        assert!(
            parse(bytes).is_err(),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    let deep = "<a>".repeat(10_000);
    exercise(deep.as_bytes());
}

#[test]
fn the_corpus_and_its_mutations_never_panic_and_round_trip() {
    let Some(dir) = corpus_dir() else { return };
    let mut tried = 0;
    for (i, (_, bytes)) in corpus_files(&dir).iter().enumerate() {
        exercise(bytes);
        for mutated in mutations(bytes, i as u64 + 1) {
            exercise(&mutated);
            tried += 1;
        }
    }
    assert!(tried > 5_000, "only {tried} mutations were tried");
}
