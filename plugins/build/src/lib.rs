//! Compiles plugin crates of this workspace to WebAssembly components from a
//! build script, so the host can embed them and the tests can load them.
//!
//! The guests are built by a nested `cargo build` with their own target
//! folder (`<target>/plugins`), because the outer cargo holds the lock on the
//! main one. They use the workspace's `plugin` profile (size-optimised, LTO,
//! stripped).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The target triple guests are compiled for.
pub const TARGET: &str = "wasm32-wasip2";

/// Builds `packages` (package names of workspace members) and returns each
/// package's component path, in the order given. Exits the build script with
/// a message on failure, because a build script has no better error channel.
pub fn build(workspace_root: &Path, packages: &[&str]) -> Vec<PathBuf> {
    ensure_target_installed();

    let target_dir = guest_target_dir(workspace_root);
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace_root)
        .args(["build", "--profile", "plugin", "--target", TARGET])
        .arg("--target-dir")
        .arg(&target_dir);
    for package in packages {
        command.args(["-p", package]);
    }
    // Flags cargo sets for the outer (native) build must not leak into the
    // guest build.
    for key in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        command.env_remove(key);
    }

    let status = command.status().unwrap_or_else(|error| {
        fail(&format!("could not run cargo to build the plugins: {error}"))
    });
    if !status.success() {
        fail(&format!(
            "building the plugins {packages:?} for {TARGET} failed; the cargo output above says why"
        ));
    }

    emit_rerun_hints(workspace_root);
    packages
        .iter()
        .map(|package| {
            let file = format!("{}.wasm", package.replace('-', "_"));
            target_dir.join(TARGET).join("plugin").join(file)
        })
        .collect()
}

/// Returns the workspace root, given the calling crate's manifest folder and
/// how many levels it sits below the root.
pub fn workspace_root(levels_below_root: usize) -> PathBuf {
    let mut root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    for _ in 0..levels_below_root {
        root.pop();
    }
    root
}

fn guest_target_dir(workspace_root: &Path) -> PathBuf {
    let outer = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root.join("target"));
    let outer = if outer.is_absolute() {
        outer
    } else {
        workspace_root.join(outer)
    };
    outer.join("plugins")
}

fn ensure_target_installed() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    let installed = sysroot
        .map(|root| root.join("lib/rustlib").join(TARGET).is_dir())
        .unwrap_or(false);
    if !installed {
        fail(&format!(
            "the Rust target {TARGET} is not installed, and ouro's plugins are compiled for it.\n\
             Run `rustup target add {TARGET}` and build again."
        ));
    }
}

fn emit_rerun_hints(workspace_root: &Path) {
    for path in ["plugins", "tests/plugins", "wit", "Cargo.lock", "Cargo.toml"] {
        let path = workspace_root.join(path);
        if path.exists() {
            println!("cargo::rerun-if-changed={}", path.display());
        }
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
