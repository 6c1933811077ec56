//! The browser services the designer uses outside its page: random bytes, the clock,
//! downloads, the clipboard, files the user picks, focus and element sizes. Each is a small
//! function that returns `None` or an error text instead of panicking, called only from
//! event handlers and effects.

use gloo_storage::{SessionStorage, Storage as _};
use js_sys::{Array, Date, Function, Promise, Reflect, Uint8Array};
use stackwright_core::bundle::Timestamp;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `n` random bytes from the browser's cryptographic generator.
pub fn random_bytes(n: usize) -> Option<Vec<u8>> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut bytes = vec![0u8; n];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(bytes)
}

/// A new design: the exercise's chain with each daemon's own user and passwords drawn
/// from the browser's cryptographic generator; the exercise's values as they are (which
/// the validator says to change) only if the browser gives no random bytes.
pub fn new_design() -> stackwright_core::Topology {
    use stackwright_core::defaults;
    random_bytes(defaults::NEW_DESIGN_RANDOM)
        .and_then(|bytes| defaults::new_design(&bytes))
        .unwrap_or_else(stackwright_core::Topology::exercise)
}

/// `t` with each daemon's own user and new random passwords (the designer's presets).
pub fn for_production(t: stackwright_core::Topology) -> stackwright_core::Topology {
    use stackwright_core::defaults;
    random_bytes(defaults::NEW_DESIGN_RANDOM)
        .and_then(|bytes| defaults::production(t.clone(), &bytes))
        .unwrap_or(t)
}

/// The local time now, as the zip stamps its entries.
pub fn now() -> Timestamp {
    let date = Date::new_0();
    let part = |v: u32| u8::try_from(v).unwrap_or(0);
    Timestamp {
        year: u16::try_from(date.get_full_year()).unwrap_or(1980),
        month: part(date.get_month() + 1),
        day: part(date.get_date()),
        hour: part(date.get_hours()),
        minute: part(date.get_minutes()),
        second: part(date.get_seconds()),
    }
}

/// Milliseconds since the page started, for timings.
pub fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Saves `bytes` as a file named `name` through a temporary link.
pub fn download(bytes: &[u8], name: &str, mime: &str) -> Result<(), String> {
    let fail = |what: &str| format!("the browser refused to {what}");
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail("open the page"))?;
    let array = Uint8Array::from(bytes);
    let parts = Array::of1(&array.buffer());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_buffer_source_sequence_and_options(&parts, &options)
        .map_err(|_| fail("create the file"))?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("create a link"))?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| fail("create a link"))?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    let body = document.body().ok_or_else(|| fail("find the page body"))?;
    body.append_child(&link).map_err(|_| fail("add the link"))?;
    link.click();
    link.remove();
    // The download has started from the URL; free it once the browser has taken it.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(())
}

/// Copies text to the clipboard. `navigator.clipboard` is reached by name because
/// web-sys still marks it unstable.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let refused = || "the browser did not allow copying".to_string();
    let navigator = web_sys::window().ok_or_else(refused)?.navigator();
    let clipboard =
        Reflect::get(&navigator, &JsValue::from_str("clipboard")).map_err(|_| refused())?;
    if clipboard.is_undefined() {
        return Err(refused());
    }
    let write: Function = Reflect::get(&clipboard, &JsValue::from_str("writeText"))
        .map_err(|_| refused())?
        .dyn_into()
        .map_err(|_| refused())?;
    let promise: Promise = write
        .call1(&clipboard, &JsValue::from_str(text))
        .map_err(|_| refused())?
        .dyn_into()
        .map_err(|_| refused())?;
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| refused())
}

fn check_size(file: &gloo_file::File, limit: u64) -> Result<(), String> {
    if file.size() > limit {
        return Err(format!(
            "the file is {}, far larger than any design",
            megabytes(file.size())
        ));
    }
    Ok(())
}

/// A size in megabytes to one decimal, e.g. `7.3 MB`.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// The text of a file the user picked or dropped, refusing anything over `limit` bytes.
pub async fn read_text(file: &web_sys::File, limit: u64) -> Result<String, String> {
    let file = gloo_file::File::from(file.clone());
    check_size(&file, limit)?;
    gloo_file::futures::read_as_text(&file)
        .await
        .map_err(|e| format!("the browser could not read the file ({e})"))
}

