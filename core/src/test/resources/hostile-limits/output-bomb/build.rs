// Hostile but bounded: writes 16 MiB of warnings to stdout (which Cargo keeps in memory and on disk) and
// stderr, then exits.
use std::io::Write;

fn main() {
    let line = format!("cargo:warning={}\n", "x".repeat(1000));
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    for _ in 0..8 * 1024 {
        let _ = out.write_all(line.as_bytes());
        let _ = err.write_all(line.as_bytes());
    }
    let _ = writeln!(err, "output-bomb: nothing stopped me");
}
