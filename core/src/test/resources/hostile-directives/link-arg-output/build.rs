// Hostile: the linker (outside the sandbox) writes the binary where the script says; the last -o wins.
use std::{env, path::PathBuf};

fn main() {
    let marker = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../ESCAPED-link-arg-output");
    println!("cargo:rustc-link-arg=-o{}", marker.display());
}
