# Shared by bin/wild3d-{train,eval,invert}: runs target/wild3d-<module>.jar of this checkout.
# Usage (from a launcher): wild3d_launch <module> "$@"
wild3d_launch() {
  local module="$1"
  shift
  local repo
  repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
  local jar="$repo/$module/target/wild3d-$module.jar"
  if [[ ! -f "$jar" || ! -d "$repo/$module/target/lib" ]]; then
    echo "wild3d-$module: $jar is not built yet." >&2
    echo "Build it first, from $repo: mvn -q -DskipTests package" >&2
    exit 2
  fi
  export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
  # WILD3D_JAVA_OPTS is split into words on purpose (e.g. "-Xmx8g -XX:+UseG1GC").
  # shellcheck disable=SC2086
  exec java ${WILD3D_JAVA_OPTS:-} \
    "-Dorg.bytedeco.javacpp.cachedir=${WILD3D_JAVACPP_CACHE:-$HOME/.javacpp/cache}" \
    -jar "$jar" "$@"
}
