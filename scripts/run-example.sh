#!/usr/bin/env bash
# Builds and runs the main example (README's first command): examples/order_shipment_sync.cpp, an
# orders application and a shipments application in two processes, each with its own SQLite file,
# kept in sync by syncorm's sync events. Arguments are passed on (see the example's header comment:
# two SQLite paths, or --postgres and two connection strings).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-dependencies.sh"
build="$root/build/release"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target order_shipment_sync quickstart -j"$(nproc)"
"$build/examples/order_shipment_sync" "$@"
