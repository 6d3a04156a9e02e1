# Sourced by bin/maskprop and bin/test: picks a JDK 21+, sets DJL offline, preloads jemalloc.
# Users never set JAVA_HOME by hand; an explicit JAVA_HOME of 21+ wins.

MASKPROP_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MASKPROP_HOME

_maskprop_java_major() { # prints the major version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n 1
}

_maskprop_pick_jdk() {
  local cand major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(_maskprop_java_major "$JAVA_HOME/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then return 0; fi
  fi
  for cand in /usr/lib/jvm/*/; do
    cand=${cand%/}
    [ -x "$cand/bin/javac" ] || continue
    major=$(_maskprop_java_major "$cand/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then export JAVA_HOME="$cand"; return 0; fi
  done
  echo "maskprop: no JDK 21 or newer found (JAVA_HOME=${JAVA_HOME:-unset}; looked in /usr/lib/jvm). Install one (e.g. Temurin 21) or point JAVA_HOME at it." >&2
  return 1
}
_maskprop_pick_jdk || exit 1
export PATH="$JAVA_HOME/bin:$PATH"

# DJL never downloads at run time: the PyTorch native library comes from the Maven jar.
export DJL_OFFLINE=true

# An allocator that keeps freed pages: fresh pages cost ~100x the arithmetic here (ENVIRONMENT.md).
MASKPROP_JEMALLOC=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
if [ -z "${MASKPROP_NO_JEMALLOC:-}" ] && [ -r "$MASKPROP_JEMALLOC" ]; then
  case ":${LD_PRELOAD:-}:" in
    *":$MASKPROP_JEMALLOC:"*) ;;
    *) export LD_PRELOAD="$MASKPROP_JEMALLOC${LD_PRELOAD:+:$LD_PRELOAD}" ;;
  esac
  export MALLOC_CONF="${MALLOC_CONF:-dirty_decay_ms:-1,muzzy_decay_ms:-1}"
elif [ -z "${MASKPROP_JEMALLOC_WARNED:-}" ]; then
  echo "maskprop: jemalloc not found ($MASKPROP_JEMALLOC; apt-get install libjemalloc2); using glibc's allocator, large tensors will be much slower." >&2
  export MASKPROP_JEMALLOC_WARNED=1
fi

# Maven's own Guava calls sun.misc.Unsafe; JDK 24+ warns about it on every build. Silence that only.
if [ "$(_maskprop_java_major "$JAVA_HOME/bin/java")" -ge 24 ]; then
  case " ${MAVEN_OPTS:-} " in
    *sun-misc-unsafe-memory-access*) ;;
    *) export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow" ;;
  esac
fi

# Builds the jars (mvn install, which also copies the runtime jars into cli/target/lib) when
# cli/target/maskprop-cli.jar is missing or older than a pom or a main source. Used by bin/maskprop
# and bin/run-notebooks; returns non-zero (after printing the log's tail) if the build fails.
_maskprop_jars_fresh() {
  local jar="$MASKPROP_HOME/cli/target/maskprop-cli.jar"
  [ -f "$jar" ] && [ -z "$(find "$MASKPROP_HOME/pom.xml" "$MASKPROP_HOME"/{lib,data-prep,experiments,cli}/pom.xml \
        "$MASKPROP_HOME"/{lib,data-prep,experiments,cli}/src/main -newer "$jar" -print -quit 2>/dev/null)" ]
}

maskprop_build_if_needed() {
  _maskprop_jars_fresh && return 0
  # One build at a time: two commands started together must not both run `mvn install`.
  local lock="$MASKPROP_HOME/.build.lock" rc=0
  exec 9>"$lock"
  command -v flock >/dev/null 2>&1 && flock 9
  if ! _maskprop_jars_fresh; then
    echo "maskprop: building the jars (first use or sources changed) ..." >&2
    if (cd "$MASKPROP_HOME" && mvn -q -B -DskipTests -Dmaven.javadoc.skip=true install >"$MASKPROP_HOME/.build.log" 2>&1); then
      touch "$MASKPROP_HOME/cli/target/maskprop-cli.jar"
    else
      echo "maskprop: build failed; see $MASKPROP_HOME/.build.log" >&2
      tail -n 30 "$MASKPROP_HOME/.build.log" >&2
      rc=1
    fi
  fi
  exec 9>&-
  return $rc
}
