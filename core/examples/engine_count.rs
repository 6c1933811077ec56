//! The engine's work on one large design, for an instruction count: 20 times validate and
//! render of the 64-instance, 8-host preset. `make bench-count` runs it under callgrind
//! and prints the total instructions (`Ir`), a figure that does not depend on the
//! machine's load the way a time does.

use stackwright_core::defaults::scaled;
use stackwright_core::{render, validate};

fn main() {
    // The preset as the designer offers it: its own users and (fixed) random passwords.
    let t = stackwright_core::defaults::production(
        scaled(64, 8),
        &[42; stackwright_core::defaults::NEW_DESIGN_RANDOM],
    )
    .expect("enough random bytes");
    let mut files = 0;
    for _ in 0..20 {
        let validation = validate(&t);
        let bundle = render::render_validated(&t, &validation).expect("the preset renders");
        files += bundle.files.len();
    }
    println!("rendered {files} files");
}
