//! Measures the Function's instruction count (wasmtime fuel, as Shopify's
//! function-runner counts it) and module size on carts of 1, 50 and 200 lines with 25
//! active rules.
//!
//!     cargo run --release -p segops-discount --example fuel
//!
//! Record the figures in `bench/baseline.toml` and `BENCHMARKS.md` when they change.

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let function = support::function();
    println!("module: {}", support::wasm_path().display());
    println!(
        "module size: {} bytes ({:.1} KiB)",
        function.size,
        function.size as f64 / 1024.0
    );
    println!();
    println!("| cart lines | input bytes | instructions (fuel) | % of Shopify's 11M |");
    println!("|-----------:|------------:|--------------------:|-------------------:|");
    for lines in [1, 50, 200] {
        let input = support::carts::bench_input(lines);
        let run = function.run_with_fuel(&input, u64::MAX / 2);
        let output = run.json();
        assert!(
            output["operations"]
                .as_array()
                .is_some_and(|ops| !ops.is_empty()),
            "the benchmark cart must earn discounts: {output}"
        );
        println!(
            "| {lines:>10} | {:>11} | {:>19} | {:>17.2}% |",
            input.len(),
            run.fuel,
            run.fuel as f64 * 100.0 / support::SHOPIFY_FUEL_LIMIT as f64
        );
    }
}
