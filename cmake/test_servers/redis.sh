#!/usr/bin/env bash
# A throwaway Redis server for the syncorm tests and benchmarks (the commands are lib.sh's).
#
# `start` writes into <state_dir>:
#   url    redis://127.0.0.1:<port>
#   port   the port
# The server keeps nothing on disk (no RDB snapshots, no append-only file), listens on loopback
# only and runs from its own directory. Process: redis.
#
# Environment: SYNCORM_REDIS_SERVER, the redis-server binary (default: redis-server on PATH).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SERVER_NAME=Redis
SERVER_SCRIPT=redis
MAIN_PROCESS=redis
STATE_FILES=(url port)
readonly REDIS_SERVER="${SYNCORM_REDIS_SERVER:-redis-server}"

server_prepare() {
    command -v "$REDIS_SERVER" >/dev/null || die "no $REDIS_SERVER; install it (Debian: apt-get install redis-server)"
}

server_start() {
    (($# == 0)) || usage
    local port
    port=$(free_port)
    mkdir -p "$RUN_DIR/data"
    cat >"$RUN_DIR/redis.conf" <<CONF
# Written by redis.sh: a throwaway server for tests, not for production.
bind 127.0.0.1
port $port
daemonize no
save ""
appendonly no
dir $RUN_DIR/data
logfile ""
loglevel warning
CONF
    echo "$port" >"$RUN_DIR/redis.port"
    server_launch redis
    printf 'redis://127.0.0.1:%s\n' "$port" >"$STATE_DIR/url"
    printf '%s\n' "$port" >"$STATE_DIR/port"
    info "running: $(cat "$STATE_DIR/url") (run directory $RUN_DIR)"
}

# Ready when it answers PING (the port accepts before the data set is loaded).
redis_answers() {
    local reply
    exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 reply <&3 || reply=""
    exec 3>&-
    [[ "$reply" == $'+PONG\r' ]]
}

server_launch() {
    launch "$1" "$REDIS_SERVER" "$RUN_DIR/redis.conf"
    wait_ready "$1" redis_answers "$(cat "$RUN_DIR/redis.port")"
}

server_main "$@"
