//! Entry point of the browser build; everything else lives in the library so it can be tested.

fn main() {
    stackwright_app::start();
}
