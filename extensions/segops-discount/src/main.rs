//! The Function module. Shopify (and `tests/`) call the `cart_lines_discounts_generate_run`
//! export, which reads the input JSON on stdin and writes the output JSON on stdout.

use std::io::{Read, Write};

#[unsafe(export_name = "cart_lines_discounts_generate_run")]
extern "C" fn cart_lines_discounts_generate_run() {
    let mut input = Vec::with_capacity(segops_discount::input::INPUT_CAPACITY);
    let output = match std::io::stdin().lock().read_to_end(&mut input) {
        Ok(_) => segops_discount::run(&input),
        Err(_) => segops_discount::NO_OPERATIONS.to_vec(),
    };
    let mut stdout = std::io::stdout().lock();
    // Nothing useful can be done if stdout is gone; the host sees the missing output.
    let _ = stdout.write_all(&output).and_then(|()| stdout.flush());
}

/// `_start`: Shopify never runs the module as a command, it calls the export above.
fn main() {
    std::process::exit(1);
}
