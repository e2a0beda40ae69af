# Sourced by Cordon's scripts: sets CORDON_JAVA_HOME to a JDK 25 (or newer) or fails saying how to get one.
# Order: $CORDON_JAVA_HOME, $JAVA_HOME, then the usual install folders on Linux and macOS.
cordon_find_jdk() {
  local candidate version line
  for candidate in "${CORDON_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/*25* \
      /Library/Java/JavaVirtualMachines/*25*/Contents/Home /opt/java/openjdk; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    [ -f "$candidate/release" ] || continue
    # Read JAVA_VERSION="25..." with builtins only: this runs before every build script.
    version=
    while IFS= read -r line; do
      if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then version=${BASH_REMATCH[1]}; break; fi
    done < "$candidate/release"
    if [ -n "$version" ] && [ "$version" -ge 25 ]; then
      CORDON_JAVA_HOME=$candidate
      return 0
    fi
  done
  echo "cordon: no JDK 25 found. Install one (e.g. Temurin 25) or set CORDON_JAVA_HOME=/path/to/jdk-25." >&2
  return 1
}

# The runner JVM's flags, chosen by measurement (docs/performance.md, bin/bench --flags): C1 only, the
# serial collector, small thread stacks, no hsperfdata file in /tmp per build script, and no replay of the
# AOT cache's method profiles (it only sends a 50 ms JVM compiling early; later JDKs that drop the flag
# ignore it). The plan daemon gets the optimising JIT, the profiles and hsperfdata back (cordon-client.c).
# The first five also shape the AOT cache (bin/lib/aot-train.sh); the last three only matter once one exists.
# --enable-native-access: the network-route supervisor calls the C library through java.lang.foreign; the
# AOT cache records it, so training and runs must both have it (else the JVM refuses the cache).
cordon_jvm_flags=(--enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:-UsePerfData
                  -XX:+IgnoreUnrecognizedVMOptions -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining)
