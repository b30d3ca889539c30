//! What the PDF tests share: running poppler and Python tools on a rendered PDF, and saying loudly
//! when one is missing ("SKIPPED: ..."); with `REMIT_REQUIRE_PDF_TOOLS` set a missing tool fails.
// Each test binary uses the part it needs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether `program` runs; says loudly which test is skipped when not.
pub fn available(program: &str, args: &[&str], test: &str) -> bool {
    let ok = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let message = format!(
            "SKIPPED: {test} needs `{program}` (apt-get install poppler-utils; pip install pikepdf factur-x)"
        );
        skip(&message);
    }
    ok
}

/// Says loudly that a test is skipped; with `REMIT_REQUIRE_PDF_TOOLS` set (`scripts/test` sets it) a
/// missing tool fails the test instead.
pub fn skip(message: &str) {
    assert!(
        std::env::var_os("REMIT_REQUIRE_PDF_TOOLS").is_none(),
        "REMIT_REQUIRE_PDF_TOOLS is set, but {message}"
    );
    println!("{message}");
    eprintln!("{message}");
}

pub fn python_has(module: &str, test: &str) -> bool {
    available("python3", &["-c", &format!("import {module}")], test)
}

/// Writes `bytes` to a file of its own under the test target directory.
pub fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("remit-documents");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

pub fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text `pdftotext` reads, with the no-break spaces CLDR puts in amounts as plain spaces.
pub fn text_of(name: &str, pdf: &[u8]) -> String {
    let path = file(name, pdf);
    run("pdftotext", &["-layout", path.to_str().unwrap(), "-"]).replace(['\u{a0}', '\u{202f}'], " ")
}

pub fn assert_contains_all(text: &str, expected: &[&str]) {
    let missing: Vec<_> = expected.iter().filter(|e| !text.contains(**e)).collect();
    assert!(missing.is_empty(), "missing {missing:?} in:\n{text}");
}
