//! Moments the browser benches measure (`performance.mark`), named `remit:…`: the first rows of the
//! home screen, each page of a pull and its end, search results on screen (BENCHMARKS.md, "The
//! browser").

use leptos::prelude::{request_animation_frame, window};

/// Marks `name` now. A browser without the Performance API marks nothing.
pub fn mark(name: &str) {
    if let Some(performance) = window().performance() {
        // A mark is a measurement aid: failing to set one changes nothing the user sees.
        let _ = performance.mark(name);
    }
}

/// Marks `name` once the view built now has been painted (the next animation frame).
pub fn mark_painted(name: &'static str) {
    request_animation_frame(move || mark(name));
}
