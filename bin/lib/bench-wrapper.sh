#!/usr/bin/env bash
# The stable-Cargo mode's part of Cordon's benchmark (bin/cordon-rustc, issue 14):
#   bin/lib/bench-wrapper.sh            the wrapper's own cost per rustc call that needs nothing from it
#   bin/lib/bench-wrapper.sh --corpus   also a whole cargo build of the real-crate corpus, stable wrapper
#                                       against the -Z host runner (slow: several minutes)
# Run it after 'bin/mvn -q package -DskipTests' (the corpus build starts the packaged runner).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${CORDON_BENCH_RUNS:-400}
command -v hyperfine >/dev/null || { echo "bench: install hyperfine (apt-get install hyperfine)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-wrapper.XXXXXX"); trap 'rm -rf "$work"' EXIT
# A rustc call as Cargo makes it for a library crate; /bin/true stands in for rustc, so what is left is the
# wrapper's own start, its argument scan and the exec.
args="--crate-name serde --edition=2018 src/lib.rs --error-format=json --json=diagnostic-rendered-ansi,artifacts,future-incompat"
args="$args --crate-type lib --emit=dep-info,metadata,link -C embed-bitcode=no -C debuginfo=2 --cfg feature=\"default\""
args="$args --cfg feature=\"derive\" --cfg feature=\"std\" -C metadata=c12a367db737b3bb -C extra-filename=-eb6f525dababb60d"
args="$args --out-dir $work/target/debug/deps -L dependency=$work/target/debug/deps --extern serde_derive=$work/x.so --cap-lints allow"
echo "== cordon-rustc per rustc call that needs nothing ($runs runs each, $(nproc) cores, $(date -u +%F))"
hyperfine -N -w 20 -r "$runs" --style none --export-json "$work/wrapper.json" \
  -n "rustc stand-in (/bin/true)" "/bin/true $args" \
  -n "cordon-rustc + stand-in" "$here/cordon-rustc /bin/true $args" \
  -n "cordon-rustc -vV (Cargo's version query)" "$here/cordon-rustc $(command -v rustc) -vV" \
  -n "rustc -vV" "$(command -v rustc) -vV" >/dev/null 2>&1
python3 - "$work/wrapper.json" <<'PY'
import json, statistics, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
med = lambda name: statistics.median(r[name]["times"]) * 1000
cpu = lambda name: (r[name]["user"] + r[name]["system"]) * 1000  # hyperfine reports means
base, wrapped = "rustc stand-in (/bin/true)", "cordon-rustc + stand-in"
print("| command | median wall ms | mean CPU ms |")
print("|:---|---:|---:|")
for name in r:
    print(f"| {name} | {med(name):.2f} | {cpu(name):.2f} |")
over = med(wrapped) - med(base)
print(f"\nwrapper overhead per rustc call: {over:+.2f} ms wall (target <= 3 ms: {'met' if over <= 3 else 'NOT met'}),"
      f" {cpu(wrapped) - cpu(base):+.2f} ms CPU")
PY
if [ "${1:-}" = "--corpus" ]; then
  echo "== whole cargo build of the real-crate corpus (fresh target dir per run)"
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
TOML
  echo 'fn main() {}' > "$corpus/src/main.rs"
  printf '[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n' > "$corpus/.cargo/config.toml"
  cd "$corpus"
  hyperfine -w 1 -r "${CORDON_BENCH_CORPUS_RUNS:-3}" --prepare "rm -rf target" --export-json "$work/corpus.json" \
    -n "stable cargo, no sandbox" "cargo build -q --offline" \
    -n "stable cargo, cordon-rustc (stable mode)" "cargo build -q --offline --config 'build.rustc-wrapper=\"$here/cordon-rustc\"'" \
    -n "nightly flags, cordon-runner ([host] runner)" "RUSTC_BOOTSTRAP=1 cargo build -q --offline -Zhost-config -Ztarget-applies-to-host --config 'host.runner=[\"$here/cordon-runner\"]'"
  python3 - "$work/corpus.json" <<'PY'
import json, statistics, sys
r = {x["command"]: statistics.median(x["times"]) for x in json.load(open(sys.argv[1]))["results"]}
stable, host = r["stable cargo, cordon-rustc (stable mode)"], r["nightly flags, cordon-runner ([host] runner)"]
print(f"\nstable mode vs host-runner mode, whole build: {100 * (stable - host) / host:+.1f} % (target within 5 %)")
PY
fi
