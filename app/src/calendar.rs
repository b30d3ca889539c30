//! Calendar dates as the organisation sees them.
//!
//! Core never reads a clock: "today" is an argument. The browser knows the instant; `Intl` turns it into
//! a calendar date in the organisation's time zone, so an invoice written at 00:30 in Oslo on a laptop
//! set to UTC is still dated the Oslo day.

use chrono::NaiveDate;
use js_sys::{Array, Date, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Today's date in the IANA time zone `time_zone`; in the browser's own zone if the name is unknown
/// to this browser.
pub fn today_in(time_zone: &str) -> NaiveDate {
    date_in(Some(time_zone))
        .or_else(|| date_in(None))
        .unwrap_or_default()
}

/// The browser's own IANA time zone, as a default for the first-run form.
pub fn browser_time_zone() -> String {
    formatter(None)
        .and_then(|f| {
            let resolved: Function = Reflect::get(&f, &"resolvedOptions".into())
                .ok()?
                .dyn_into()
                .ok()?;
            let options = resolved.call0(&f).ok()?;
            Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
        })
        .unwrap_or_default()
}

fn date_in(time_zone: Option<&str>) -> Option<NaiveDate> {
    let formatter = formatter(time_zone)?;
    let format: Function = Reflect::get(&formatter, &"format".into())
        .ok()?
        .dyn_into()
        .ok()?;
    // The `en-CA` locale writes dates as ISO 8601: YYYY-MM-DD.
    let text = format.call1(&formatter, &Date::new_0()).ok()?.as_string()?;
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()
}

/// `new Intl.DateTimeFormat('en-CA', {timeZone})`, or `None` where it throws (an unknown zone).
fn formatter(time_zone: Option<&str>) -> Option<Object> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let options = Object::new();
    if let Some(zone) = time_zone {
        Reflect::set(&options, &"timeZone".into(), &JsValue::from_str(zone)).ok()?;
    }
    let args = Array::of2(&"en-CA".into(), &options);
    Reflect::construct(&constructor, &args)
        .ok()?
        .dyn_into()
        .ok()
}
