//! Where the Function spends its instructions: a sampling profile made of fuel. The
//! benchmark cart is run again and again with a fuel limit growing by `STEP`; each run
//! stops where the fuel runs out, and the wasm backtrace of that point is one sample.
//!
//!     cargo build --target=wasm32-wasip1 --profile function --target-dir target \
//!         --config 'profile.function.strip=false'
//!     PROFILE_WASM=target/wasm32-wasip1/function/segops-discount.wasm \
//!         cargo run --release -p segops-discount --example fuel_profile [lines]
//!
//! An unstripped module is needed for function names. Functions inlined into others are
//! counted in their caller; mark one `#[inline(never)]` for a while to see it apart.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;

use wasmtime::{Config, Engine, Linker, Module, Store, WasmBacktrace};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};

/// Instructions per sample (a prime, so samples do not fall in step with loops).
const STEP: u64 = 1999;

fn main() {
    let path =
        std::env::var("PROFILE_WASM").expect("PROFILE_WASM: an unstripped segops-discount.wasm");
    let lines = std::env::args()
        .nth(1)
        .map_or(200, |lines| lines.parse().expect("a number of lines"));
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config).expect("engine");
    let module = Module::from_file(&engine, &path).expect("module");
    let input = support::carts::bench_input(lines);

    let mut samples: HashMap<String, u64> = HashMap::new();
    let mut limit = STEP;
    loop {
        let wasi = WasiCtxBuilder::new()
            .stdin(MemoryInputPipe::new(input.clone().into_bytes()))
            .stdout(MemoryOutputPipe::new(4 << 20))
            .build_p1();
        let mut store: Store<WasiP1Ctx> = Store::new(&engine, wasi);
        store.set_fuel(u64::MAX / 2).expect("fuel");
        let mut linker = Linker::new(&engine);
        p1::add_to_linker_sync(&mut linker, |wasi| wasi).expect("WASI");
        let instance = linker
            .instantiate(&mut store, &module)
            .expect("instantiate");
        store.set_fuel(limit).expect("fuel");
        let export = instance
            .get_typed_func::<(), ()>(&mut store, support::EXPORT)
            .expect("export");
        let Err(error) = export.call(&mut store, ()) else {
            break;
        };
        let frame = error
            .downcast_ref::<WasmBacktrace>()
            .and_then(|trace| trace.frames().first())
            .and_then(|frame| frame.func_name())
            .unwrap_or("?")
            .to_owned();
        *samples.entry(frame).or_default() += STEP;
        limit += STEP;
    }

    println!("{lines} lines: about {limit} instructions");
    let mut samples: Vec<_> = samples.into_iter().collect();
    samples.sort_by_key(|sample| std::cmp::Reverse(sample.1));
    for (function, instructions) in samples.iter().take(30) {
        println!("{instructions:>10}  {function}");
    }
}