/// The bytes of a file the user picked or dropped, refusing anything over `limit` bytes.
pub async fn read_bytes(file: &web_sys::File, limit: u64) -> Result<Vec<u8>, String> {
    let file = gloo_file::File::from(file.clone());
    check_size(&file, limit)?;
    gloo_file::futures::read_as_bytes(&file)
        .await
        .map_err(|e| format!("the browser could not read the file ({e})"))
}

/// Whether the page is hidden (another tab, minimised, or being left).
pub fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
}

/// Moves the keyboard focus to the element with this id, if it is on the page.
pub fn focus(id: &str) -> bool {
    let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    else {
        return false;
    };
    let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() else {
        return false;
    };
    element.scroll_into_view_with_bool(false);
    element.focus().is_ok()
}

/// Whether keystrokes aimed at `target` edit text there, where the browser's own undo
/// applies and the app's shortcuts must stay out of the way.
pub fn is_text_entry(target: Option<web_sys::EventTarget>) -> bool {
    let Some(element) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return false;
    };
    if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
        return crate::shortcuts::input_takes_text(&input.type_());
    }
    element.tag_name().eq_ignore_ascii_case("textarea")
        || element
            .dyn_ref::<web_sys::HtmlElement>()
            .is_some_and(|e| e.is_content_editable())
}

/// The fragment of the page's address, `#` included, or "".
pub fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The page's address without its fragment.
pub fn page_address() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|href| href.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default()
}

/// Shows `#fragment` in the address bar without adding a history entry or scrolling.
pub fn replace_fragment(fragment: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let Ok(history) = window.history() else {
        return false;
    };
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{fragment}")))
        .is_ok()
}

/// Whether this tab has a `sessionStorage` (gloo's storage types assume it does).
fn has_session_storage() -> bool {
    web_sys::window().is_some_and(|w| w.session_storage().ok().flatten().is_some())
}

/// A value of this tab's `sessionStorage`.
pub fn session_get(key: &str) -> Option<String> {
    has_session_storage()
        .then(|| SessionStorage::get(key).ok())
        .flatten()
}

/// Sets a value of this tab's `sessionStorage`; failing only loses a convenience.
pub fn session_set(key: &str, value: &str) {
    if has_session_storage() {
        let _ = SessionStorage::set(key, value);
    }
}

/// Reports an element's size (its client width and height, in CSS pixels) at once and then
/// whenever the browser's `ResizeObserver` sees it change, whatever changed it: the
/// window, the layout around it or the element's own height. Dropping it stops the reports.
pub struct SizeWatch {
    observer: web_sys::ResizeObserver,
    /// The callback the observer calls; it must live as long as the observer.
    _callback: Closure<dyn FnMut()>,
}

impl SizeWatch {
    /// Watches `element`, calling `changed(width, height)`; `None` if the browser has no
    /// `ResizeObserver` (then only the first size is reported).
    pub fn new(
        element: web_sys::Element,
        mut changed: impl FnMut(f64, f64) + 'static,
    ) -> Option<SizeWatch> {
        let target = element.clone();
        let mut measure = move || {
            changed(
                f64::from(target.client_width()),
                f64::from(target.client_height()),
            );
        };
        measure();
        let callback = Closure::<dyn FnMut()>::new(measure);
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(&element);
        Some(SizeWatch {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for SizeWatch {
    fn drop(&mut self) {
        // Before the callback is freed, so the browser never calls a dropped closure.
        self.observer.disconnect();
    }
}

#[cfg(test)]
mod tests {
    use super::megabytes;

    #[test]
    fn sizes_read_in_megabytes_to_one_decimal() {
        assert_eq!(megabytes(7_345_678), "7.3 MB");
        assert_eq!(megabytes(5_000_001), "5.0 MB");
        assert_eq!(megabytes(67_108_864), "67.1 MB");
        assert_eq!(megabytes(999_999), "1.0 MB");
    }
}
