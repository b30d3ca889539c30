//! Any bytes, read as a Factur-X / ZUGFeRD PDF (seed the corpus with hybrid PDFs, e.g. the shared
//! corpus's `akretion+factur-x` invoice and one Remit renders): taking the XML out never panics, and
//! what comes out is read by core's e-invoice reader without panicking either, as
//! `remit einvoice check` does. The same property runs bounded on stable in
//! `documents/tests/extract.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use remit_core::einvoice::report;
use remit_documents::{MAX_XML_BYTES, embedded_invoice};

fuzz_target!(|data: &[u8]| {
    if let Ok(embedded) = embedded_invoice(data) {
        assert!(embedded.xml.len() <= MAX_XML_BYTES);
        let _ = report::for_file(&embedded.file_name, &embedded.xml);
    }
});
