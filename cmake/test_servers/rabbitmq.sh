#!/usr/bin/env bash
# A throwaway RabbitMQ broker for the syncorm tests and benchmarks (the commands are lib.sh's).
#
# `start` writes into <state_dir>:
#   url    amqp://guest:guest@127.0.0.1:<port>/   (the default guest user, loopback only)
#   port   the AMQP port
# Processes: epmd (Erlang's port mapper, one of its own on a port of its own, so the broker never
# meets a system broker or another test run's) and broker. `kill` kills the broker as a crash;
# its data and epmd stay, and `restart` brings it back on the same data and port.
#
# The broker has its own HOME (and .erlang.cookie), node name, Mnesia directory, logs, config and
# plugins file. It runs /usr/lib/rabbitmq/bin/rabbitmq-server directly: the /usr/sbin wrapper
# switches to the rabbitmq user, which a broker only a test run uses does not need.
#
# Environment: SYNCORM_RABBITMQ_SERVER, the rabbitmq-server script
# (default /usr/lib/rabbitmq/bin/rabbitmq-server).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SERVER_NAME=RabbitMQ
SERVER_SCRIPT=rabbitmq
MAIN_PROCESS=broker
STATE_FILES=(url port)
readonly RABBITMQ_SERVER="${SYNCORM_RABBITMQ_SERVER:-/usr/lib/rabbitmq/bin/rabbitmq-server}"

server_prepare() {
    [[ -x "$RABBITMQ_SERVER" ]] || die "no RabbitMQ server at $RABBITMQ_SERVER; install it (Debian: apt-get install rabbitmq-server)"
    command -v epmd >/dev/null || die "epmd (Erlang's port mapper) not found; install rabbitmq-server"
}

server_start() {
    (($# == 0)) || usage
    local node_port dist_port epmd_port
    mkdir -p "$RUN_DIR"/{home,mnesia}
    printf 'syncorm%s' "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >"$RUN_DIR/home/.erlang.cookie"
    chmod 400 "$RUN_DIR/home/.erlang.cookie"
    node_port=$(free_port)
    dist_port=$(free_port "$node_port")
    epmd_port=$(free_port "$node_port" "$dist_port")
    cat >"$RUN_DIR/rabbitmq.conf" <<CONF
# Written by rabbitmq.sh: a throwaway broker for tests, not for production.
listeners.tcp.default = 127.0.0.1:$node_port
log.file.level = warning
log.console = false
disk_free_limit.absolute = 10MB
CONF
    echo '[].' >"$RUN_DIR/enabled_plugins"
    : >"$RUN_DIR/rabbitmq-env.conf"
    cat >"$RUN_DIR/env" <<ENV
export HOME=$(printf '%q' "$RUN_DIR/home")
export RABBITMQ_NODENAME=$(printf '%q' "syncorm$node_port@localhost")
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$node_port
export RABBITMQ_DIST_PORT=$dist_port
export ERL_EPMD_PORT=$epmd_port
export RABBITMQ_MNESIA_BASE=$(printf '%q' "$RUN_DIR/mnesia")
export RABBITMQ_LOG_BASE=$(printf '%q' "$RUN_DIR/logs")
export RABBITMQ_CONFIG_FILE=$(printf '%q' "$RUN_DIR/rabbitmq")
export RABBITMQ_ENABLED_PLUGINS_FILE=$(printf '%q' "$RUN_DIR/enabled_plugins")
export RABBITMQ_CONF_ENV_FILE=$(printf '%q' "$RUN_DIR/rabbitmq-env.conf")
ENV
    server_launch epmd
    server_launch broker
    printf 'amqp://guest:guest@127.0.0.1:%s/\n' "$node_port" >"$STATE_DIR/url"
    printf '%s\n' "$node_port" >"$STATE_DIR/port"
    info "running: $(cat "$STATE_DIR/url") (run directory $RUN_DIR)"
}

# The broker accepts connections a moment before it has finished booting; its log says when.
broker_ready() {
    grep -q "Starting broker\.\.\. completed" "$RUN_DIR/logs/broker.log" && accepts "$RABBITMQ_NODE_PORT"
}

server_launch() {
    # shellcheck disable=SC1091
    source "$RUN_DIR/env"
    case "$1" in
        epmd)
            launch epmd epmd -port "$ERL_EPMD_PORT" -address 127.0.0.1
            wait_ready epmd accepts "$ERL_EPMD_PORT"
            ;;
        broker)
            accepts "$RABBITMQ_NODE_PORT" && die "port $RABBITMQ_NODE_PORT is taken by another process"
            : >"$RUN_DIR/logs/broker.log"  # readiness is read from this start's log only
            launch broker "$RABBITMQ_SERVER"
            wait_ready broker broker_ready
            ;;
    esac
}

server_main "$@"
