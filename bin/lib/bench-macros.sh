#!/usr/bin/env bash
# The proc-macro sandbox's part of Cordon's benchmark (issue 15): whole cargo builds of the real-crate corpus
# (bench-wrapper.sh's, plus thiserror and clap's derive) through stable Cargo and bin/cordon-rustc, with proc
# macros sandboxed (this checkout's wrapper) and without (the wrapper as it was before, which sandboxes build
# scripts only), and plain Cargo for reference. Rounds are interleaved (one build of each per round, fresh
# target dirs) so that the shared machine's drift hits all alike.
#   bin/lib/bench-macros.sh [ROUNDS]      (default 3; each round is three full builds: many minutes)
#   bin/lib/bench-macros.sh --per-call    what one rustc call costs: the wrapper's fast path (a stand-in rustc),
#                                         and a small real compile that loads a proc macro, in the sandbox or not
# Run it after 'bin/mvn -q package -DskipTests': the builds start the packaged runner (AOT cache, plan daemon).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-macros.XXXXXX"); trap 'rm -rf "$work"' EXIT
if [ "${1:-}" = --per-call ]; then
  runs=${CORDON_BENCH_RUNS:-100}
  git -C "$here/.." show d45339b:bin/cordon-rustc > "$work/cordon-rustc-before"
  cp "$here/cordon-rustc" "$work/cordon-rustc-now"
  chmod +x "$work/cordon-rustc-before" "$work/cordon-rustc-now"
  deps=$work/target/debug/deps; mkdir -p "$deps"
  args="--crate-name serde --edition=2018 src/lib.rs --error-format=json --json=diagnostic-rendered-ansi,artifacts,future-incompat"
  args="$args --crate-type lib --emit=dep-info,metadata,link -C embed-bitcode=no -C debuginfo=2 --cfg feature=\"default\""
  args="$args -C metadata=c12a367db737b3bb -C extra-filename=-eb6f525dababb60d --out-dir $deps -L dependency=$deps"
  args="$args --extern serde_derive=$deps/libserde_derive-1.so --extern itoa=$deps/libitoa-2.rmeta --cap-lints allow"
  echo "== the wrapper's fast path: a library crate's rustc call with --extern libraries, none a proc macro ($runs interleaved rounds, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%F))"
  python3 "$here/lib/ab.py" "$runs" "rustc stand-in=/bin/true $args" \
    "cordon-rustc before issue 15 + stand-in=$work/cordon-rustc-before /bin/true $args" \
    "cordon-rustc now + stand-in=$work/cordon-rustc-now /bin/true $args"
  # A real compile that loads a proc macro: a derive crate built once through the wrapper (which marks it), then
  # the same consumer call through rustc alone and through the wrapper (rustc in the sandbox, warm runner).
  mkdir -p "$work/p/tiny/src" "$work/p/user/src"
  printf '[package]\nname = "tiny"\nversion = "0.1.0"\nedition = "2021"\n[lib]\nproc-macro = true\n' > "$work/p/tiny/Cargo.toml"
  printf 'use proc_macro::TokenStream;\n#[proc_macro_derive(Hello)]\npub fn hello(_: TokenStream) -> TokenStream { "impl Point { fn hello() -> u32 { 7 } }".parse().unwrap() }\n' > "$work/p/tiny/src/lib.rs"
  (cd "$work/p/tiny" && CORDON_RUNNER="$here/cordon-runner" cargo build -q --offline --target-dir "$work/target" \
    --config "build.rustc-wrapper=\"$work/cordon-rustc-now\"")
  so=$(ls "$deps"/libtiny-*.so)
  printf '#[derive(tiny::Hello)] struct Point;\nfn main() { println!("{}", Point::hello()); }\n' > "$work/p/user/src/main.rs"
  rustc=$(rustup which rustc 2>/dev/null || command -v rustc)
  call="--crate-name user --edition=2021 $work/p/user/src/main.rs --crate-type bin --emit=dep-info,link -C embed-bitcode=no -C extra-filename=-99 --out-dir $deps -L dependency=$deps --extern tiny=$so"
  echo "== a small compile that loads a proc macro ($runs interleaved rounds)"
  CARGO_PKG_NAME=user CORDON_RUNNER="$here/cordon-runner" python3 "$here/lib/ab.py" "$runs" "rustc=$rustc $call" \
    "cordon-rustc before issue 15 (rustc unsandboxed)=$work/cordon-rustc-before $rustc $call" \
    "cordon-rustc now (rustc in the sandbox)=$work/cordon-rustc-now $rustc $call"
  exit 0
fi
rounds=${1:-3}
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
wrappers=("-" "$work/cordon-rustc-build-scripts-only" "$work/cordon-rustc-macros")
echo "== whole cargo build of the real-crate corpus with proc macros: $rounds interleaved rounds, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%F)"
CORDON_RUNNER="$here/cordon-runner" python3 - "$rounds" "$corpus" "${wrappers[@]}" <<'PY'
import os, shutil, statistics, subprocess, sys, time

def busy_seconds():
    """CPU time the whole machine spent busy (/proc/stat): a sandboxed rustc call runs under the plan daemon,
    not under cargo, so cargo's own children's rusage would leave it out."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")

rounds, corpus, wrappers = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
names = ["plain stable cargo", "cordon-rustc, proc macros not sandboxed", "cordon-rustc, proc macros sandboxed"]
wall = {n: [] for n in names}
cpu = {n: [] for n in names}
for r in range(1, rounds + 1):
    for name, wrapper in zip(names, wrappers):
        shutil.rmtree(os.path.join(corpus, "target"), ignore_errors=True)
        cmd = ["cargo", "build", "-q", "--offline"]
        if wrapper != "-":
            cmd += ["--config", f'build.rustc-wrapper="{wrapper}"']
        before = busy_seconds()
        start = time.perf_counter()
        subprocess.run(cmd, cwd=corpus, check=True)
        w = time.perf_counter() - start
        c = busy_seconds() - before
        wall[name].append(w)
        cpu[name].append(c)
        print(f"round {r}: {name}: {w:.1f} s wall, {c:.1f} s machine CPU (load {os.getloadavg()[0]:.1f})", flush=True)
print()
for name in names:
    print(f"{name:42s} median {statistics.median(wall[name]):7.1f} s wall  {statistics.median(cpu[name]):7.1f} s machine CPU")
off, on = names[1], names[2]
for kind, d in (("wall", wall), ("machine CPU", cpu)):
    a, b = statistics.median(d[off]), statistics.median(d[on])
    paired = statistics.median(100 * (y - x) / x for x, y in zip(d[off], d[on]))
    print(f"proc macros sandboxed vs not, whole build, {kind}: {100 * (b - a) / a:+.1f} % of the medians, "
          f"{paired:+.1f} % median of the rounds' own ratios (target <= +5 %)")
PY
