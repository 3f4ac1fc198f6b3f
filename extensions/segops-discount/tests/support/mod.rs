//! Runs the real Function module the way Shopify's function-runner does: wasmtime with
//! WASI preview 1, input JSON on stdin, output JSON on stdout, instructions counted as
//! fuel. Shared by the integration tests and `examples/fuel.rs`.

#![allow(dead_code)]

pub mod carts;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use wasmtime::{Config, Engine, Linker, Module, Store};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};

/// The export named in `shopify.extension.toml`.
pub const EXPORT: &str = "cart_lines_discounts_generate_run";
/// Shopify's instruction limit for a Function run (carts up to 200 lines).
pub const SHOPIFY_FUEL_LIMIT: u64 = 11_000_000;

pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `SEGOPS_FIXTURES`, else the repository's sibling `shared/fixtures`.
pub fn fixtures_dir() -> PathBuf {
    match std::env::var_os("SEGOPS_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => crate_dir().join("../../../shared/fixtures"),
    }
}

/// A fixture file, or `None` after printing why the caller skips.
pub fn fixture(relative: &str, test: &str) -> Option<PathBuf> {
    let path = fixtures_dir().join(relative);
    if path.is_file() {
        Some(path)
    } else {
        println!(
            "fixtures absent: skipping {test} ({} not found)",
            path.display()
        );
        None
    }
}

/// The Function's `.wasm`: `SEGOPS_DISCOUNT_WASM` if set (a prebuilt module, used as is),
/// otherwise built with the `function` profile into a target dir of its own, so this
/// nested cargo never waits on the lock of the cargo running the tests. Cargo's own
/// freshness check makes the build a no-op when nothing changed.
pub fn wasm_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Some(prebuilt) = std::env::var_os("SEGOPS_DISCOUNT_WASM") {
            return PathBuf::from(prebuilt);
        }
        let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => PathBuf::from(dir).join("function-wasm"),
            None => crate_dir().join("../../target/function-wasm"),
        };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(crate_dir())
            .args([
                "build",
                "--quiet",
                "--package",
                "segops-discount",
                "--bin",
                "segops-discount",
                "--target",
                "wasm32-wasip1",
                "--profile",
                "function",
                "--target-dir",
            ])
            .arg(&target_dir)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET")
            .status()
            .expect("run cargo to build the Function (is the wasm32-wasip1 target installed?)");
        assert!(
            status.success(),
            "building the Function for wasm32-wasip1 failed"
        );
        target_dir.join("wasm32-wasip1/function/segops-discount.wasm")
    })
}

/// The compiled module, shared by every run in this process.
pub fn function() -> &'static Function {
    static FUNCTION: OnceLock<Function> = OnceLock::new();
    FUNCTION.get_or_init(|| Function::load(wasm_path()))
}

pub struct Function {
    engine: Engine,
    module: Module,
    pub size: u64,
}

/// One run: what the Function wrote and the instructions (fuel) it used.
pub struct Run {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub fuel: u64,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "the Function's output is not JSON ({error}): {:?} / stderr {:?}",
                String::from_utf8_lossy(&self.stdout),
                String::from_utf8_lossy(&self.stderr)
            )
        })
    }
}

impl Function {
    pub fn load(path: &Path) -> Function {
        let mut config = Config::new();
        config.consume_fuel(true);
        let engine = Engine::new(&config).expect("wasmtime engine");
        let module = Module::from_file(&engine, path)
            .unwrap_or_else(|error| panic!("load {}: {error:#}", path.display()));
        let size = std::fs::metadata(path).expect("wasm metadata").len();
        Function {
            engine,
            module,
            size,
        }
    }

    /// Runs the export with Shopify's instruction limit: running out fails the run.
    pub fn run(&self, input: &str) -> Run {
        self.run_with_fuel(input, SHOPIFY_FUEL_LIMIT)
    }

    pub fn run_with_fuel(&self, input: &str, fuel: u64) -> Run {
        let stdout = MemoryOutputPipe::new(4 << 20);
        let stderr = MemoryOutputPipe::new(1 << 16);
        let wasi = WasiCtxBuilder::new()
            .stdin(MemoryInputPipe::new(input.as_bytes().to_vec()))
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .build_p1();
        let mut store: Store<WasiP1Ctx> = Store::new(&self.engine, wasi);
        store.set_fuel(fuel).expect("fuel is enabled");
        let mut linker = Linker::new(&self.engine);
        p1::add_to_linker_sync(&mut linker, |wasi| wasi).expect("link WASI");
        let instance = linker
            .instantiate(&mut store, &self.module)
            .expect("instantiate the Function");
        let start = store.get_fuel().expect("fuel is enabled");
        let export = instance
            .get_typed_func::<(), ()>(&mut store, EXPORT)
            .expect("the Function exports cart_lines_discounts_generate_run");
        let outcome = export.call(&mut store, ());
        let used = start - store.get_fuel().expect("fuel is enabled");
        drop(store);
        if let Err(error) = outcome {
            panic!(
                "the Function trapped after {used} instructions: {error:#}; stderr {:?}",
                String::from_utf8_lossy(&stderr.contents())
            );
        }
        Run {
            stdout: stdout.contents().to_vec(),
            stderr: stderr.contents().to_vec(),
            fuel: used,
        }
    }
}
