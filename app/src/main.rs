//! The browser entry point: Trunk builds this binary to WebAssembly.

fn main() {
    remit_app::start();
}
