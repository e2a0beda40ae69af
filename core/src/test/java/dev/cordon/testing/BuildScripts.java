package dev.cordon.testing;

/** Rust build scripts that several test suites run through real Cargo. */
public final class BuildScripts {
    private BuildScripts() {
    }

    /**
     * Takes one token from Cargo's jobserver (a pipe pair, in either spelling, or a FIFO), gives it back,
     * and prints {@code cargo::warning=token-ok via <auth>}. It fails when the jobserver did not reach it.
     */
    public static final String JOBSERVER_TOKEN = """
            use std::io::{Read, Write};
            use std::os::fd::FromRawFd;
            fn main() {
                let flags = std::env::var("CARGO_MAKEFLAGS").expect("CARGO_MAKEFLAGS");
                let auth = flags.split_whitespace()
                    .filter_map(|w| w.strip_prefix("--jobserver-auth=").or(w.strip_prefix("--jobserver-fds=")))
                    .last().expect("no jobserver in CARGO_MAKEFLAGS");
                let (mut r, mut w) = if let Some(path) = auth.strip_prefix("fifo:") {
                    let f = std::fs::OpenOptions::new().read(true).write(true).open(path).expect("open fifo");
                    (f.try_clone().unwrap(), f)
                } else {
                    let (a, b) = auth.split_once(',').unwrap();
                    unsafe { (std::fs::File::from_raw_fd(a.parse().unwrap()), std::fs::File::from_raw_fd(b.parse().unwrap())) }
                };
                let mut token = [0u8; 1];
                r.read_exact(&mut token).expect("read a jobserver token");
                w.write_all(&token).expect("give the token back");
                println!("cargo::warning=token-ok via {}", auth);
            }
            """;
}
