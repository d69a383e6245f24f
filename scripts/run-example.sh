#!/usr/bin/env bash
# Builds and runs the quickstart example (README's first command).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-dependencies.sh"
build="$root/build/release"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target quickstart -j"$(nproc)"
"$build/examples/quickstart" "$@"
