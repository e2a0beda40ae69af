#!/usr/bin/env bash
# The full launcher behind bin/cordon-runner (which hands over to the packaged launcher first, see there): runs
# this checkout's classes (target/classes). Point Cargo at bin/cordon-runner, not at this file:
#   .cargo/config.toml:  [host]  runner = ["/abs/path/to/bin/cordon-runner"]
#   RUSTC_BOOTSTRAP=1 cargo build -Zhost-config -Ztarget-applies-to-host
# Also: bin/cordon-runner check --policy FILE | explain --policy FILE --crate NAME | help
# Needs the usual Maven build first (bin/mvn -q install -DskipTests). CORDON_RUNNER_MAIN picks another main class.
set -u
# Builtins only up to the exec below: every fork costs milliseconds, and this runs once per build script.
lib=${BASH_SOURCE[0]%/*}
[ "$lib" = "${BASH_SOURCE[0]}" ] && lib=.
case $lib in /*) ;; *) lib=$PWD/$lib ;; esac
here=${lib%/*}
root=${here%/*}
. "$lib/jdk.sh"
cordon_find_jdk || exit 69
cp_file=$root/examples/target/runner.classpath
cordon_cp=
for module in core sandbox-bwrap sandbox-seccomp sandbox-macos examples; do
  cordon_cp=$cordon_cp$root/$module/target/classes:
done
if [ ! -f "$cp_file" ] || [ ! -d "$root/examples/target/classes" ] || [ ! -d "$root/core/target/classes" ]; then
  echo "cordon-runner: not built yet: run '$root/bin/mvn -q install -DskipTests' first" >&2
  exit 70
fi
flags=("${cordon_jvm_flags[@]}")   # from jdk.sh
IFS= read -r classpath < "$cp_file" || true
classpath=$cordon_cp$classpath
java_cmd=("$CORDON_JAVA_HOME/bin/java" "${flags[@]}" -cp "$classpath" "${CORDON_RUNNER_MAIN:-dev.cordon.examples.MinimalRunner}")
# The plan daemon (Linux): the client (launcher/target/cordon/cordon-client) asks a long-lived runner JVM for the plan and execs
# it, starting that JVM when none runs and running the command below itself whenever the daemon cannot help.
# CORDON_NO_DAEMON=1 always starts a fresh JVM. Under CORDON_NO_AOT=1 (as in the tests) the daemon is used only
# when CORDON_CLIENT names the client to use. See docs/performance.md.
client=${CORDON_CLIENT:-}
if [ -z "$client" ] && [ -z "${CORDON_NO_AOT:-}" ]; then client=$root/launcher/target/cordon/cordon-client; fi
if [ -z "${CORDON_NO_DAEMON:-}" ] && [ -n "$client" ] && [ -x "$client" ] && [ "$OSTYPE" = linux-gnu ]; then
  exec "$client" "${#java_cmd[@]}" "${java_cmd[@]}" "$@"
fi
# exec keeps Cargo's jobserver descriptors and makes the JVM Cargo's direct child.
exec "${java_cmd[@]}" "$@"
