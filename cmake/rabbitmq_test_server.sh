#!/usr/bin/env bash
# A throwaway RabbitMQ broker for the syncorm test suite.
#
# Usage:
#   rabbitmq_test_server.sh start <state_dir>     a fresh broker (leftovers of an earlier run are stopped first)
#   rabbitmq_test_server.sh stop <state_dir>      stops it (gracefully, then SIGKILL) and its epmd; idempotent
#   rabbitmq_test_server.sh kill <state_dir>      kill -9 of the broker, as a crash (its data and epmd stay)
#   rabbitmq_test_server.sh restart <state_dir>   starts the broker again on the same data and port
#
# `start` writes into <state_dir>:
#   url        amqp://guest:guest@127.0.0.1:<port>/   (the default guest user, loopback only)
#   port       the AMQP port
#   logs/      the broker's logs (kept after `stop`)
# and bookkeeping (environment, pids) used by the other subcommands.
#
# Everything lives in <state_dir>/broker: its own HOME (and .erlang.cookie, mode 400), node name,
# Mnesia directory, logs, config and plugins file, and an epmd of its own on a port of its own, so
# it never touches a system broker or another test run's. It runs /usr/lib/rabbitmq/bin/rabbitmq-server
# directly: the /usr/sbin wrapper switches to the rabbitmq user, which is not needed for a broker that
# only a test run uses. Ports are chosen below 32768: a readiness probe on a port inside the
# ephemeral range can connect to itself and make the broker fail with eaddrinuse.
#
# Environment:
#   SYNCORM_RABBITMQ_SERVER         the rabbitmq-server script (default /usr/lib/rabbitmq/bin/rabbitmq-server)
#   SYNCORM_RABBITMQ_START_TIMEOUT  seconds to wait for the broker to accept connections (default 120)

set -Eeuo pipefail
export LC_ALL=C
umask 022

readonly PROG="syncorm"
readonly SERVER="${SYNCORM_RABBITMQ_SERVER:-/usr/lib/rabbitmq/bin/rabbitmq-server}"
readonly TIMEOUT="${SYNCORM_RABBITMQ_START_TIMEOUT:-120}"
STATE_DIR=""
BROKER_DIR=""

usage() {
    echo "usage: rabbitmq_test_server.sh start|stop|kill|restart <state_dir>" >&2
    exit 2
}
info() { printf '%s: %s\n' "$PROG" "$*"; }
die() {
    printf '%s: %s\n' "$PROG" "$*" >&2
    exit 1
}

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

port_in_use() {
    local hex f
    hex=$(printf '%04X' "$1")
    for f in /proc/net/tcp /proc/net/tcp6; do
        [[ -r "$f" ]] || continue
        awk -v p="$hex" 'NR > 1 { split($2, a, ":"); if (toupper(a[2]) == p) { found = 1; exit } } END { exit !found }' "$f" &&
            return 0
    done
    return 1
}

accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free port below the ephemeral range, not in the list of ports already taken by this script.
pick_port() {
    local port i
    for ((i = 0; i < 200; i++)); do
        port=$((15000 + (RANDOM * 32768 + RANDOM) % 17000))
        [[ " $* " == *" $port "* ]] && continue
        port_in_use "$port" || { printf '%s\n' "$port"; return 0; }
    done
    die "could not find a free TCP port on 127.0.0.1"
}

alive() { [[ -n "$1" && -d "/proc/$1" ]] && [[ "$(cat "/proc/$1/stat" 2>/dev/null | awk '{ print $3 }')" != Z ]]; }

read_pid() { [[ -r "$BROKER_DIR/$1.pid" ]] && head -n 1 "$BROKER_DIR/$1.pid"; }

# The Erlang VM (beam.smp) the rabbitmq-server script started: its child.
beam_pid() {
    local script pid
    script=$(read_pid server) || return 1
    for pid in $(cat "/proc/$script/task/$script/children" 2>/dev/null); do
        [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == beam* ]] && { printf '%s\n' "$pid"; return 0; }
    done
    return 1
}

wait_until_gone() {  # wait_until_gone <pid> <seconds>
    local end=$((SECONDS + $2))
    while alive "$1"; do
        ((SECONDS < end)) || return 1
        sleep 0.1
    done
}

# Starts the broker with the environment written by `start` and waits until it accepts AMQP
# connections. Its output goes to logs/server.out.
launch_broker() {
    local port end
    # shellcheck disable=SC1091
    source "$BROKER_DIR/env"
    port=$RABBITMQ_NODE_PORT
    accepts "$port" && die "port $port is taken by another process; cannot start the broker on it"
    setsid "$SERVER" >>"$BROKER_DIR/log/server.out" 2>&1 </dev/null &
    echo $! >"$BROKER_DIR/server.pid"
    end=$((SECONDS + TIMEOUT))
    until grep -q "Starting broker\.\.\. completed" "$BROKER_DIR/log/server.out" 2>/dev/null && accepts "$port"; do
        if ! alive "$(read_pid server)"; then
            tail -n 60 "$BROKER_DIR/log/server.out" >&2 || true
            die "the broker exited while starting (logs in $BROKER_DIR/log)"
        fi
        ((SECONDS < end)) || { tail -n 60 "$BROKER_DIR/log/server.out" >&2 || true; die "the broker did not start within ${TIMEOUT}s"; }
        sleep 0.2
    done
}

