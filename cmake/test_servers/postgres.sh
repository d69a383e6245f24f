#!/usr/bin/env bash
# Throwaway PostgreSQL servers for the syncorm tests and benchmarks (the commands are lib.sh's):
# a primary and, with `start <state_dir> --replicas N [--apply-delay MS]`, N streaming hot-standby
# replicas (pg_basebackup -R, a replication slot each) that replay the primary's changes MS
# milliseconds late (recovery_min_apply_delay), so that replica lag in tests is real and known.
#
# `start` writes into <state_dir>:
#   primary.conninfo       libpq conninfo of the primary (Unix socket), database syncorm_test
#   primary.tcp.conninfo   the same over TCP to 127.0.0.1
#   replica<i>.conninfo    replica i (i = 1..N)
#   env                    PGHOST, PGPORT, PGDATABASE, PGUSER of the primary, for a shell to source
#   bindir                 the PostgreSQL bin directory used (its psql is the tests' independent client)
# Processes: primary, replica1 ... replicaN (`stop-server <state_dir> replica1` stops one replica).
#
# PostgreSQL refuses to run as root: run as root, the servers run as SYNCORM_PG_SERVER_USER
# (default postgres). Environment: SYNCORM_PG_BINDIR (a bin directory with initdb and postgres;
# default: the newest under /usr/lib/postgresql, else pg_config's).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SERVER_NAME=PostgreSQL
SERVER_SCRIPT=postgres
MAIN_PROCESS=primary
STATE_FILES=(primary.conninfo primary.tcp.conninfo 'replica*.conninfo' env bindir)
STOP_SIGNAL=INT             # PostgreSQL's "fast" shutdown: roll back sessions, checkpoint, exit
RUN_DIR_RESERVE=16          # the socket: $RUN_DIR/.s.PGSQL.<port>
readonly DBNAME=syncorm_test
# Only the servers' own settings count, not the environment of whoever runs the tests.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE PGSERVICEFILE PGOPTIONS PGDATA PGPASSFILE \
      PGAPPNAME PGTARGETSESSIONATTRS 2>/dev/null || true

BINDIR=""
SERVER_USER=""
RUN_AS=()

server_prepare() {
    local dir
    if [[ -n "${SYNCORM_PG_BINDIR:-}" ]]; then
        BINDIR=$SYNCORM_PG_BINDIR
    else
        for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r) "$(pg_config --bindir 2>/dev/null || true)"; do
            [[ -x "$dir/postgres" ]] && { BINDIR=$dir; break; }
        done
    fi
    [[ -n "$BINDIR" && -x "$BINDIR/initdb" && -x "$BINDIR/postgres" && -x "$BINDIR/psql" ]] ||
        die "no PostgreSQL server found (SYNCORM_PG_BINDIR, /usr/lib/postgresql/*/bin, pg_config); Debian: apt-get install postgresql"
    if ((EUID == 0)); then
        SERVER_USER=${SYNCORM_PG_SERVER_USER:-postgres}
        id -u "$SERVER_USER" >/dev/null 2>&1 || die "running as root, but there is no user $SERVER_USER to run PostgreSQL as"
        # setpriv execs (runuser would fork and stay the session's leader, between the signals and postgres).
        RUN_AS=(setpriv "--reuid=$SERVER_USER" "--regid=$(id -g "$SERVER_USER")" --init-groups)
    else
        SERVER_USER=$(id -un)
        RUN_AS=(env)
    fi
}

as_server() { (cd / && "${RUN_AS[@]}" "$@"); }

run_dir_usable() {
    ((EUID == 0)) && chown "$SERVER_USER:" "$RUN_DIR"
    as_server test -w "$RUN_DIR" -a -x "$RUN_DIR"
}

