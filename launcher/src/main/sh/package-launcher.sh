#!/usr/bin/env bash
# Packs a Cordon runner for fast start-up, at 'package' time: the launcher module runs it for the reference
# runner, and dev.cordon.launcher.Packager runs it for a team's own runner main. Given the runner's merged jar
# (built by maven-shade-plugin: Cordon, its dependencies and the runner's main in one jar), it writes into OUT:
#   cordon-client      the plan daemon's thin client, compiled with cc (none when there is no C compiler)
#   cordon-runner.aot  the JDK 25 AOT cache, from a training run (dev.cordon.launcher.AotTraining): a trivial
#                      build script through this machine's default backend under a policy file, under the
#                      defaults and through MAIN-CLASS (or 'explain' where no backend works)
#   runner-command     the JVM command the client runs (NUL-separated words): cordon_jvm_flags from jdk.sh,
#                      the AOT cache and the merged jar as the whole class path, as in training (a cache only
#                      maps when the class path at run time is the one it was trained with)
#   runner-aot.inputs  the files the cache was trained from (the merged jar): newer than the cache = stale
#   cordon-runner      the launcher Cargo points at (POSIX sh): one exec, to the client or to the JVM, with
#                      the AOT cache or, when the jar is newer than the cache, without it and a warning
#
# usage: package-launcher.sh --jar JAR --main-class CLASS --out DIR --client-source FILE
#                            [--jdk-sh FILE] [--rebuild-hint TEXT]      (JAVA=path/to/java, else a JDK 25 found)
set -euo pipefail
jar= main= out= client_source= jdk_sh=$(dirname "${BASH_SOURCE[0]}")/jdk.sh hint="mvn package"
while [ $# -gt 0 ]; do
  case $1 in
    --jar) jar=$2 ;; --main-class) main=$2 ;; --out) out=$2 ;; --client-source) client_source=$2 ;;
    --jdk-sh) jdk_sh=$2 ;; --rebuild-hint) hint=$2 ;;
    *) echo "package-launcher: unknown argument $1 (see the usage at the top of $0)" >&2; exit 64 ;;
  esac
  shift 2
done
for required in jar main out client_source; do
  [ -n "${!required}" ] || { echo "package-launcher: --${required//_/-} is missing (see the usage at the top of $0)" >&2; exit 64; }
done
[ -f "$jar" ] || { echo "package-launcher: the runner jar $jar does not exist: build it first (maven-shade-plugin at package)" >&2; exit 66; }
. "$jdk_sh"   # cordon_jvm_flags, and the JDK when JAVA is not given
if [ -z "${JAVA:-}" ]; then
  cordon_find_jdk
  JAVA=$CORDON_JAVA_HOME/bin/java
fi
java=$JAVA
jar=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/cordon-client" "$out/cordon-runner" "$out/cordon-runner.aot" "$out/runner-command" "$out/runner-aot.inputs"

if [ "$(uname -s)" != Linux ]; then
  echo "package-launcher: the plan daemon's client is Linux-only (pidfd_open, SO_PEERCRED), so the launcher starts a JVM per build script" >&2
elif command -v cc >/dev/null; then
  # Static where the C library allows it: no dynamic loader at each start, and a smaller process to fork
  # (2.2 ms less per build script on the project's VM, bin/lib/ab.py); else dynamic, as before.
  cc -O2 -s -Wall -Werror -static -o "$out/cordon-client" "$client_source" 2>/dev/null \
    || cc -O2 -Wall -Werror -o "$out/cordon-client" "$client_source"
else
  echo "package-launcher: no C compiler (cc), so the launcher starts a JVM per build script (no plan daemon)" >&2
fi