kill_broker() {  # kill_broker <signal> <seconds to wait>
    local script beam
    script=$(read_pid server) || return 0
    beam=$(beam_pid || true)
    if [[ -n "$beam" ]]; then
        kill "-$1" "$beam" 2>/dev/null || true
        if ! wait_until_gone "$beam" "$2"; then
            kill -KILL "$beam" 2>/dev/null || true
            wait_until_gone "$beam" 10 || true
        fi
    fi
    alive "$script" && { kill -KILL "$script" 2>/dev/null || true; wait_until_gone "$script" 5 || true; }
    rm -f "$BROKER_DIR/server.pid"
}

do_stop() {
    local epmd
    [[ -d "$BROKER_DIR" ]] || return 0
    kill_broker TERM 30
    if epmd=$(read_pid epmd) && alive "$epmd"; then
        kill -TERM "$epmd" 2>/dev/null || true
        wait_until_gone "$epmd" 5 || kill -KILL "$epmd" 2>/dev/null || true
    fi
    rm -f "$BROKER_DIR/epmd.pid"
    mkdir -p "$STATE_DIR/logs"
    cp -R "$BROKER_DIR/log/." "$STATE_DIR/logs/" 2>/dev/null || true
    rm -rf -- "$BROKER_DIR"
    rm -f -- "$STATE_DIR/url" "$STATE_DIR/port"
}

cmd_start() {
    local node_port dist_port epmd_port cookie
    [[ -x "$SERVER" ]] || die "no RabbitMQ server at $SERVER; install it (Debian: apt-get install rabbitmq-server)"
    command -v epmd >/dev/null || die "epmd (Erlang's port mapper) not found; install rabbitmq-server"
    do_stop
    rm -rf -- "$STATE_DIR/logs"
    mkdir -p "$BROKER_DIR"/{home,mnesia,log}
    trap 'do_stop >/dev/null 2>&1 || true' ERR

    cookie="syncorm$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s' "$cookie" >"$BROKER_DIR/home/.erlang.cookie"
    chmod 400 "$BROKER_DIR/home/.erlang.cookie"
    node_port=$(pick_port)
    dist_port=$(pick_port "$node_port")
    epmd_port=$(pick_port "$node_port" "$dist_port")
    cat >"$BROKER_DIR/rabbitmq.conf" <<EOF
# Written by rabbitmq_test_server.sh: a throwaway broker for tests, not for production.
listeners.tcp.default = 127.0.0.1:$node_port
log.file.level = warning
log.console = false
disk_free_limit.absolute = 10MB
EOF
    echo '[].' >"$BROKER_DIR/enabled_plugins"
    : >"$BROKER_DIR/rabbitmq-env.conf"
    cat >"$BROKER_DIR/env" <<EOF
export HOME=$(printf '%q' "$BROKER_DIR/home")
export RABBITMQ_NODENAME=$(printf '%q' "syncorm$node_port@localhost")
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$node_port
export RABBITMQ_DIST_PORT=$dist_port
export ERL_EPMD_PORT=$epmd_port
export RABBITMQ_MNESIA_BASE=$(printf '%q' "$BROKER_DIR/mnesia")
export RABBITMQ_LOG_BASE=$(printf '%q' "$BROKER_DIR/log")
export RABBITMQ_CONFIG_FILE=$(printf '%q' "$BROKER_DIR/rabbitmq")
export RABBITMQ_ENABLED_PLUGINS_FILE=$(printf '%q' "$BROKER_DIR/enabled_plugins")
export RABBITMQ_CONF_ENV_FILE=$(printf '%q' "$BROKER_DIR/rabbitmq-env.conf")
EOF
    # Our own epmd, stopped by its pid: one the broker started itself (`epmd -daemon`) would stay.
    setsid epmd -port "$epmd_port" -address 127.0.0.1 >>"$BROKER_DIR/log/epmd.out" 2>&1 </dev/null &
    echo $! >"$BROKER_DIR/epmd.pid"
    local end=$((SECONDS + 10))
    until accepts "$epmd_port"; do
        ((SECONDS < end)) || die "epmd did not start on port $epmd_port"
        sleep 0.05
    done
    launch_broker
    printf 'amqp://guest:guest@127.0.0.1:%s/\n' "$node_port" >"$STATE_DIR/url"
    printf '%s\n' "$node_port" >"$STATE_DIR/port"
    trap - ERR
    info "RabbitMQ test broker running: $(cat "$STATE_DIR/url") (state in $BROKER_DIR)"
}

cmd_kill() {
    [[ -f "$BROKER_DIR/env" ]] || die "no test broker was started in $STATE_DIR"
    kill_broker KILL 10
    info "RabbitMQ test broker killed (kill -9)"
}

cmd_restart() {
    [[ -f "$BROKER_DIR/env" ]] || die "no test broker was started in $STATE_DIR"
    kill_broker TERM 30
    launch_broker
    info "RabbitMQ test broker restarted on $(cat "$STATE_DIR/url")"
}

main() {
    (($# == 2)) || usage
    [[ -n "$2" ]] || usage
    case "$1" in
        start) mkdir -p "$2" ;;
        stop) [[ -d "$2" ]] || exit 0 ;;
        kill|restart) [[ -d "$2" ]] || die "no test broker was started in $2" ;;
        *) usage ;;
    esac
    STATE_DIR=$(cd "$2" && pwd -P)
    BROKER_DIR="$STATE_DIR/broker"
    case "$1" in
        start) cmd_start ;;
        stop) do_stop; info "RabbitMQ test broker stopped" ;;
        kill) cmd_kill ;;
        restart) cmd_restart ;;
    esac
}

main "$@"
