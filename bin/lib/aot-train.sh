#!/usr/bin/env bash
# Packs the reference runner for fast start-up, called by the examples module at 'package':
# 1. merges Cordon's jars and their dependencies into examples/target/cordon-runner.jar (one jar opens far
#    faster than fifteen, and ServiceLoader scans every jar on each run; service files are concatenated);
# 2. makes the JDK 25 AOT cache examples/target/cordon-runner.aot by a training run (AotTraining): the
#    runner runs a trivial build script through this machine's default backend, under a policy file and
#    under the defaults (or answers 'explain' where no backend works).
# bin/cordon-runner uses both, and warns when any input jar is newer than the cache.
set -euo pipefail
root=$1
. "$(dirname "${BASH_SOURCE[0]}")/jdk.sh"   # cordon_jvm_flags, and the JDK when JAVA is not given
if [ -z "${JAVA:-}" ]; then
  cordon_find_jdk
  JAVA=$CORDON_JAVA_HOME/bin/java
fi
java=$JAVA
target=$root/examples/target
cp=""
for jar in "$root"/core/target/cordon-core-*.jar "$root"/sandbox-*/target/cordon-sandbox-*.jar \
           "$root"/examples/target/cordon-examples-*.jar; do
  case "$jar" in *-tests.jar|*-sources.jar|*-javadoc.jar) continue ;; esac
  [ -f "$jar" ] && cp=$cp$jar:
done
cp=$cp$(cat "$target/runner.classpath")
jar_tool=$(dirname "$java")/jar
merged=$target/cordon-runner.jar
stage=$target/runner-jar
rm -rf "$stage" "$merged"
mkdir -p "$stage/META-INF/services"
IFS=: read -ra inputs <<< "$cp"
for input in "${inputs[@]}"; do
  ( cd "$stage" && unzip -qo "$input" -x 'META-INF/MANIFEST.MF' '*module-info.class' 'META-INF/versions/*' \
      'META-INF/*.SF' 'META-INF/*.RSA' 'META-INF/*.DSA' 'META-INF/services/*' 2>&1 \
      | grep -v 'excluded filename not matched' >&2 || true )
done
for input in "${inputs[@]}"; do
  for service in $(unzip -Z1 "$input" 'META-INF/services/*' 2>/dev/null | grep -v '/$'); do
    { unzip -p "$input" "$service"; echo; } >> "$stage/$service"
  done
done
"$jar_tool" --create --file "$merged" --date=2026-11-21T00:00:00Z -C "$stage" .
rm -rf "$stage"
train=$target/aot-training
rm -rf "$train" "$target/cordon-runner.aot"
mkdir -p "$train/pkg" "$train/target/debug/build/training-0/out"
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
cp /bin/true "$train/target/debug/build/training-0/build-script-build"
flags=("${cordon_jvm_flags[@]:0:5}" -cp "$merged")
run() {
  ( cd "$train/pkg" && env -u CORDON_BACKEND -u CORDON_POLICY -u XDG_CACHE_HOME CORDON_CACHE_DIR="$train/cache" OUT_DIR="$train/target/debug/build/training-0/out" \
      CARGO_PKG_NAME=training CARGO_PKG_VERSION=0.1.0 CARGO_MANIFEST_DIR="$train/pkg" HOME="$train" \
      "$java" "${record[@]}" "${flags[@]}" "$@" )
}
# A first, unrecorded run fills the per-user caches (bwrap probe, compiled policy, discovery) so that the recorded run takes the path
# every later build script takes: the cache keeps only classes that path loads, and each class it keeps is
# loaded at every start.
training=(dev.cordon.examples.AotTraining "$train/cordon.toml" "$train/target/debug/build/training-0/build-script-build")
record=()
run "${training[@]}" >/dev/null 2>&1 || true
record=(-XX:AOTCacheOutput="$target/cordon-runner.aot")
if ! run "${training[@]}" >/dev/null 2>"$train/stderr"; then
  echo "aot-train: the training build script did not run ($(grep -v JAVA_TOOL_OPTIONS "$train/stderr" | tail -1)); training on explain" >&2
  run dev.cordon.examples.MinimalRunner explain --crate training >/dev/null 2>&1 || true
fi
if [ ! -f "$target/cordon-runner.aot" ]; then
  echo "aot-train: no AOT cache was written; see $train/stderr" >&2
  exit 1
fi
printf '%s' "$merged" > "$target/runner-aot.classpath"
printf '%s' "$cp" > "$target/runner-aot.inputs"
# The JVM command the fast start (bin/cordon-runner -> cordon-client) runs: NUL-separated words, the same
# flags as bin/lib/cordon-runner.bash uses with the AOT cache (cordon_jvm_flags).
printf '%s\0' "$java" "${cordon_jvm_flags[@]}" "-XX:AOTCache=$target/cordon-runner.aot" -cp "$merged" \
  dev.cordon.examples.MinimalRunner > "$target/runner-command"
echo "aot-train: wrote $target/cordon-runner.aot ($(du -h "$target/cordon-runner.aot" | cut -f1))" >&2
