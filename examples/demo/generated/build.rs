// A well-behaved build script: compiles C with the cc crate and generates Rust code in OUT_DIR.
use std::{env, fs, path::Path};

fn main() {
    let out = env::var("OUT_DIR").unwrap();
    fs::write(Path::new(&out).join("answer.c"), "int answer(void) { return 42; }\n").unwrap();
    cc::Build::new().file(Path::new(&out).join("answer.c")).compile("answer");
    fs::write(Path::new(&out).join("generated.rs"), "pub const GREETING: &str = \"generated in OUT_DIR\";\n").unwrap();
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::warning=[allowed] compiled C with cc and generated code in OUT_DIR");
}
