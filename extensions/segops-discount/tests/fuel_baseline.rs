//! The 200-line benchmark cart may not use more than 5% more instructions, nor the
//! module grow by more than 5%, than recorded in `bench/baseline.toml` (measured with
//! `cargo run --release -p segops-discount --example fuel`).

mod support;

fn baseline() -> toml::Table {
    let path = support::crate_dir().join("bench/baseline.toml");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("read {}: {error}", path.display()))
        .parse()
        .expect("bench/baseline.toml is TOML")
}

fn recorded(table: &toml::Table, section: &str, key: &str) -> u64 {
    table[section][key]
        .as_integer()
        .and_then(|value| u64::try_from(value).ok())
        .unwrap_or_else(|| panic!("bench/baseline.toml: {section}.{key} is a positive integer"))
}

#[test]
fn the_200_line_cart_does_not_regress_more_than_5_percent() {
    let recorded = recorded(&baseline(), "fuel", "lines_200");
    let measured = support::function()
        .run(&support::carts::bench_input(200))
        .fuel;
    println!("200 lines: {measured} instructions (baseline {recorded})");
    assert!(
        measured * 100 <= recorded * 105,
        "200-line cart: {measured} instructions, more than 5% over the recorded {recorded}"
    );
}

#[test]
fn the_module_does_not_grow_more_than_5_percent() {
    let recorded = recorded(&baseline(), "module", "bytes");
    let measured = support::function().size;
    println!("module: {measured} bytes (baseline {recorded})");
    assert!(
        measured * 100 <= recorded * 105,
        "module: {measured} bytes, more than 5% over {recorded}"
    );
}
