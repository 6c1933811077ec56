//! The engine's work on one large design, for an instruction count: 20 times validate and
//! render of the 64-instance, 8-host preset. `make bench-count` runs it under callgrind
//! and prints the total instructions (`Ir`), a figure that does not depend on the
//! machine's load the way a time does.

use stackwright_core::defaults::scaled;
use stackwright_core::{render, validate};

fn main() {
    let t = scaled(64, 8);
    let mut files = 0;
    for _ in 0..20 {
        let validation = validate(&t);
        let bundle = render::render_validated(&t, &validation).expect("the preset renders");
        files += bundle.files.len();
    }
    println!("rendered {files} files");
}
