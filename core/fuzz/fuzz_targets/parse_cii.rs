//! Any bytes, read as e-invoices (seeded with CII documents): reading never panics, whatever reads is
//! checked and reported, and what `to_cii` writes reads back as the same document with the same totals.
//! The same property runs bounded on stable in `core/tests/einvoice_robustness.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use remit_core::einvoice::{check, parse, report, to_cii};

fuzz_target!(|data: &[u8]| {
    let lines = report::for_file("fuzz", data);
    let Ok(invoices) = parse(data) else {
        assert_eq!(report::exit_status(&lines), 2);
        return;
    };
    for invoice in &invoices {
        let computed = check(invoice).computed;
        let written = to_cii(invoice).expect("an EN 16931 document is written");
        let back = parse(written.as_bytes()).expect("what the writer writes reads back");
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].document, invoice.document);
        assert_eq!(back[0].stated, invoice.stated);
        assert_eq!(check(&back[0]).computed, computed);
    }
});
