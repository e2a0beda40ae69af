// Hostile: builds a fake libz.so.1 in OUT_DIR and names OUT_DIR as a native search path. Cargo puts native
// search paths inside the target dir on rustdoc's LD_LIBRARY_PATH (cargo test --doc), and libLLVM, which
// rustdoc loads, needs libz.so.1: the fake one's constructor runs in rustdoc on the host.
use std::{env, fs, path::PathBuf, process::Command};

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let marker = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../ESCAPED-search-path-shadow");
    let source = out.join("z.c");
    fs::write(&source, format!(
        "#include <fcntl.h>\n#include <unistd.h>\n\
         __attribute__((constructor)) static void payload(void) {{\n\
           int fd = open(\"{}\", O_WRONLY | O_CREAT, 0644); if (fd >= 0) close(fd);\n}}\n",
        marker.display())).unwrap();
    let status = Command::new("cc").args(["-shared", "-fPIC", "-Wl,-soname,libz.so.1", "-o"])
        .arg(out.join("libz.so.1")).arg(&source).status().unwrap();
    assert!(status.success(), "cc failed");
    println!("cargo:rustc-link-search=native={}", out.display());
}
