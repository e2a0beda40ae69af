#!/usr/bin/env bash
# Network routes on Linux (issue 13), measured through the reference runner (cold JVM, this checkout's
# classes) and real bwrap:
#   1. connects per second through the route supervisor: a build script that connects to a granted
#      loopback route (and closes) in a loop, timed inside the sandbox;
#   2. the added cost per build script: /bin/true as the build script under a route grant vs. under the
#      default (no network) grant, medians of hyperfine runs, in a fresh JVM per script (the cold path);
#   3. the same in one warm JVM, as the plan daemon / unified supervisor pays it: route broker started,
#      plan wrapped, bwrap run, broker closed, vs. the plain plan.
# Targets: >= 2,000 connects/s and <= +5 ms per script. Needs gcc, bwrap, python3, hyperfine and a
# compiled checkout (bin/mvn -q compile or package).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${CORDON_BENCH_RUNS:-30}
connects=${CORDON_BENCH_CONNECTS:-5000}
for tool in gcc bwrap python3 hyperfine; do
  command -v "$tool" >/dev/null || { echo "bench-routes: $tool is missing" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench-routes.XXXXXX")
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# A loopback server that accepts and closes, printing its port first.
python3 - > "$work/port" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1024)
print(s.getsockname()[1], flush=True); sys.stdout.close()
while True:
    c, _ = s.accept(); c.close()
PY
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

cat > "$work/connect-loop.c" <<'C'
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
int main(void) {
    int port = atoi(getenv("BENCH_PORT")), n = atoi(getenv("BENCH_CONNECTS")), ok = 0;
    struct sockaddr_in a; memset(&a, 0, sizeof a);
    a.sin_family = AF_INET; a.sin_port = htons(port); inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ok += connect(fd, (struct sockaddr *) &a, sizeof a) == 0;
        close(fd);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr, "connects: %d of %d in %.3f s = %.0f/s (%.1f us each)\n", ok, n, s, ok / s, s * 1e6 / n);
    return ok == n ? 0 : 1;
}
C

# Cargo's layout, as bin/bench lays it out.
build=$work/pkg/target/debug/build/bench-0123456789abcdef
mkdir -p "$work/pkg" "$build/out"
export OUT_DIR=$build/out CARGO_PKG_NAME=bench CARGO_PKG_VERSION=0.1.0 CARGO_MANIFEST_DIR=$work/pkg
export CORDON_NO_DAEMON=1 CORDON_NO_AOT=1 BENCH_PORT=$port BENCH_CONNECTS=$connects
gcc -O2 -o "$build/build-script-build" "$work/connect-loop.c"
# The build script gets only the grant's environment: the policy passes the bench settings on.
printf '[permissions.build.bench]\nnetwork-access = { action = "permit", routes = ["127.0.0.1:%s"] }\nenv = { pass = ["BENCH_*"] }\n' \
  "$port" > "$work/routes.toml"
printf '[permissions.build.another-crate]\nnetwork-access = { action = "permit" }\n' > "$work/none.toml"
cd "$work/pkg"

echo "== connects per second through the route supervisor ($(nproc) cores, $(date -u +%F))"
for _ in 1 2 3; do
  "$here/cordon-runner" --policy "$work/routes.toml" "$build/build-script-build" 2>&1 | grep '^connects:' \
    || { echo "bench-routes: the connect loop failed:" >&2;
         "$here/cordon-runner" --policy "$work/routes.toml" "$build/build-script-build" >&2 || true; exit 1; }
done

echo "== added cost of a route grant per build script ($runs runs each, /bin/true as the script)"
cp /bin/true "$build/build-script-build"
hyperfine -N -w 3 -r "$runs" --export-json "$work/cost.json" \
  -n "no network (default grant)" "$here/cordon-runner --policy $work/none.toml $build/build-script-build" \
  -n "route grant (supervisor, netjail, hosts)" "$here/cordon-runner --policy $work/routes.toml $build/build-script-build" \
  > /dev/null
python3 - "$work/cost.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
none, routes = (statistics.median(x["times"]) * 1000 for x in r)
print(f"| no network | {none:.1f} ms |\n| route grant | {routes:.1f} ms |\n| added | {routes - none:+.1f} ms (target <= +5 ms) |")
PY

