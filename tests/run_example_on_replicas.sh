#!/usr/bin/env bash
# Runs the read/write split example on the CTest replica set: the primary and its two replicas.
set -euo pipefail
dir=$SYNCORM_PG_STATE_DIR
exec "$1" "$(cat "$dir/primary.conninfo")" "$(cat "$dir/replica1.conninfo")" "$(cat "$dir/replica2.conninfo")"
