//! What the e-invoice tests share: where the corpus is, its files, and a document as a writer states it.
//! Each test binary uses part of it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use remit_core::document::en16931::DocumentKind;
use remit_core::einvoice::{CREDIT_NOTE_MEANS, EInvoice, Syntax};

/// `REMIT_CORPUS`, or `shared/corpus` beside the project root. `None` (after saying so loudly) when
/// it is not there, so a checkout without the corpus still builds and tests the rest.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("REMIT_CORPUS").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus")),
        PathBuf::from,
    );
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("SKIPPED: corpus not found at {}", dir.display());
        eprintln!("SKIPPED: corpus not found at {}", dir.display());
        None
    }
}

/// Every `.xml` file under the corpus, as (path relative to the corpus, bytes), in path order.
pub fn corpus_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("corpus directory is readable") {
            let path = entry.expect("corpus entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "xml") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(dir, &mut paths);
    paths.sort();
    assert!(
        !paths.is_empty(),
        "the corpus at {} has no XML files",
        dir.display()
    );
    paths
        .into_iter()
        .map(|p| {
            let name = p
                .strip_prefix(dir)
                .expect("under the corpus")
                .to_string_lossy()
                .replace('\\', "/");
            (name, std::fs::read(&p).expect("corpus file is readable"))
        })
        .collect()
}

/// The e-invoice as a writer in `syntax` states it: the writers always state BT-3 and BT-5 (EN 16931
/// requires both), and what the reader assumed or expected is not part of a document.
pub fn as_written(invoice: &EInvoice, syntax: Syntax) -> EInvoice {
    let mut e = invoice.clone();
    e.header.syntax = syntax;
    e.header.currency = Some(e.header.currency.unwrap_or(e.document.currency));
    if e.header.type_code.is_none() {
        e.header.type_code = Some(
            match e.document.kind {
                DocumentKind::Invoice => "380",
                DocumentKind::CreditNote => "381",
            }
            .to_owned(),
        );
    }
    // UBL states a credit note's due date (BT-9) inside its payment means, under code 1 (not defined)
    // when the document names none.
    if syntax == Syntax::Ubl
        && e.document.kind == DocumentKind::CreditNote
        && e.header.due_date.is_some()
        && e.header.payment.means_code.is_none()
    {
        e.header.payment.means_code = Some(CREDIT_NOTE_MEANS.to_owned());
    }
    e.assumptions.clear();
    e.expectation = None;
    e
}
