//! Compiles the first-party plugins to components and embeds them.

use std::fmt::Write;

/// Crates under `plugins/` that ship inside the binary.
const BUNDLED: &[&str] = &["ouro-plugin-chatgpt"];

fn main() {
    let root = ouro_plugin_build::workspace_root(1);
    let paths = if BUNDLED.is_empty() {
        Vec::new()
    } else {
        ouro_plugin_build::build(&root, BUNDLED)
    };
    let mut code = String::from("&[\n");
    for (name, path) in BUNDLED.iter().zip(&paths) {
        writeln!(
            code,
            "    BundledPlugin {{ name: {name:?}, wasm: include_bytes!({:?}) }},",
            path.display().to_string()
        )
        .unwrap();
    }
    code.push(']');
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("bundled.rs");
    std::fs::write(out, code).unwrap();
    println!("cargo::rerun-if-changed=build.rs");
}
