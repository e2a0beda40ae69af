// Writes generated files into the workspace: allowed for this crate only, by its [permissions.build] table.
use std::{env, fs, path::PathBuf};

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../schema-out");
    let result = fs::create_dir_all(&dir).and_then(|_| fs::write(dir.join("schema.sql"), "CREATE TABLE demo (id INTEGER);\n"));
    match result {
        Ok(()) => println!("cargo::warning=[allowed by policy] write schema-out/schema.sql: SOURCE_DATE_EPOCH={:?}",
            env::var("SOURCE_DATE_EPOCH").unwrap_or_default()),
        Err(e) => println!("cargo::warning=[blocked] write schema-out/schema.sql: {e}"),
    }
}
