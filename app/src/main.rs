//! Entry point of the browser build; everything else lives in the library so it can be tested.

/// Talc instead of Rust's default dlmalloc: it is faster on wasm and makes the module
/// smaller (`make bench` reports both).
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    stackwright_app::start();
}
