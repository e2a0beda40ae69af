# Sourced by Cordon's scripts: sets CORDON_JAVA_HOME to a JDK 25 (or newer) or fails saying how to get one.
# Order: $CORDON_JAVA_HOME, $JAVA_HOME, then the usual install folders on Linux and macOS.
cordon_find_jdk() {
  local candidate version line
  for candidate in "${CORDON_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/*25* \
      /Library/Java/JavaVirtualMachines/*25*/Contents/Home /opt/java/openjdk; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    [ -f "$candidate/release" ] || continue
    version=
    while IFS= read -r line; do   # builtins, not sed: bin/cordon-runner runs this per build script
      case $line in JAVA_VERSION=\"[0-9]*) version=${line#JAVA_VERSION=\"}; version=${version%%[!0-9]*}; break ;; esac
    done < "$candidate/release"
    if [ -n "$version" ] && [ "$version" -ge 25 ]; then
      CORDON_JAVA_HOME=$candidate
      return 0
    fi
  done
  echo "cordon: no JDK 25 found. Install one (e.g. Temurin 25) or set CORDON_JAVA_HOME=/path/to/jdk-25." >&2
  return 1
}