# A conninfo value in single quotes, with \ and ' escaped (the run directory may hold spaces).
quoted() { local v=${1//\\/\\\\}; printf "'%s'" "${v//\'/\\\'}"; }

conninfo() {  # conninfo <process> <database>
    printf 'host=%s port=%s dbname=%s user=%s' "$(quoted "$RUN_DIR")" "$(cat "$RUN_DIR/$1.port")" "$2" \
        "$(quoted "$SERVER_USER")"
}

sql() {  # sql <process> <statement>: the single value it returns
    "$BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$(conninfo "$1" postgres)" -c "$2"
}

# Settings for a throwaway server: fast (no fsync), loud only about problems, ready to replicate.
write_settings() {  # write_settings <process> <port>
    echo "$2" >"$RUN_DIR/$1.port"
    as_server tee "$RUN_DIR/$1/syncorm.conf" >/dev/null <<CONF
# Written by postgres.sh: a throwaway server for tests, not for production.
cluster_name = 'syncorm_$1'
listen_addresses = '127.0.0.1'
port = $2
unix_socket_directories = $(quoted "$RUN_DIR")
max_connections = 100
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = replica
max_wal_senders = 16
max_replication_slots = 16
wal_keep_size = 128MB
hot_standby = on
hot_standby_feedback = on
wal_retrieve_retry_interval = 1s
wal_receiver_status_interval = 1s
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
CONF
}

server_launch() {
    # After a kill -9 the lock files name a pid that may not be reaped yet, which postgres would take
    # for a live server; launch refuses a process that still runs, so here they are stale.
    local port
    port=$(cat "$RUN_DIR/$1.port")
    running "$1" || rm -f "$RUN_DIR/$1/postmaster.pid" "$RUN_DIR/.s.PGSQL.$port" "$RUN_DIR/.s.PGSQL.$port.lock"
    launch "$1" "${RUN_AS[@]}" "$BINDIR/postgres" -D "$RUN_DIR/$1"
    wait_ready "$1" sql "$1" "SELECT 1"
}

start_replica() {  # start_replica <i> <apply delay in ms>
    local name="replica$1" token
    as_server "$BINDIR/pg_basebackup" -D "$RUN_DIR/$name" -R -X stream --checkpoint=fast --no-sync \
        --create-slot "--slot=syncorm_$name" -d "$(conninfo primary postgres) application_name=syncorm_$name" \
        >>"$RUN_DIR/logs/$name.basebackup.log" 2>&1 </dev/null || die "pg_basebackup of $name failed (see logs/$name.basebackup.log)"
    write_settings "$name" "$(free_port)"
    server_launch "$name"
    # Streaming, and a row written on the primary is visible on the replica: only then the delay,
    # so that from here on the replica lags by a known amount.
    token="$name-$$-$RANDOM"
    sql primary "INSERT INTO syncorm_replication_probe VALUES ('$token')" >/dev/null
    local end=$((SECONDS + START_TIMEOUT))
    until [[ "$(sql "$name" "SELECT count(*) FROM syncorm_replication_probe WHERE token = '$token'" 2>/dev/null)" == 1 ]]; do
        ((SECONDS < end)) || die "$name does not replay the primary's changes within ${START_TIMEOUT}s"
        sleep 0.1
    done
    if (($2 > 0)); then
        printf "recovery_min_apply_delay = '%sms'\n" "$2" | as_server tee -a "$RUN_DIR/$name/postgresql.auto.conf" >/dev/null
        kill -HUP "$(process_pid "$name")"
    fi
    { conninfo "$name" "$DBNAME"; echo; } >"$STATE_DIR/$name.conninfo"
    info "$name streaming on port $(cat "$RUN_DIR/$name.port"), replaying ${2} ms late"
}

server_start() {
    local replicas=0 apply_delay=0 i
    while (($#)); do
        case "$1" in
            --replicas) replicas=${2:-}; shift 2 || usage ;;
            --apply-delay) apply_delay=${2:-}; shift 2 || usage ;;
            *) usage ;;
        esac
    done
    is_uint "$replicas" && ((replicas <= 16)) || die "--replicas takes 0 to 16"
    is_uint "$apply_delay" || die "--apply-delay takes milliseconds"

    as_server "$BINDIR/initdb" -D "$RUN_DIR/primary" -U "$SERVER_USER" --auth=trust -E UTF8 --locale=C --no-sync \
        >"$RUN_DIR/logs/initdb.log" 2>&1 </dev/null || die "initdb failed (see logs/initdb.log)"
    printf "\ninclude 'syncorm.conf'\n" | as_server tee -a "$RUN_DIR/primary/postgresql.conf" >/dev/null
    write_settings primary "$(free_port)"
    server_launch primary
    sql primary "CREATE DATABASE $DBNAME" >/dev/null
    if ((replicas > 0)); then
        sql primary "CREATE TABLE syncorm_replication_probe (token text)" >/dev/null
        for ((i = 1; i <= replicas; i++)); do start_replica "$i" "$apply_delay"; done
        sql primary "DROP TABLE syncorm_replication_probe" >/dev/null
    fi

    { conninfo primary "$DBNAME"; echo; } >"$STATE_DIR/primary.conninfo"
    printf 'host=127.0.0.1 port=%s dbname=%s user=%s\n' "$(cat "$RUN_DIR/primary.port")" "$DBNAME" \
        "$(quoted "$SERVER_USER")" >"$STATE_DIR/primary.tcp.conninfo"
    printf 'export PGHOST=%q PGPORT=%q PGDATABASE=%q PGUSER=%q\n' "$RUN_DIR" "$(cat "$RUN_DIR/primary.port")" \
        "$DBNAME" "$SERVER_USER" >"$STATE_DIR/env"
    echo "$BINDIR" >"$STATE_DIR/bindir"
    info "$("$BINDIR/postgres" --version) running as $SERVER_USER: primary on port $(cat "$RUN_DIR/primary.port")," \
         "$replicas replica(s); conninfo in $STATE_DIR/primary.conninfo"
}

server_main "$@"
