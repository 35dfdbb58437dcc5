#!/usr/bin/env bash
# Builds libwild3d_ops.so (wild3d's fused CPU kernels, see ops.c) into OUT_DIR; the core module's
# Maven build runs it on Linux x86-64 so the library ships inside wild3d-core.jar.
# Usage: build.sh OUT_DIR WORK_DIR
# Needs gcc (bin/setup installs it). Nothing of TensorFlow is needed at build time: the library
# is linked against a stand-in with TF's soname (stub_tf.c) and binds to the real one at run time.
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$1"
work="$2"
cc="${CC:-gcc}"
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "wild3d native build: $cc not found. Install it (sudo apt-get install gcc) or build" \
    "without the fused kernels: mvn -Dwild3d.native.skip package" >&2
  exit 1
fi
mkdir -p "$out" "$work/stub"
flags=(-O3 -fPIC -std=c11 -Wall -Wextra -Werror -fvisibility=hidden)
"$cc" -O1 -fPIC -std=c11 -Wall -shared -Wl,-soname,libtensorflow_cc.so.2 -o "$work/stub/libtensorflow_cc.so.2" \
  "$src/stub_tf.c"
objs=()
for f in ops triplane fir parallel; do
  "$cc" "${flags[@]}" -c "$src/$f.c" -o "$work/$f.o"
  objs+=("$work/$f.o")
done
# softplus alone is compiled with -ffast-math: GCC then calls glibc's vector exp/log1p (libmvec).
"$cc" "${flags[@]}" -ffast-math -fopenmp-simd -c "$src/softplus.c" -o "$work/softplus.o"
objs+=("$work/softplus.o")
"$cc" -shared -o "$work/libwild3d_ops.so" "${objs[@]}" -L"$work/stub" -l:libtensorflow_cc.so.2 \
  -lmvec -lm -lpthread -Wl,--as-needed -Wl,-z,defs
mv -f "$work/libwild3d_ops.so" "$out/libwild3d_ops.so"