echo "== added cost of a route grant per build script in one warm JVM (the unified supervisor's case)"
. "$here/lib/jdk.sh"; cordon_find_jdk
mkdir -p "$work/warm"
cat > "$work/warm/WarmRoutes.java" <<'JAVA'
import dev.cordon.*;
import dev.cordon.internal.net.RouteBroker;
import dev.cordon.sandbox.bwrap.BwrapBackend;
import dev.cordon.sandbox.seccomp.SeccompFilterCompiler;
import java.nio.file.Path;
import java.util.*;

public class WarmRoutes {
    public static void main(String[] a) throws Exception {
        Path program = Path.of(a[0]);
        Map<String, String> env = new TreeMap<>(System.getenv());
        RunnerInvocation inv = new RunnerInvocation(RunnerInvocation.Kind.BUILD_SCRIPT, program, List.of(),
                Path.of(env.get("CARGO_MANIFEST_DIR")), env);
        Grant none = Policies.defaults().decide(inv);
        Grant routes = none.toBuilder().network(NetworkAccess.routes(List.of(new Route("127.0.0.1", Integer.parseInt(a[1]))))).build();
        SeccompFilterCompiler compiler = new SeccompFilterCompiler();
        BwrapBackend bwrap = new BwrapBackend();
        ExecutionPlan plain = bwrap.plan(inv, none, Optional.empty());
        ExecutionPlan routed = bwrap.plan(inv, routes, Optional.empty());
        SyscallFilter filter = compiler.routeFilter().orElseThrow();
        int runs = Integer.parseInt(a[2]);
        long[] p = new long[runs], r = new long[runs];
        for (int i = -10; i < runs; i++) {
            long t0 = System.nanoTime();
            run(plain);
            long t1 = System.nanoTime();
            try (RouteBroker broker = RouteBroker.start(inv, routes, filter)) {
                run(broker.wrap(routed, false));
            }
            long t2 = System.nanoTime();
            if (i >= 0) { p[i] = t1 - t0; r[i] = t2 - t1; }
        }
        Arrays.sort(p); Arrays.sort(r);
        System.out.printf("| plain bwrap plan | %.1f ms |%n| route-granted plan with its broker | %.1f ms |%n| added | %+.1f ms (target <= +5 ms) |%n",
                p[runs / 2] / 1e6, r[runs / 2] / 1e6, (r[runs / 2] - p[runs / 2]) / 1e6);
    }

    /** Through the one supervisor, as every launch path runs a plan: its files written, its descriptors opened. */
    static void run(ExecutionPlan plan) throws Exception {
        var outcome = new dev.cordon.internal.exec.Supervisor(new dev.cordon.internal.exec.LocalSpawner(),
                java.io.OutputStream.nullOutputStream(), System.err).execute(plan,
                dev.cordon.internal.exec.Supervisor.Watch.none());
        if (outcome.exitCode() != 0) throw new IllegalStateException("exit " + outcome.exitCode() + ": " + plan.command());
    }
}
JAVA
IFS= read -r deps < "$here/../examples/target/runner.classpath" || true
cp="$here/../core/target/classes:$here/../sandbox-bwrap/target/classes:$here/../sandbox-seccomp/target/classes:$deps"
"$CORDON_JAVA_HOME/bin/javac" -d "$work/warm" -cp "$cp" "$work/warm/WarmRoutes.java"
"$CORDON_JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$work/warm:$cp" WarmRoutes \
  "$build/build-script-build" "$port" "$runs"

# 4. Through the plan daemon, as Cargo meets it after 'bin/mvn package': the client starts the plan and
#    connects the supervisor's socket itself, the daemon holds the broker. Interleaved rounds (bin/lib/ab.py).
client=$here/../launcher/target/cordon/cordon-client
if [ -x "$client" ]; then
  echo "== added cost of a route grant per build script through the plan daemon ($runs interleaved rounds)"
  unset CORDON_NO_DAEMON CORDON_NO_AOT
  for _ in $(seq 20); do
    "$here/cordon-runner" --policy "$work/none.toml" "$build/build-script-build" >/dev/null
    "$here/cordon-runner" --policy "$work/routes.toml" "$build/build-script-build" >/dev/null
  done
  python3 "$here/lib/ab.py" "$runs" \
    "no network (default grant)=$here/cordon-runner --policy $work/none.toml $build/build-script-build" \
    "route grant=$here/cordon-runner --policy $work/routes.toml $build/build-script-build"
else
  echo "== (no plan daemon client: run 'bin/mvn package' for the daemon's figures)"
fi