train=$out/aot-training
rm -rf "$train"
# Laid out like a real package, with its target dir inside it: the policy re-run's walk of the package's
# files (PolicyRerun, PackageFiles) then takes the branches a real build script's run takes.
mkdir -p "$train/pkg/src" "$train/pkg/target/debug/build/training-0/out"
printf '[package]\nname = "training"\nversion = "0.1.0"\nedition = "2021"\n' > "$train/pkg/Cargo.toml"
printf 'fn main() {}\n' > "$train/pkg/build.rs"
printf '\n' > "$train/pkg/src/lib.rs"
# A policy of the usual shape: the path every real build script takes reads one (from the compiled-policy
# cache, which the first run below fills).
cat > "$train/cordon.toml" <<'TOML'
[sandbox]
backend = "auto"
[permissions.build]
network-access = { action = "deny" }
[permissions.build.training]
env = { pass = ["TRAINING_FLAG"], set = { SOURCE_DATE_EPOCH = "0" } }
[permissions.build.another-crate]
network-access = { action = "permit" }
TOML
cp /bin/true "$train/pkg/target/debug/build/training-0/build-script-build"
flags=("${cordon_jvm_flags[@]:0:5}" -cp "$jar")
run() {
  ( cd "$train/pkg" && env -u CORDON_BACKEND -u CORDON_POLICY -u XDG_CACHE_HOME CORDON_CACHE_DIR="$train/cache" OUT_DIR="$train/pkg/target/debug/build/training-0/out" \
      CARGO_PKG_NAME=training CARGO_PKG_VERSION=0.1.0 CARGO_MANIFEST_DIR="$train/pkg" HOME="$train" \
      "$java" "${record[@]}" "${flags[@]}" "$@" )
}
# A first, unrecorded run fills the per-user caches (bwrap probe, compiled policy, discovery) so that the recorded run takes the path
# every later build script takes: the cache keeps only classes that path loads, and each class it keeps is
# loaded at every start.
training=(dev.cordon.launcher.AotTraining "$main" "$train/cordon.toml" "$train/pkg/target/debug/build/training-0/build-script-build")
record=()
run "${training[@]}" >/dev/null 2>&1 || true
record=(-XX:AOTCacheOutput="$out/cordon-runner.aot")
if ! run "${training[@]}" >/dev/null 2>"$train/stderr"; then
  echo "package-launcher: the training build script did not run ($(grep -v JAVA_TOOL_OPTIONS "$train/stderr" | tail -1)); training on explain" >&2
  run "$main" explain --crate training >/dev/null 2>&1 || true
fi
if [ ! -f "$out/cordon-runner.aot" ]; then
  echo "package-launcher: no AOT cache was written; see $train/stderr" >&2
  exit 1
fi
printf '%s\n' "$jar" > "$out/runner-aot.inputs"
# The JVM command (NUL-separated words), as the launcher runs it: for bin/bench and the tests.
printf '%s\0' "$java" "${cordon_jvm_flags[@]}" "-XX:AOTCache=$out/cordon-runner.aot" -cp "$jar" "$main" > "$out/runner-command"

# The launcher: POSIX sh with builtins only up to its one exec, because it runs once per build script. It
# hands the client the JVM command as words (cordon-client N JAVA-ARGV... RUNNER-ARGS...), so the client
# never has to judge the cache itself and never hands back to a script.
q() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
words=""; for f in "${cordon_jvm_flags[@]}"; do words="$words $(q "$f")"; done
{
  cat <<SH
#!/bin/sh
# Cordon's launcher for the runner $main, written at package time by package-launcher.sh: do not edit,
# rebuild with: $hint
# Point Cargo at it:  .cargo/config.toml:  [host]  runner = ["$out/cordon-runner"]
#   RUSTC_BOOTSTRAP=1 cargo build -Zhost-config -Ztarget-applies-to-host
# One exec: to the plan daemon's client (cordon-client, beside this file) or, under CORDON_NO_DAEMON=1 or
# without a client, straight to the runner JVM. When the jar is newer than the AOT cache (a cache only maps
# onto the jar it was trained with) it warns and makes the same exec without the cache.
# CORDON_RUNNER_MAIN runs another main class of the same jar (from the same cache).
cordon_d=$(q "$out")
cordon_jar=$(q "$jar")
cordon_java=$(q "$java")
cordon_main=\${CORDON_RUNNER_MAIN:-$(q "$main")}
cordon_hint=$(q "$hint")
if [ ! -f "\$cordon_jar" ]; then
  echo "cordon-runner: error: the runner jar \$cordon_jar is missing; rebuild it with: \$cordon_hint" >&2
  exit 70
fi
cordon_aot=-XX:AOTCache=\$cordon_d/cordon-runner.aot cordon_n=$((${#cordon_jvm_flags[@]} + 5))
if [ ! -f "\$cordon_d/cordon-runner.aot" ] || [ "\$cordon_jar" -nt "\$cordon_d/cordon-runner.aot" ]; then
  echo "cordon-runner: warning: the AOT cache is stale (\$cordon_jar changed after it was made), so start-up is" \\
       "slow; rebuild it with: \$cordon_hint" >&2
  cordon_aot= cordon_n=$((${#cordon_jvm_flags[@]} + 4))
fi
if [ -z "\${CORDON_NO_DAEMON:-}" ] && [ -x "\$cordon_d/cordon-client" ]; then
  exec "\$cordon_d/cordon-client" "\$cordon_n" "\$cordon_java"$words \${cordon_aot:+"\$cordon_aot"} -cp "\$cordon_jar" "\$cordon_main" "\$@"
fi
exec "\$cordon_java"$words \${cordon_aot:+"\$cordon_aot"} -cp "\$cordon_jar" "\$cordon_main" "\$@"
SH
} > "$out/cordon-runner"
chmod +x "$out/cordon-runner"
echo "package-launcher: wrote $out/cordon-runner for $main (AOT cache $(du -h "$out/cordon-runner.aot" | cut -f1))" >&2
