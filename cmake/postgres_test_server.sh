#!/usr/bin/env bash
# Throwaway PostgreSQL server(s) for the syncorm test suite.
#
# Usage:
#   postgres_test_server.sh start <state_dir> [--replicas N] [--apply-delay MS]
#   postgres_test_server.sh stop <state_dir>
#   postgres_test_server.sh restart <state_dir>
#   postgres_test_server.sh stop-server <state_dir> [primary|replica<i>]   (data kept)
#   postgres_test_server.sh start-server <state_dir> [primary|replica<i>]
#   (stop-primary / start-primary: the same for the primary)
#
# `start` creates a fresh primary cluster (plus N streaming hot-standby
# replicas) listening on 127.0.0.1 and on a private Unix socket directory, and
# writes into <state_dir>:
#   primary.conninfo       libpq conninfo (Unix socket) for the primary, db syncorm_test
#   primary.tcp.conninfo   same, over TCP to 127.0.0.1
#   replica<i>.conninfo    libpq conninfo for replica i (i = 1..N)
#   env                    shell-sourceable PGHOST/PGPORT/PGDATABASE/PGUSER (primary)
#   bindir                 the PostgreSQL bin directory that was used
#   logs/                  server logs (copied here by `stop` when they lived elsewhere)
# and some bookkeeping files (servers, basedir, server_user) used by the other
# subcommands.  `stop` stops everything and removes the data directories; it
# is idempotent and exits 0 when there is nothing to stop.
#
# Environment:
#   SYNCORM_PG_BINDIR        directory containing initdb/pg_ctl/postgres (overrides discovery)
#   SYNCORM_PG_SERVER_USER   system user running the servers when invoked as root
#                            (default: postgres)
#   SYNCORM_PG_START_TIMEOUT seconds to wait for a server / a replica (default: 60)

set -Eeuo pipefail

export LC_ALL=C
umask 022
# Make sure no stray libpq / pg_ctl environment changes what we connect to.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE PGSERVICEFILE \
      PGOPTIONS PGDATA PGPASSFILE PGAPPNAME PGTARGETSESSIONATTRS 2>/dev/null || true

readonly PROG="syncorm"
readonly DBNAME="syncorm_test"
readonly SOCK_PATH_MAX=107            # sizeof(sun_path) - 1
readonly TIMEOUT="${SYNCORM_PG_START_TIMEOUT:-60}"

STATE_DIR=""
BINDIR=""
SERVER_USER=""
RUN_AS=()                             # command prefix to run as SERVER_USER
BASE_DIR=""
LOG_DIR=""
PSQL=""
PG_BASEBACKUP=""
START_OK=0
FAIL_REASON=""

# ----------------------------------------------------------------------------
# small helpers

usage() {
    cat >&2 <<'EOF'
usage: postgres_test_server.sh start <state_dir> [--replicas N] [--apply-delay MS]
       postgres_test_server.sh stop <state_dir>
       postgres_test_server.sh restart <state_dir>
       postgres_test_server.sh stop-server <state_dir> [primary|replica<i>]
       postgres_test_server.sh start-server <state_dir> [primary|replica<i>]
EOF
    exit 2
}

