//! Plugin runtime benchmark: cold compile, cached load, instantiation and a
//! `metadata()` call for each bundled plugin and the scripted fixture.
//!
//! Run with `cargo bench -p ouro --bench plugin_runtime`. Each step is
//! repeated and the median is compared with its target; the process exits
//! with status 1 when a target is missed. Results live in
//! docs/benchmarks.md.

use std::time::{Duration, Instant};

use ouro::plugins::BUNDLED;
use ouro::plugins::bench::Harness;

struct Target {
    step: &'static str,
    limit: Duration,
}

const COMPILE: Target = Target { step: "cold compile", limit: Duration::from_millis(300) };
const CACHED: Target = Target { step: "cached load", limit: Duration::from_millis(2) };
const INSTANTIATE: Target = Target { step: "instantiate", limit: Duration::from_millis(1) };
const METADATA: Target = Target { step: "metadata()", limit: Duration::from_millis(1) };

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn measure(iterations: usize, mut step: impl FnMut()) -> Duration {
    step();
    let samples = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            step();
            start.elapsed()
        })
        .collect();
    median(samples)
}

fn report(plugin: &str, size: usize, target: &Target, value: Duration, missed: &mut bool) -> String {
    let ok = value <= target.limit;
    *missed |= !ok;
    format!(
        "| {plugin} ({} KB) | {} | {:.3} ms | ≤ {} ms | {} |",
        size / 1024,
        target.step,
        value.as_secs_f64() * 1000.0,
        target.limit.as_secs_f64() * 1000.0,
        if ok { "ok" } else { "MISSED" }
    )
}

fn main() {
    let home = tempfile::tempdir().unwrap();
    let harness = Harness::new(home.path());
    let mut plugins: Vec<(String, Vec<u8>)> = BUNDLED
        .iter()
        .map(|plugin| (plugin.name.to_owned(), plugin.wasm.to_vec()))
        .collect();
    plugins.push((
        "fixture-scripted".to_owned(),
        std::fs::read(ouro_tests::fixture("scripted")).unwrap(),
    ));

    let mut missed = false;
    println!("| plugin | step | median | target | result |");
    println!("| --- | --- | --- | --- | --- |");
    for (name, wasm) in &plugins {
        let compile = measure(5, || drop(harness.compile(wasm)));
        println!("{}", report(name, wasm.len(), &COMPILE, compile, &mut missed));

        let cache_dir = home.path().join(format!("cache-{name}"));
        drop(harness.load_cached(&cache_dir, wasm));
        let cached = measure(50, || drop(harness.load_cached(&cache_dir, wasm)));
        println!("{}", report(name, wasm.len(), &CACHED, cached, &mut missed));

        let component = harness.load_cached(&cache_dir, wasm);
        let pre = harness.prepare(&component);
        let instantiate = measure(200, || drop(harness.instantiate(&pre)));
        println!("{}", report(name, wasm.len(), &INSTANTIATE, instantiate, &mut missed));

        let (mut store, bindings) = harness.instantiate(&pre);
        let metadata = measure(1000, || drop(harness.metadata(&mut store, &bindings)));
        println!("{}", report(name, wasm.len(), &METADATA, metadata, &mut missed));
    }
    if missed {
        eprintln!("at least one target was missed");
        std::process::exit(1);
    }
}
