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

/// Every font of the PDF, as `pdffonts` lists them, is embedded, subset and has a Unicode map.
pub fn assert_fonts_embedded(name: &str, pdf: &[u8]) {
    let path = file(name, pdf);
    let listing = run("pdffonts", &[path.to_str().unwrap()]);
    let fonts: Vec<&str> = listing.lines().skip(2).collect();
    assert!(fonts.len() >= 2, "{listing}");
    for font in fonts {
        // Columns: name, type, encoding, emb, sub, uni, object ID.
        let columns: Vec<&str> = font.split_whitespace().collect();
        let flags = &columns[columns.len() - 5..columns.len() - 2];
        assert_eq!(flags, ["yes", "yes", "yes"], "{listing}");
    }
}

/// A 2 × 2 RGB PNG, stored (uncompressed) deflate, with its CRCs.
pub fn png() -> Vec<u8> {
    let crc = |bytes: &[u8]| {
        let mut c = 0xffff_ffffu32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    };
    let adler = |bytes: &[u8]| {
        let (mut a, mut b) = (1u32, 0u32);
        for &x in bytes {
            a = (a + u32::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    };
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
        out
    };
    let raw = [0u8, 200, 30, 30, 30, 30, 200, 0, 30, 200, 30, 200, 200, 30];
    let mut zlib = vec![0x78, 0x01, 1, raw.len() as u8, 0, !(raw.len() as u8), 0xff];
    zlib.extend_from_slice(&raw);
    zlib.extend_from_slice(&adler(&raw).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &[0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]));
    png.extend(chunk(b"IDAT", &zlib));
    png.extend(chunk(b"IEND", &[]));
    png
}