info() { printf '%s: %s\n' "$PROG" "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }

# fail <message>: abort the current subcommand (the EXIT trap of `start`
# prints the logs and cleans up).
fail() {
    FAIL_REASON="$*"
    exit 1
}

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

abs_dir() { (cd "$1" && pwd -P); }

# Quote a value for a libpq conninfo string.
conninfo_quote() {
    local v="$1"
    if [[ -n "$v" && "$v" != *[[:space:]\'\\]* ]]; then
        printf '%s' "$v"
    else
        v="${v//\\/\\\\}"
        v="${v//\'/\\\'}"
        printf "'%s'" "$v"
    fi
}

# Quote a value for postgresql.conf.
conf_quote() {
    local v="${1//\'/\'\'}"
    printf "'%s'" "$v"
}

# Run a command as the server user, from a directory that user can access.
as_server() {
    (cd / && "${RUN_AS[@]}" "$@")
}

# Write stdin to <file> and make it owned by the server user.
write_server_file() {
    local f="$1"
    cat >"$f"
    if ((EUID == 0)); then chown "$SERVER_USER:" "$f"; fi
}

# Atomically write stdin to <file> (owned by the invoking user).
write_state_file() {
    local f="$1"
    cat >"$f.tmp.$$"
    mv -f "$f.tmp.$$" "$f"
}

# ----------------------------------------------------------------------------
# discovery

has_server_bins() {
    [[ -n "$1" && -x "$1/initdb" && -x "$1/pg_ctl" && -x "$1/postgres" ]]
}

find_bindir() {
    local d cand
    if [[ -n "${SYNCORM_PG_BINDIR:-}" ]]; then
        if has_server_bins "$SYNCORM_PG_BINDIR"; then
            abs_dir "$SYNCORM_PG_BINDIR"
            return 0
        fi
        echo "SYNCORM_PG_BINDIR=$SYNCORM_PG_BINDIR does not contain initdb, pg_ctl and postgres" >&2
        return 1
    fi
    # Debian/Ubuntu (/usr/lib/postgresql/<ver>/bin), RHEL (/usr/pgsql-<ver>/bin):
    # highest version that has the server binaries.
    cand=$(for d in /usr/lib/postgresql/*/bin /usr/pgsql-*/bin; do
               if has_server_bins "$d"; then
                   local v="${d%/bin}"; v="${v##*/}"; v="${v#pgsql-}"
                   printf '%s\t%s\n' "$v" "$d"
               fi
           done | sort -t $'\t' -k1,1V | tail -n 1 | cut -f2)
    if [[ -n "$cand" ]]; then
        printf '%s\n' "$cand"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        if has_server_bins "$d"; then
            printf '%s\n' "$d"
            return 0
        fi
    fi
    if d=$(command -v initdb 2>/dev/null); then
        d=$(dirname "$(readlink -f "$d")")
        if has_server_bins "$d"; then
            printf '%s\n' "$d"
            return 0
        fi
    fi
    echo "no PostgreSQL server installation found (looked in \$SYNCORM_PG_BINDIR," \
         "/usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, pg_config --bindir and PATH);" \
         "install the PostgreSQL server package (e.g. apt-get install postgresql)" >&2
    return 1
}

# Client tools: prefer the server's bin dir, fall back to PATH.
client_tool() {
    local t="$1"
    if [[ -n "$BINDIR" && -x "$BINDIR/$t" ]]; then
        printf '%s\n' "$BINDIR/$t"
    elif command -v "$t" >/dev/null 2>&1; then
        command -v "$t"
    else
        return 1
    fi
}

# Sets SERVER_USER and RUN_AS.
setup_server_user() {
    local user="${1:-}"
    if ((EUID == 0)); then
        SERVER_USER="${user:-${SYNCORM_PG_SERVER_USER:-postgres}}"
        if ! id -u "$SERVER_USER" >/dev/null 2>&1; then
            echo "running as root, but the system user '$SERVER_USER' (used to run the" \
                 "PostgreSQL server, which refuses to run as root) does not exist" >&2
            return 1
        fi
        if [[ "$(id -u "$SERVER_USER")" == 0 ]]; then
            echo "the server user '$SERVER_USER' must not be root" >&2
            return 1
        fi
        if command -v runuser >/dev/null 2>&1 &&
           (cd / && runuser -u "$SERVER_USER" -- true) >/dev/null 2>&1; then
            RUN_AS=(runuser -u "$SERVER_USER" --)
        elif command -v setpriv >/dev/null 2>&1 &&
             (cd / && setpriv --reuid="$SERVER_USER" --regid="$(id -g "$SERVER_USER")" \
                 --init-groups true) >/dev/null 2>&1; then
            RUN_AS=(setpriv --reuid="$SERVER_USER" --regid="$(id -g "$SERVER_USER")" --init-groups)
        else
            echo "running as root, but neither 'runuser' nor 'setpriv' can switch to user '$SERVER_USER'" >&2
            return 1
        fi
    else
        SERVER_USER="$(id -un)"
        RUN_AS=(env)
    fi
}

# ----------------------------------------------------------------------------
# ports

port_in_use() {
    local port="$1" hex f
    hex=$(printf '%04X' "$port")
    for f in /proc/net/tcp /proc/net/tcp6; do
        [[ -r "$f" ]] || continue
        if awk -v p="$hex" 'NR > 1 { split($2, a, ":"); if (toupper(a[2]) == p) { found = 1; exit } }
                            END { exit !found }' "$f"; then
            return 0
        fi
    done
    # Something accepting connections on it?
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        return 0
    fi
    return 1
}

pick_free_port() {
    local i port
    for ((i = 0; i < 200; i++)); do
        # Below the usual ephemeral range (32768-60999).
        port=$((15000 + (RANDOM * 32768 + RANDOM) % 17000))
        if ! port_in_use "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    echo "could not find a free TCP port on 127.0.0.1" >&2
    return 1
}

# ----------------------------------------------------------------------------
# bookkeeping of servers: <state>/servers has one line per server:
#   name <TAB> datadir <TAB> sockdir <TAB> logfile

server_field() {   # server_field <name> <field#>
    [[ -f "$STATE_DIR/servers" ]] || return 1
    awk -F'\t' -v n="$1" -v f="$2" '$1 == n { print $f; found = 1; exit } END { exit !found }' \
        "$STATE_DIR/servers"
}

server_port() {    # port configured in <datadir>/syncorm.conf
    sed -n "s/^port = \([0-9]*\)$/\1/p" "$1/syncorm.conf" 2>/dev/null | tail -n 1
}

conninfo_for() {   # conninfo_for <sockdir> <port> <dbname>
    printf 'host=%s port=%s dbname=%s user=%s' "$(conninfo_quote "$1")" "$2" \
        "$(conninfo_quote "$3")" "$(conninfo_quote "$SERVER_USER")"
}

psql_q() {         # psql_q <conninfo> <sql>
    "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# ----------------------------------------------------------------------------
# process helpers

postmaster_pid() { # postmaster_pid <name> <datadir>
    local pid=""
    if [[ -r "$2/postmaster.pid" ]]; then
        pid=$(head -n 1 "$2/postmaster.pid" 2>/dev/null || true)
    fi
    if ! is_uint "$pid" && [[ -r "$STATE_DIR/$1.pid" ]]; then
        pid=$(head -n 1 "$STATE_DIR/$1.pid" 2>/dev/null || true)
    fi
    is_uint "$pid" && printf '%s\n' "$pid"
}

# Is <pid> a live postgres postmaster for <datadir>?
postmaster_alive() {
    local pid="$1" datadir="$2" cmd
    [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
    [[ -z "$cmd" ]] && return 1                  # zombie / gone
    [[ "$cmd" == *"$datadir"* ]]
}

children_of() {
    local f rest ppid
    for f in /proc/[0-9]*/stat; do
        rest=$(cat "$f" 2>/dev/null) || continue
        rest="${rest##*) }"
        ppid=$(awk '{ print $2 }' <<<"$rest")
        if [[ "$ppid" == "$1" ]]; then
            f="${f#/proc/}"
            printf '%s\n' "${f%/stat}"
        fi
    done
}

wait_gone() {      # wait_gone <pid> <datadir> <seconds>
    local end=$((SECONDS + $3))
    while postmaster_alive "$1" "$2"; do
        ((SECONDS < end)) || return 1
        sleep 0.2
    done
    return 0
}

# Stop one server: fast, then immediate, then SIGKILL.  Returns 1 if it is
# still running afterwards.
stop_server() {
    local name="$1" datadir="$2" pid pg_ctl="" kids
    pid=$(postmaster_pid "$name" "$datadir" || true)
    if ! postmaster_alive "$pid" "$datadir"; then
        rm -f "$STATE_DIR/$name.pid"
        return 0
    fi
    info "stopping $name (pid $pid)"
    if [[ -n "$BINDIR" && -x "$BINDIR/pg_ctl" && ${#RUN_AS[@]} -gt 0 ]]; then
        pg_ctl="$BINDIR/pg_ctl"
    fi
    if [[ -n "$pg_ctl" ]]; then
        as_server "$pg_ctl" stop -D "$datadir" -m fast -w -t 30 </dev/null >/dev/null 2>&1 || true
        if ! wait_gone "$pid" "$datadir" 5; then
            warn "$name did not stop with -m fast; trying -m immediate"
            as_server "$pg_ctl" stop -D "$datadir" -m immediate -w -t 15 </dev/null >/dev/null 2>&1 || true
        fi
    else
        kill -INT "$pid" 2>/dev/null || true   # fast shutdown
    fi
    if ! wait_gone "$pid" "$datadir" 10; then
        warn "$name (pid $pid) still running; killing it"
        kids=$(children_of "$pid" || true)
        kill -KILL "$pid" 2>/dev/null || true
        # shellcheck disable=SC2086  # word splitting of the pid list is intended
        [[ -n "$kids" ]] && kill -KILL $kids 2>/dev/null
        if ! wait_gone "$pid" "$datadir" 10; then
            warn "could not stop $name (pid $pid)"
            return 1
        fi
    fi
    rm -f "$STATE_DIR/$name.pid"
    return 0
}

# Start one server (config already in place except the port).  If <port> is
# empty, pick free ports and retry on bind collisions.
start_server() {   # start_server <name> <datadir> <sockdir> <logfile> [port]
    local name="$1" datadir="$2" sockdir="$3" logfile="$4" fixed_port="${5:-}"
    local attempt port before pid
    for ((attempt = 1; attempt <= 10; attempt++)); do
        if [[ -n "$fixed_port" ]]; then
            port="$fixed_port"
        else
            port=$(pick_free_port) || return 1
            write_server_conf "$name" "$datadir" "$sockdir" "$port"
        fi
        before=0
        [[ -f "$logfile" ]] && before=$(stat -c %s "$logfile")
        if as_server "$BINDIR/pg_ctl" start -D "$datadir" -l "$logfile" -w -t "$TIMEOUT" -s \
               </dev/null >>"$LOG_DIR/pg_ctl.log" 2>&1; then
            pid=$(postmaster_pid "$name" "$datadir" || true)
            [[ -n "$pid" ]] && printf '%s\n' "$pid" >"$STATE_DIR/$name.pid"
            return 0
        fi
        if [[ -z "$fixed_port" ]] &&
           tail -c +"$((before + 1))" "$logfile" 2>/dev/null |
               grep -Eq 'could not bind|Address already in use|could not create any TCP/IP sockets'; then
            warn "port $port was taken while starting $name; retrying with another port"
            continue
        fi
        echo "pg_ctl could not start $name (see its log below)" >&2
        return 1
    done
    echo "could not start $name: no free port after $((attempt - 1)) attempts" >&2
    return 1
}

write_server_conf() {  # write_server_conf <name> <datadir> <sockdir> <port>
    write_server_file "$2/syncorm.conf" <<EOF
# Written by postgres_test_server.sh -- throwaway test server, not for production.
cluster_name = $(conf_quote "syncorm_$1")
listen_addresses = '127.0.0.1'
port = $4
unix_socket_directories = $(conf_quote "$3")
unix_socket_permissions = 0777
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
logging_collector = off
log_destination = 'stderr'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
log_checkpoints = off
EOF
}

# ----------------------------------------------------------------------------
# logs

dump_logs() {
    local f
    [[ -n "$LOG_DIR" && -d "$LOG_DIR" ]] || return 0
    for f in "$LOG_DIR"/*; do
        [[ -f "$f" && -s "$f" ]] || continue
        printf '%s: ----- %s (last 200 lines) -----\n' "$PROG" "$f" >&2
        tail -n 200 "$f" >&2 || true
    done
    printf '%s: ----- end of logs -----\n' "$PROG" >&2
}

# ----------------------------------------------------------------------------
# stop (idempotent, used by `stop`, by a failed `start`, and before `start`)

do_stop() {
    local -a names=() datadirs=()
    local name datadir sockdir logfile i status=0 base="" user=""
    [[ -d "$STATE_DIR" ]] || return 0

    if [[ -z "$BINDIR" && -f "$STATE_DIR/bindir" ]]; then
        BINDIR=$(head -n 1 "$STATE_DIR/bindir")
        has_server_bins "$BINDIR" || BINDIR=""
    fi
    if ((${#RUN_AS[@]} == 0)); then
        [[ -f "$STATE_DIR/server_user" ]] && user=$(head -n 1 "$STATE_DIR/server_user")
        setup_server_user "$user" 2>/dev/null || RUN_AS=()
    fi

    if [[ -f "$STATE_DIR/servers" ]]; then
        while IFS=$'\t' read -r name datadir sockdir logfile; do
            [[ -n "$name" ]] || continue
            names+=("$name")
            datadirs+=("$datadir")
        done <"$STATE_DIR/servers"
    fi
    # Replicas (appended last) first, the primary last.
    for ((i = ${#names[@]} - 1; i >= 0; i--)); do
        stop_server "${names[i]}" "${datadirs[i]}" || status=1
    done

    [[ -f "$STATE_DIR/basedir" ]] && base=$(head -n 1 "$STATE_DIR/basedir")
    if [[ -n "$base" && -d "$base" ]]; then
        # Keep the logs for debugging.
        if [[ -d "$base/log" ]]; then
            mkdir -p "$STATE_DIR/logs"
            cp -R "$base/log/." "$STATE_DIR/logs/" 2>/dev/null || true
        fi
        if ((status != 0)); then
            warn "not removing $base: a server is still running"
        elif [[ "$base" == "$STATE_DIR/pg" || "$base" =~ ^/tmp/syncorm-pg\.[A-Za-z0-9]+$ ]]; then
            rm -rf -- "$base"
        else
            warn "refusing to remove unexpected base directory '$base'"
        fi
    fi
    if ((status == 0)); then
        rm -f -- "$STATE_DIR/servers" "$STATE_DIR/basedir" "$STATE_DIR/server_user" \
                 "$STATE_DIR/primary.conninfo" "$STATE_DIR/primary.tcp.conninfo" \
                 "$STATE_DIR/env" "$STATE_DIR/bindir"
        rm -f -- "$STATE_DIR"/replica*.conninfo "$STATE_DIR"/*.pid
    fi
    return "$status"
}

# ----------------------------------------------------------------------------
# start

on_start_exit() {
    local rc=$?
    if ((START_OK == 1)); then
        return 0
    fi
    set +e
    trap - ERR INT TERM
    ((rc == 0)) && rc=1
    printf '%s: could not start the PostgreSQL test server: %s\n' "$PROG" \
        "${FAIL_REASON:-unexpected error (exit status $rc)}" >&2
    dump_logs
    do_stop >&2
    printf '%s: could not start the PostgreSQL test server: %s\n' "$PROG" \
        "${FAIL_REASON:-unexpected error (exit status $rc)}" >&2
    exit "$rc"
}

choose_base_dir() {
    local max_sock_len="$1" base="$STATE_DIR/pg" len
    len=$(( ${#base} + max_sock_len ))
    if ((len <= SOCK_PATH_MAX)); then
        mkdir -p "$base"
        if ((EUID == 0)); then chown "$SERVER_USER:" "$base"; fi
        chmod 0755 "$base"
        if as_server test -w "$base" -a -x "$base" 2>/dev/null; then
            BASE_DIR="$base"
            return 0
        fi
        rmdir "$base" 2>/dev/null || true
        info "$STATE_DIR is not accessible to user '$SERVER_USER'; using a directory under /tmp"
    else
        info "socket path under $STATE_DIR would be too long; using a directory under /tmp"
    fi
    base=$(mktemp -d /tmp/syncorm-pg.XXXXXX)
    if ((EUID == 0)); then chown "$SERVER_USER:" "$base"; fi
    chmod 0755 "$base"
    BASE_DIR="$base"
}

cmd_start() {
    local replicas=0 apply_delay=0 i name datadir sockdir logfile port primary_port primary_sock
    local conn_admin conn rconn deadline token slot out version
    while (($#)); do
        case "$1" in
            --replicas) (($# >= 2)) || usage; replicas="$2"; shift 2 ;;
            --replicas=*) replicas="${1#--replicas=}"; shift ;;
            --apply-delay) (($# >= 2)) || usage; apply_delay="$2"; shift 2 ;;
            --apply-delay=*) apply_delay="${1#--apply-delay=}"; shift ;;
            *) echo "$PROG: unknown option '$1'" >&2; usage ;;
        esac
    done
    if ! is_uint "$replicas" || ((10#$replicas > 16)); then
        echo "$PROG: --replicas must be an integer between 0 and 16" >&2
        exit 2
    fi
    replicas=$((10#$replicas))

    # A leftover from a previous run (e.g. a crashed test run)?
    do_stop >/dev/null 2>&1 || true
    rm -rf -- "$STATE_DIR/logs"

    trap on_start_exit EXIT
    trap 'fail "interrupted"' INT TERM
    trap 'FAIL_REASON=${FAIL_REASON:-"command failed (line $LINENO): $BASH_COMMAND"}' ERR

    out=$(find_bindir 2>&1) || fail "$out"
    BINDIR="$out"
    printf '%s\n' "$BINDIR" | write_state_file "$STATE_DIR/bindir"
    PSQL=$(client_tool psql) || fail "psql not found (in $BINDIR or PATH)"
    if ((replicas > 0)); then
        PG_BASEBACKUP=$(client_tool pg_basebackup) || fail "pg_basebackup not found (in $BINDIR or PATH)"
    fi
    version=$("$BINDIR/postgres" --version 2>/dev/null || echo "PostgreSQL (unknown version)")

    out=$(setup_server_user "" 2>&1) || fail "$out"
    setup_server_user ""
    printf '%s\n' "$SERVER_USER" | write_state_file "$STATE_DIR/server_user"

    # Socket dirs are <base>/s<i>; the socket is <dir>/.s.PGSQL.<port>.
    local sock_suffix="/s$replicas/.s.PGSQL.65535"
    choose_base_dir "${#sock_suffix}"
    printf '%s\n' "$BASE_DIR" | write_state_file "$STATE_DIR/basedir"
    LOG_DIR="$BASE_DIR/log"
    mkdir -p "$LOG_DIR"
    if ((EUID == 0)); then chown "$SERVER_USER:" "$LOG_DIR"; fi
    : >"$STATE_DIR/servers"

    # --- primary -------------------------------------------------------------
    name=primary
    datadir="$BASE_DIR/primary"
    sockdir="$BASE_DIR/s0"
    logfile="$LOG_DIR/primary.log"
    mkdir -p "$sockdir"
    if ((EUID == 0)); then chown "$SERVER_USER:" "$sockdir"; fi
    chmod 0755 "$sockdir"
    printf '%s\t%s\t%s\t%s\n' "$name" "$datadir" "$sockdir" "$logfile" >>"$STATE_DIR/servers"

    as_server "$BINDIR/initdb" -D "$datadir" -U "$SERVER_USER" --auth=trust -E UTF8 --locale=C \
        --no-sync </dev/null >"$LOG_DIR/initdb.log" 2>&1 ||
        fail "initdb failed (with $BINDIR/initdb, as user $SERVER_USER)"
    printf "\n# syncorm test settings\ninclude 'syncorm.conf'\n" >>"$datadir/postgresql.conf"

    out=$(start_server "$name" "$datadir" "$sockdir" "$logfile" 2>&1) || fail "$out"
    [[ -n "$out" ]] && printf '%s\n' "$out" >&2
    primary_port=$(server_port "$datadir")
    primary_sock="$sockdir"
    conn_admin=$(conninfo_for "$primary_sock" "$primary_port" postgres)

    out=$(psql_q "$conn_admin" "CREATE DATABASE $DBNAME" 2>&1) ||
        fail "could not create database $DBNAME: $out"
    conn=$(conninfo_for "$primary_sock" "$primary_port" "$DBNAME")
    out=$(psql_q "$conn" "SELECT 1" 2>&1) || fail "cannot connect to the new primary: $out"

    # --- replicas --------------------------------------------------------------
    if ((replicas > 0)); then
        out=$(psql_q "$conn_admin" \
              "DROP TABLE IF EXISTS syncorm_replication_probe; CREATE TABLE syncorm_replication_probe (token text)" 2>&1) ||
            fail "could not create the replication probe table: $out"
    fi
    for ((i = 1; i <= replicas; i++)); do
        name="replica$i"
        datadir="$BASE_DIR/$name"
        sockdir="$BASE_DIR/s$i"
        logfile="$LOG_DIR/$name.log"
        slot="syncorm_$name"
        mkdir -p "$sockdir"
        if ((EUID == 0)); then chown "$SERVER_USER:" "$sockdir"; fi
        chmod 0755 "$sockdir"
        printf '%s\t%s\t%s\t%s\n' "$name" "$datadir" "$sockdir" "$logfile" >>"$STATE_DIR/servers"

        as_server "$PG_BASEBACKUP" -D "$datadir" -R -X stream --checkpoint=fast --no-sync \
            --create-slot --slot="$slot" \
            -d "$(conninfo_for "$primary_sock" "$primary_port" postgres) application_name=$slot" \
            </dev/null >"$LOG_DIR/$name.basebackup.log" 2>&1 ||
            fail "pg_basebackup for $name failed"
        out=$(start_server "$name" "$datadir" "$sockdir" "$logfile" 2>&1) || fail "$out"
        [[ -n "$out" ]] && printf '%s\n' "$out" >&2
        port=$(server_port "$datadir")

        # Wait until the primary reports the replica as streaming ...
        deadline=$((SECONDS + TIMEOUT))
        until [[ "$(psql_q "$conn_admin" "SELECT count(*) FROM pg_replication_slots s
                     JOIN pg_stat_replication r ON r.pid = s.active_pid
                     WHERE s.slot_name = '$slot' AND r.state = 'streaming'" 2>/dev/null)" == 1 ]]; do
            ((SECONDS < deadline)) || fail "$name did not start streaming within ${TIMEOUT}s"
            sleep 0.2
        done
        # ... and a row written on the primary becomes visible on the replica.
        token="$name-$$-$RANDOM"
        out=$(psql_q "$conn_admin" "INSERT INTO syncorm_replication_probe VALUES ('$token')" 2>&1) ||
            fail "could not write the replication probe row: $out"
        rconn=$(conninfo_for "$sockdir" "$port" postgres)
        until [[ "$(psql_q "$rconn" "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM syncorm_replication_probe WHERE token = '$token')" 2>/dev/null)" == t ]]; do
            ((SECONDS < deadline)) || fail "$name is not replaying changes from the primary within ${TIMEOUT}s"
            sleep 0.2
        done
        # Only now the replay delay: the replica is known to stream, and from here on it lags by a
        # known amount, so that tests of stale reads are deterministic.
        if is_uint "$apply_delay" && ((apply_delay > 0)); then
            printf "recovery_min_apply_delay = '%sms'\n" "$apply_delay" |
                as_server tee -a "$datadir/postgresql.auto.conf" >/dev/null
            as_server "$BINDIR/pg_ctl" reload -D "$datadir" </dev/null >/dev/null 2>&1 || fail "could not reload $name"
        fi
        printf '%s\n' "$(conninfo_for "$sockdir" "$port" "$DBNAME")" |
            write_state_file "$STATE_DIR/$name.conninfo"
        info "replica $i streaming: port $port, socket dir $sockdir, replay delay ${apply_delay} ms"
    done
    if ((replicas > 0)); then
        psql_q "$conn_admin" "DROP TABLE IF EXISTS syncorm_replication_probe" >/dev/null 2>&1 || true
    fi

    # --- state files for the tests --------------------------------------------
    {
        printf 'export PGHOST=%q\n' "$primary_sock"
        printf 'export PGPORT=%q\n' "$primary_port"
        printf 'export PGDATABASE=%q\n' "$DBNAME"
        printf 'export PGUSER=%q\n' "$SERVER_USER"
    } | write_state_file "$STATE_DIR/env"
    printf 'host=127.0.0.1 port=%s dbname=%s user=%s\n' "$primary_port" "$DBNAME" \
        "$(conninfo_quote "$SERVER_USER")" | write_state_file "$STATE_DIR/primary.tcp.conninfo"
    printf '%s\n' "$conn" | write_state_file "$STATE_DIR/primary.conninfo"

    START_OK=1
    trap - EXIT INT TERM ERR
    info "$version test server running as '$SERVER_USER': primary port $primary_port," \
         "socket dir $primary_sock, $replicas replica(s); conninfo in $STATE_DIR/primary.conninfo"
}

# ----------------------------------------------------------------------------
# primary control

load_primary() {   # sets PRIMARY_DATADIR, PRIMARY_SOCK, PRIMARY_LOG, BINDIR, RUN_AS
    local user=""
    PRIMARY_DATADIR=$(server_field primary 2) || {
        echo "$PROG: no test server was started in $STATE_DIR" >&2
        exit 1
    }
    PRIMARY_SOCK=$(server_field primary 3)
    PRIMARY_LOG=$(server_field primary 4)
    LOG_DIR=$(dirname "$PRIMARY_LOG")
    BINDIR=$(head -n 1 "$STATE_DIR/bindir")
    [[ -f "$STATE_DIR/server_user" ]] && user=$(head -n 1 "$STATE_DIR/server_user")
    setup_server_user "$user"
    PSQL=$(client_tool psql)
}

check_primary_up() {
    local port out
    port=$(server_port "$PRIMARY_DATADIR")
    out=$(psql_q "$(conninfo_for "$PRIMARY_SOCK" "$port" "$DBNAME")" "SELECT 1" 2>&1) || {
        echo "$PROG: the primary is not accepting connections: $out" >&2
        tail -n 50 "$PRIMARY_LOG" >&2 || true
        exit 1
    }
}

cmd_restart() {
    load_primary
    as_server "$BINDIR/pg_ctl" restart -D "$PRIMARY_DATADIR" -l "$PRIMARY_LOG" -m fast -w \
        -t "$TIMEOUT" -s </dev/null >>"$LOG_DIR/pg_ctl.log" 2>&1 || {
        echo "$PROG: could not restart the primary" >&2
        tail -n 50 "$PRIMARY_LOG" >&2 || true
        exit 1
    }
    postmaster_pid primary "$PRIMARY_DATADIR" >"$STATE_DIR/primary.pid" || true
    check_primary_up
    info "primary restarted"
}

cmd_stop_server() {   # cmd_stop_server [name]
    local name="${1:-primary}" datadir
    load_primary
    datadir=$(server_field "$name" 2) || { echo "$PROG: no server named $name in $STATE_DIR" >&2; exit 1; }
    stop_server "$name" "$datadir" || exit 1
    info "$name stopped (data kept; use start-server)"
}
cmd_start_server() {  # cmd_start_server [name]
    local name="${1:-primary}" datadir sockdir logfile pid port deadline
    load_primary
    datadir=$(server_field "$name" 2) || { echo "$PROG: no server named $name in $STATE_DIR" >&2; exit 1; }
    sockdir=$(server_field "$name" 3)
    logfile=$(server_field "$name" 4)
    pid=$(postmaster_pid "$name" "$datadir" || true)
    if postmaster_alive "$pid" "$datadir"; then
        info "$name already running"
        return 0
    fi
    port=$(server_port "$datadir")
    start_server "$name" "$datadir" "$sockdir" "$logfile" "$port" || {
        echo "$PROG: could not start $name" >&2
        tail -n 50 "$logfile" >&2 || true
        exit 1
    }
    deadline=$((SECONDS + TIMEOUT))
    until psql_q "$(conninfo_for "$sockdir" "$port" "$DBNAME")" "SELECT 1" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || { echo "$PROG: $name does not accept connections" >&2; exit 1; }
        sleep 0.2
    done
    info "$name started"
}

# ----------------------------------------------------------------------------

main() {
    (($# >= 2)) || usage
    local cmd="$1" dir="$2"
    shift 2
    [[ -n "$dir" ]] || usage
    case "$cmd" in
        start)
            mkdir -p "$dir" || { echo "$PROG: could not start the PostgreSQL test server: cannot create $dir" >&2; exit 1; }
            STATE_DIR=$(abs_dir "$dir")
            cmd_start "$@"
            ;;
        stop)
            (($# == 0)) || usage
            [[ -d "$dir" ]] || exit 0
            STATE_DIR=$(abs_dir "$dir")
            do_stop
            ;;
        restart|stop-primary|start-primary|stop-server|start-server)
            (($# <= 1)) || usage
            [[ -d "$dir" ]] || { echo "$PROG: no test server was started in $dir" >&2; exit 1; }
            STATE_DIR=$(abs_dir "$dir")
            case "$cmd" in
                restart) cmd_restart ;;
                stop-primary) cmd_stop_server primary ;;
                start-primary) cmd_start_server primary ;;
                stop-server) cmd_stop_server "$@" ;;
                start-server) cmd_start_server "$@" ;;
            esac
            ;;
        *) usage ;;
    esac
}

main "$@"
