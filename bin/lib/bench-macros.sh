#!/usr/bin/env bash
# The proc-macro sandbox's part of Cordon's benchmark (issue 15): whole cargo builds of the real-crate corpus
# (bench-wrapper.sh's, plus thiserror and clap's derive) through stable Cargo and bin/cordon-rustc, with proc
# macros sandboxed (this checkout's wrapper) and without (the wrapper as it was before, which sandboxes build
# scripts only), and plain Cargo for reference. Rounds are interleaved (one build of each per round, fresh
# target dirs) so that the shared machine's drift hits all alike.
#   bin/lib/bench-macros.sh [ROUNDS]      (default 3; each round is three full builds: many minutes)
# Run it after 'bin/mvn -q package -DskipTests': the builds start the packaged runner (AOT cache, plan daemon).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${1:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-macros.XXXXXX"); trap 'rm -rf "$work"' EXIT
# Macros off: the wrapper of the commit before issue 15, which sandboxes build scripts and execs every other
# rustc call untouched; it starts the same runner.
git -C "$here/.." show d45339b:bin/cordon-rustc > "$work/cordon-rustc-build-scripts-only"
chmod +x "$work/cordon-rustc-build-scripts-only"
# Copies, so that editing the checkout during a run changes nothing (a shell reads its script as it goes).
cp "$here/cordon-rustc" "$work/cordon-rustc-macros"
corpus=$work/corpus; mkdir -p "$corpus/src" "$corpus/.cargo"
cat > "$corpus/Cargo.toml" <<'TOML'
[package]
name = "corpus"
version = "0.1.0"
edition = "2021"
[dependencies]
ring = "0.16"
libsqlite3-sys = "0.25"
libz-sys = "1"
serde = { version = "1", features = ["derive"] }
serde_json = "1"
proc-macro2 = "1"
thiserror = "1"
clap = { version = "3", features = ["derive"] }
TOML
cat > "$corpus/src/main.rs" <<'RS'
#[derive(serde::Serialize, Debug)]
struct Point { x: i32 }
#[derive(thiserror::Error, Debug)]
#[error("bad {0:?}")]
struct Bad(Point);
#[derive(clap::Parser)]
struct Args { #[clap(long, default_value_t = 1)] x: i32 }
fn main() { let a = <Args as clap::Parser>::parse(); println!("{}", Bad(Point { x: a.x })); }
RS
printf '[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n' > "$corpus/.cargo/config.toml"
cd "$corpus"
modes=("plain stable cargo" "cordon-rustc, proc macros not sandboxed" "cordon-rustc, proc macros sandboxed")
wrappers=("" "$work/cordon-rustc-build-scripts-only" "$work/cordon-rustc-macros")
echo "== whole cargo build of the real-crate corpus with proc macros: $rounds interleaved rounds, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%F)"
declare -A times
for ((r = 1; r <= rounds; r++)); do
  for i in "${!modes[@]}"; do
    rm -rf "$corpus/target"
    args=(build -q --offline)
    [ -n "${wrappers[$i]}" ] && args+=(--config "build.rustc-wrapper=\"${wrappers[$i]}\"")
    start=$(date +%s.%N)
    CORDON_RUNNER="$here/cordon-runner" cargo "${args[@]}"
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    times[$i]="${times[$i]:-} $t"
    echo "round $r: ${modes[$i]}: ${t}s"
  done
done
python3 - "${times[0]}" "${times[1]}" "${times[2]}" <<'PY'
import statistics, sys
names = ["plain stable cargo", "cordon-rustc, proc macros not sandboxed", "cordon-rustc, proc macros sandboxed"]
med = [statistics.median(float(x) for x in arg.split()) for arg in sys.argv[1:]]
for name, m in zip(names, med):
    print(f"{name:45s} median {m:7.1f} s")
print(f"\nproc macros sandboxed vs not, whole build: {100 * (med[2] - med[1]) / med[1]:+.1f} % (target <= +5 %)")
PY
