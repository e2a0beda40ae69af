#!/usr/bin/env bash
# The stable-Cargo mode's part of Cordon's benchmark (bin/cordon-rustc, issue 14):
#   bin/lib/bench-wrapper.sh            the wrapper's own cost per rustc call that needs nothing from it
#   bin/lib/bench-wrapper.sh --corpus   also a whole cargo build of the real-crate corpus, stable wrapper
#                                       against the -Z host runner (slow: several minutes)
# Run it after 'bin/mvn -q package -DskipTests' (the corpus build starts the packaged runner).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${CORDON_BENCH_RUNS:-300}
command -v hyperfine >/dev/null || { echo "bench: install hyperfine (apt-get install hyperfine)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-wrapper.XXXXXX"); trap 'rm -rf "$work"' EXIT
# A rustc call as Cargo makes it for a library crate; /bin/true stands in for rustc, so what is left is the
# wrapper's own start, its argument scan and the exec.
args="--crate-name serde --edition=2018 src/lib.rs --error-format=json --json=diagnostic-rendered-ansi,artifacts,future-incompat"
args="$args --crate-type lib --emit=dep-info,metadata,link -C embed-bitcode=no -C debuginfo=2 --cfg feature=\"default\""
args="$args --cfg feature=\"derive\" --cfg feature=\"std\" -C metadata=c12a367db737b3bb -C extra-filename=-eb6f525dababb60d"
args="$args --out-dir $work/target/debug/deps -L dependency=$work/target/debug/deps --extern serde_derive=$work/x.so --cap-lints allow"
echo "== cordon-rustc per rustc call that needs nothing ($runs interleaved rounds, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%F))"
# Interleaved rounds (bin/lib/ab.py): on a small shared machine the load drifts more between two hyperfine
# commands than the few milliseconds measured here. The third command is the floor of any sh wrapper.
# The floor of any wrapper process: a static C program that only execs its arguments.
floor=()
if command -v cc >/dev/null; then
  printf '#include <unistd.h>\nint main(int c, char **v) { execv(v[1], v + 1); return 127; }\n' > "$work/exec.c"
  if cc -O2 -static -o "$work/exec-only" "$work/exec.c" 2>/dev/null || cc -O2 -o "$work/exec-only" "$work/exec.c"; then
    floor=("C exec-only wrapper + stand-in=$work/exec-only /bin/true $args")
  fi
fi
python3 "$here/lib/ab.py" "$runs" \
  "rustc stand-in=/bin/true $args" \
  "cordon-rustc + stand-in=$here/cordon-rustc /bin/true $args" \
  "sh -c 'exec /bin/true'=/bin/sh -c 'exec /bin/true' $args" \
  "${floor[@]}"
echo "(the wrapper's cost per rustc call is the second line's difference to the first; target <= 3 ms)"
echo "== Cargo's version query (once per build, cached in target/.rustc_info.json)"
python3 "$here/lib/ab.py" 20 "rustc -vV=$(command -v rustc) -vV" "cordon-rustc rustc -vV=$here/cordon-rustc $(command -v rustc) -vV"
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
