#!/bin/sh
# bin/cordon-runner init [--mode stable|host-runner|run[,...]] [--policy FILE] [--write]
# Prints (or, with --write, adds to ./.cargo/config.toml) the Cargo configuration for a Cordon mode, and says
# whether 'cargo clean' is needed. Run it in the workspace root. See docs/user-guide.md, "Stable Cargo".
set -u
bin=$1; shift
mode=stable write= policy=
while [ $# -gt 0 ]; do
  case $1 in
    --mode) [ $# -ge 2 ] || { echo "cordon: error: --mode needs a value: stable, host-runner or run" >&2; exit 64; }
            mode=$2; shift ;;
    --mode=*) mode=${1#*=} ;;
    --policy) [ $# -ge 2 ] || { echo "cordon: error: --policy needs a file" >&2; exit 64; }
              policy=$2; shift ;;
    --policy=*) policy=${1#*=} ;;
    --write) write=1 ;;
    -h|--help) sed -n '2,4s/^# //p' "$0"; exit 0 ;;
    *) echo "cordon: error: init: unknown argument '$1'; usage: cordon-runner init [--mode stable|host-runner|run[,...]] [--policy FILE] [--write]" >&2
       exit 64 ;;
  esac
  shift
done
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
bin=$(cd "$bin" && pwd -P)
runner=$bin/cordon-runner wrapper=$bin/cordon-rustc
stable= host= run=
for m in $(echo "$mode" | tr ',' ' '); do
  case $m in
    stable) stable=1 ;;
    host-runner) host=1 ;;
    run) run=1 ;;
    *) echo "cordon: error: init: unknown mode '$m'; modes: stable (rustc wrapper, stable Cargo), host-runner" \
            "(-Zhost-config), run (cargo run/test/bench)" >&2; exit 64 ;;
  esac
done
if [ -n "$stable" ] && [ -n "$host" ]; then
  echo "cordon: error: init: choose stable or host-runner, not both: with both, every build script would be" \
       "sandboxed twice (the host runner would start the wrapper's launcher inside its sandbox)" >&2
  exit 64
fi
if [ -z "$policy" ] && [ -f cordon.toml ]; then policy=cordon.toml; fi

config() {
  if [ -n "$stable" ]; then
    echo "# Cordon, stable mode: every build script runs in Cordon's sandbox (no -Z flags, no RUSTC_BOOTSTRAP)."
    echo "# Chain another rustc wrapper with CORDON_RUSTC_WRAPPER (e.g. sccache), not RUSTC_WRAPPER."
    echo "[build]"
    echo "rustc-wrapper = \"$wrapper\""
    echo
  fi
  if [ -n "$host" ]; then
    echo "# Cordon, host-runner mode: needs 'RUSTC_BOOTSTRAP=1 cargo build -Zhost-config -Ztarget-applies-to-host'."
    echo "[host]"
    echo "runner = [\"$runner\"]"
    echo
  fi
  if [ -n "$run" ]; then
    echo "# Cordon for cargo run, cargo test and cargo bench: [permissions.run] of the policy decides."
    echo "[target.'cfg(all())']"
    echo "runner = [\"$runner\"]"
    echo
  fi
  if [ -n "$policy" ]; then
    echo "# The policy, as an absolute path for every build script and run (relative to this workspace)."
    echo "[env]"
    echo "CORDON_POLICY = { value = \"$policy\", relative = true }"
  elif grep -qsE '^[[:space:]]*\[(workspace|package)\.metadata\.cordon[].]' Cargo.toml; then
    echo "# The policy: the metadata.cordon tables of this Cargo.toml, found without [env] while the target dir is"
    echo "# ./target. With CARGO_TARGET_DIR elsewhere, name it:"
    echo "# [env]"
    echo "# CORDON_POLICY = { value = \"Cargo.toml\", relative = true }"
  else
    echo "# No cordon.toml here: the built-in defaults apply. To use a policy file:"
    echo "# [env]"
    echo "# CORDON_POLICY = { value = \"cordon.toml\", relative = true }"
  fi
}

advice() {
  echo "cordon: no 'cargo clean' needed for this switch:"
  if [ -n "$stable" ]; then
    echo "cordon:   cordon-rustc adds a line to rustc's version, which Cargo hashes into every artifact, so the"
    echo "cordon:   first build recompiles everything into new files and no build script compiled without a"
    echo "cordon:   launcher is ever reused (the old files stay until 'cargo clean', which only frees disk space)."
  fi
  if [ -n "$host" ]; then
    echo "cordon:   the host runner starts every build script that runs; only scripts Cargo deems fresh do not run."
  fi
  if [ -n "$run" ]; then
    echo "cordon:   Cargo asks the runner at every cargo run/test/bench; nothing is compiled differently."
  fi
  # Launchers record the runner's path: moving this checkout (or CORDON_RUNNER) leaves them pointing elsewhere.
  stale=
  if [ -n "$stable" ] && [ -d target ]; then
    for launcher in target/*/build/*/build_script_* target/*/*/build/*/build_script_*; do
      case $launcher in *.*) continue ;; esac
      [ -f "$launcher" ] || continue
      line=$(sed -n 3p "$launcher" 2>/dev/null)
      case $line in
        "exec '$runner' "*) ;;
        "exec '"*) stale=$launcher; break ;;
      esac
    done
  fi
  if [ -n "$stale" ]; then
    echo "cordon: 'cargo clean' IS needed: $stale starts another runner than $runner"
    echo "cordon:   (built from another Cordon checkout or CORDON_RUNNER); its build script would fail to start."
  fi
  echo "cordon: run 'cargo clean' whenever you move $bin or change CORDON_RUNNER: launchers record its path."
  if [ -n "$stable" ]; then
    for var in RUSTC_WRAPPER CARGO_BUILD_RUSTC_WRAPPER; do
      value=$(printenv "$var")
      if [ -n "$value" ] && [ "$value" != "$wrapper" ]; then
        echo "cordon: WARNING: $var=$value is set in your environment and overrides [build] rustc-wrapper:"
        echo "cordon:   build scripts would run WITHOUT Cordon. Unset it and set CORDON_RUSTC_WRAPPER=$value instead."
      fi
    done
  fi
}

if [ -z "$write" ]; then
  config
  echo
  advice | sed 's/^cordon:/#/'
  exit 0
fi
mkdir -p .cargo || exit 73
file=.cargo/config.toml
if [ -f "$file" ]; then
  # Appending a table the file already has would make it invalid TOML: refuse, say what to merge by hand.
  for table in build host env "target.'cfg(all())'"; do
    if config | grep -qxF "[$table]" && grep -qxF "[$table]" "$file"; then
      echo "cordon: error: $file already has a [$table] table; add these lines to it by hand:" >&2
      config >&2
      exit 73
    fi
  done
  if grep -qE '^[[:space:]]*rustc-wrapper[[:space:]]*=' "$file" && [ -n "$stable" ]; then
    echo "cordon: error: $file already sets rustc-wrapper; set CORDON_RUSTC_WRAPPER to it and use $wrapper" >&2
    exit 73
  fi
  { echo; config; } >> "$file" || exit 73
else
  config > "$file" || exit 73
fi
echo "cordon: wrote the $(echo "$mode" | tr ',' ' ') configuration to $PWD/$file" >&2
advice >&2
