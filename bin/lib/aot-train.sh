#!/usr/bin/env bash
# Makes the runner's JDK 25 AOT cache (examples/target/cordon-runner.aot) by a training run: the reference
# runner runs a trivial build script through the default backend of this machine (or, where no backend is
# available, answers 'explain'). Called by the examples module at 'package'; JAVA names the java binary.
set -euo pipefail
root=$1
if [ -z "${JAVA:-}" ]; then
  . "$(dirname "${BASH_SOURCE[0]}")/jdk.sh"
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
train=$target/aot-training
rm -rf "$train" "$target/cordon-runner.aot"
mkdir -p "$train/pkg" "$train/target/debug/build/training-0/out"
cp /bin/true "$train/target/debug/build/training-0/build-script-build"
flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -cp "$cp")
run() {
  ( cd "$train/pkg" && env -u CORDON_BACKEND OUT_DIR="$train/target/debug/build/training-0/out" \
      CARGO_PKG_NAME=training CARGO_PKG_VERSION=0.1.0 CARGO_MANIFEST_DIR="$train/pkg" HOME="$train" \
      "$java" -XX:AOTCacheOutput="$target/cordon-runner.aot" "${flags[@]}" dev.cordon.examples.MinimalRunner "$@" )
}
if ! run "$train/target/debug/build/training-0/build-script-build" >/dev/null 2>"$train/stderr"; then
  echo "aot-train: the training build script did not run ($(grep -v JAVA_TOOL_OPTIONS "$train/stderr" | tail -1)); training on explain" >&2
  run explain --crate training >/dev/null 2>&1 || true
fi
if [ ! -f "$target/cordon-runner.aot" ]; then
  echo "aot-train: no AOT cache was written; see $train/stderr" >&2
  exit 1
fi
printf '%s' "$cp" > "$target/runner-aot.classpath"
echo "aot-train: wrote $target/cordon-runner.aot ($(du -h "$target/cordon-runner.aot" | cut -f1))" >&2
