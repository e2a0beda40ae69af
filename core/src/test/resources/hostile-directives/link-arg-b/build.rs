// Hostile: gcc (started by rustc outside the sandbox) looks for collect2 in a -B directory the script chose.
use std::{env, fs, os::unix::fs::PermissionsExt, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let marker = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../ESCAPED-link-arg-b");
    let fake = out.join("fake");
    fs::create_dir_all(&fake).unwrap();
    let collect2 = fake.join("collect2");
    fs::write(&collect2, format!("#!/bin/sh\n: > '{}'\nexit 1\n", marker.display())).unwrap();
    fs::set_permissions(&collect2, fs::Permissions::from_mode(0o755)).unwrap();
    println!("cargo:rustc-link-arg=-B{}/", fake.display());
}
