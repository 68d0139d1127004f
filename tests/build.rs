//! Builds the fixture plugins under `tests/plugins/` to components and
//! copies them to `$OUT_DIR/fixtures/<name>.wasm`.

const FIXTURES: &[&str] = &[
    "scripted",
    "escape",
    "undeclared",
    "plain-http",
    "spin",
    "hog",
    "broken-metadata",
    "future",
    "other-world",
];

fn main() {
    let root = ouro_plugin_build::workspace_root(1);
    let packages: Vec<String> = FIXTURES.iter().map(|name| format!("fixture-{name}")).collect();
    let package_refs: Vec<&str> = packages.iter().map(String::as_str).collect();
    let built = ouro_plugin_build::build(&root, &package_refs);

    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("fixtures");
    std::fs::create_dir_all(&out).unwrap();
    for (name, path) in FIXTURES.iter().zip(built) {
        std::fs::copy(&path, out.join(format!("{name}.wasm")))
            .unwrap_or_else(|error| panic!("copying {}: {error}", path.display()));
    }
    println!("cargo::rustc-env=OURO_FIXTURE_DIR={}", out.display());
    println!("cargo::rerun-if-changed=build.rs");
}
