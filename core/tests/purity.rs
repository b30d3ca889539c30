//! `remit-core` is compiled into the browser app and the server alike; it must never depend on IO,
//! an async runtime, a database driver, the browser, or a source of randomness.
//!
//! The graph is read with `cargo tree -e normal --target all` rather than raw `cargo metadata`: metadata's
//! resolve unifies features with dev-dependencies (proptest enables rand → getrandom), which would blame
//! core for crates that only its tests use. `cargo tree` resolves features the way a real build does.

use std::process::Command;

const FORBIDDEN: &[&str] = &[
    "tokio",
    "sqlx",
    "wasm-bindgen",
    "js-sys",
    "web-sys",
    "getrandom",
    "mio",
    "reqwest",
    "hyper",
];

fn normal_dependencies() -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "remit-core",
            "-e",
            "normal",
            "--target",
            "all",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn core_depends_on_no_io_clock_wasm_or_server_crate() {
    let deps = normal_dependencies();
    assert!(
        deps.iter().any(|d| d == "rust_decimal"),
        "the graph was read: {deps:?}"
    );
    let found: Vec<&&str> = FORBIDDEN
        .iter()
        .filter(|f| deps.iter().any(|d| d == **f))
        .collect();
    assert!(
        found.is_empty(),
        "remit-core depends on {found:?}: {deps:?}"
    );
}
