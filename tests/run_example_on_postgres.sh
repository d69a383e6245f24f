#!/usr/bin/env bash
# Runs the order/shipment example on two databases of the CTest PostgreSQL server, made for the
# run and dropped after it.
set -euo pipefail
example=$1
conninfo=$(cat "$SYNCORM_PG_STATE_DIR/primary.conninfo")
suffix=$$
psql "$conninfo" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE example_orders_$suffix" -c "CREATE DATABASE example_shipments_$suffix"
cleanup() { psql "$conninfo" -qX -c "DROP DATABASE IF EXISTS example_orders_$suffix" -c "DROP DATABASE IF EXISTS example_shipments_$suffix" >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$example" --postgres "${conninfo/dbname=syncorm_test/dbname=example_orders_$suffix}" \
                      "${conninfo/dbname=syncorm_test/dbname=example_shipments_$suffix}"
