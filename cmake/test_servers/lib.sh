# shellcheck shell=bash
# The one mechanism behind every throwaway server the tests and benchmarks start (PostgreSQL,
# RabbitMQ, Redis): sourced by postgres.sh, rabbitmq.sh and redis.sh, which only say how their
# server is configured, launched and probed.
#
# Every server script takes the same commands:
#   <server>.sh start <state_dir> [options]        a fresh server (leftovers of an earlier run are stopped first)
#   <server>.sh stop <state_dir>                   stops every process; logs kept in <state_dir>/logs; idempotent
#   <server>.sh kill <state_dir> [process]         kill -9 of the process and its children, as a crash (data stays)
#   <server>.sh stop-server <state_dir> [process]  a graceful stop (data stays)
#   <server>.sh start-server <state_dir> [process] starts it again on the same data and port
#   <server>.sh restart <state_dir> [process]      stop-server, then start-server
# [process] defaults to the server's main process (PostgreSQL: primary; replicas are replica<i>).
#
# A server script defines
#   SERVER_NAME          for messages ("PostgreSQL")
#   MAIN_PROCESS         the process kill/stop-server/start-server/restart act on by default
#   STATE_FILES          what `start` writes into <state_dir> for the tests (removed by `stop`)
#   STOP_SIGNAL          the signal that asks the process to shut down cleanly (default TERM)
#   RUN_DIR_RESERVE      characters the server appends to $RUN_DIR in paths of limited length
#                        (a Unix socket path is at most 107), so a long <state_dir> moves it to /tmp
#   server_start [options]   configure $RUN_DIR, launch the processes, write the state files
#   server_launch <process>  launch <process> on its existing data and wait until it is ready
# and may define server_prepare (checks and set-up run before any command touches the server)
# and run_dir_usable (can the server's user write $RUN_DIR).
#
# Each process runs in a session of its own (setsid), so that its pid names it and everything it
# forks: a crash is a SIGKILL of that session, a clean stop is STOP_SIGNAL to the process, then
# SIGKILL of the session after a grace period. Pids, logs and data live in $RUN_DIR, never in a
# system location, and ports are chosen free below the ephemeral range (a readiness probe on a port
# inside it can connect to itself).

set -Eeuo pipefail
export LC_ALL=C
umask 022

STATE_DIR=""
RUN_DIR=""
STOP_SIGNAL=TERM
RUN_DIR_RESERVE=0
START_TIMEOUT="${SYNCORM_SERVER_START_TIMEOUT:-120}"
START_OK=0

info() { printf 'syncorm %s: %s\n' "$SERVER_NAME" "$*"; }
die() {
    printf 'syncorm %s: %s\n' "$SERVER_NAME" "$*" >&2
    exit 1
}
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

# ---- ports ------------------------------------------------------------------------------------------

accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port_in_use() {
    local hex file
    hex=$(printf '%04X' "$1")
    for file in /proc/net/tcp /proc/net/tcp6; do
        [[ -r "$file" ]] || continue
        awk -v p="$hex" 'NR > 1 { split($2, a, ":"); if (toupper(a[2]) == p) { found = 1; exit } } END { exit !found }' \
            "$file" && return 0
    done
    accepts "$1"
}

# free_port [taken...]: a port nobody listens on, not among the ones given.
free_port() {
    local port i
    for ((i = 0; i < 200; i++)); do
        port=$((15000 + (RANDOM * 32768 + RANDOM) % 17000))
        [[ " $* " == *" $port "* ]] && continue
        port_in_use "$port" || { printf '%s\n' "$port"; return 0; }
    done
    die "no free TCP port found on 127.0.0.1"
}

# ---- processes --------------------------------------------------------------------------------------

# session_alive <sid>: does any process of the session live (zombies do not count)?
session_alive() {
    local stat fields state session
    for stat in /proc/[0-9]*/stat; do
        { read -r fields <"$stat"; } 2>/dev/null || continue
        fields=${fields##*) }                        # state ppid pgrp session ...
        read -r state _ _ session _ <<<"$fields"
        [[ "$session" == "$1" && "$state" != Z ]] && return 0
    done
    return 1
}

process_pid() { [[ -r "$RUN_DIR/$1.pid" ]] && head -n 1 "$RUN_DIR/$1.pid"; }

running() {
    local pid
    pid=$(process_pid "$1") && session_alive "$pid"
}

# launch <process> <command...>: runs the command in a new session, output to logs/<process>.log.
launch() {
    local name=$1
    shift
    running "$name" && die "$name is already running"
    # A background job of a non-interactive shell is no process group leader, so setsid does not
    # fork: $! is the command's own pid, and the session's id.
    setsid "$@" >>"$RUN_DIR/logs/$name.log" 2>&1 </dev/null &
    echo $! >"$RUN_DIR/$name.pid"
    grep -qxF "$name" "$RUN_DIR/processes" 2>/dev/null || echo "$name" >>"$RUN_DIR/processes"
}

# wait_ready <process> <probe command...>: until the probe succeeds; fails with the log's tail when
# the process dies or does not get ready within START_TIMEOUT.
wait_ready() {
    local name=$1 end=$((SECONDS + START_TIMEOUT))
    shift
    until "$@" >/dev/null 2>&1; do
        if ! running "$name"; then
            tail -n 40 "$RUN_DIR/logs/$name.log" >&2 2>/dev/null || true
            die "$name exited while starting (log: $RUN_DIR/logs/$name.log)"
        fi
        if ((SECONDS >= end)); then
            tail -n 40 "$RUN_DIR/logs/$name.log" >&2 2>/dev/null || true
            die "$name was not ready within ${START_TIMEOUT}s"
        fi
        sleep 0.1
    done
}

wait_session_gone() {  # wait_session_gone <sid> <seconds>
    local end=$((SECONDS + $2))
    while session_alive "$1"; do
        ((SECONDS < end)) || return 1
        sleep 0.1
    done
}

# stop_process <process> <grace seconds>: STOP_SIGNAL, then SIGKILL of the session (0: at once).
stop_process() {
    local pid
    pid=$(process_pid "$1") || return 0
    if (($2 > 0)) && session_alive "$pid"; then
        kill "-$STOP_SIGNAL" "$pid" 2>/dev/null || true
        wait_session_gone "$pid" "$2" && { rm -f "$RUN_DIR/$1.pid"; return 0; }
        info "$1 did not stop within $2 s; killing it"
    fi
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait_session_gone "$pid" 10 || die "could not stop $1 (session $pid)"
    rm -f "$RUN_DIR/$1.pid"
}

# ---- state ------------------------------------------------------------------------------------------

# Where the processes keep their data: <state_dir>/run, or a directory under /tmp when that path
# would be too long for the server or its user cannot write it. <state_dir>/run_dir records it.
choose_run_dir() {
    RUN_DIR="$STATE_DIR/run"
    mkdir -p "$RUN_DIR/logs"
    if ((${#RUN_DIR} + RUN_DIR_RESERVE > 107)) || ! run_dir_usable; then
        rm -rf -- "$RUN_DIR"
        RUN_DIR=$(mktemp -d "/tmp/syncorm-$SERVER_SCRIPT.XXXXXX")
        mkdir -p "$RUN_DIR/logs"
        run_dir_usable || die "no directory the server can use: neither $STATE_DIR/run nor $RUN_DIR"
    fi
    printf '%s\n' "$RUN_DIR" >"$STATE_DIR/run_dir"
}
run_dir_usable() { true; }

load_run_dir() {
    [[ -r "$STATE_DIR/run_dir" ]] || return 1
    RUN_DIR=$(head -n 1 "$STATE_DIR/run_dir")
    [[ -d "$RUN_DIR" ]]
}

stop_everything() {
    local -a names=()
    local i
    load_run_dir || return 0
    [[ -r "$RUN_DIR/processes" ]] && mapfile -t names <"$RUN_DIR/processes"
    for ((i = ${#names[@]} - 1; i >= 0; i--)); do  # in reverse order of launch
        stop_process "${names[i]}" 30
    done
    mkdir -p "$STATE_DIR/logs"
    cp -R "$RUN_DIR/logs/." "$STATE_DIR/logs/" 2>/dev/null || true
    if [[ "$RUN_DIR" == "$STATE_DIR/run" || "$RUN_DIR" =~ ^/tmp/syncorm-$SERVER_SCRIPT\.[A-Za-z0-9]{6}$ ]]; then
        rm -rf -- "$RUN_DIR"
    else
        info "not removing unexpected directory $RUN_DIR"
    fi
    local file
    for file in "${STATE_FILES[@]}" run_dir; do
        # shellcheck disable=SC2086  # state file names may be patterns (replica*.conninfo)
        rm -f -- "$STATE_DIR"/$file
    done
}

on_start_exit() {
    local status=$?
    ((START_OK == 1)) && return 0
    trap - EXIT ERR INT TERM
    set +e
    ((status == 0)) && status=1
    stop_everything >&2
    printf 'syncorm %s: could not start the test server (logs in %s/logs)\n' "$SERVER_NAME" "$STATE_DIR" >&2
    exit "$status"
}

# ---- commands ---------------------------------------------------------------------------------------

usage() {
    echo "usage: $SERVER_SCRIPT.sh start|stop|kill|stop-server|start-server|restart <state_dir> [process | start options]" >&2
    exit 2
}

server_prepare() { true; }

server_main() {
    (($# >= 2)) && [[ -n "$2" ]] || usage
    local command=$1 process
    shift
    case "$command" in
        start)
            mkdir -p "$1" || die "cannot create $1"
            STATE_DIR=$(cd "$1" && pwd -P)
            shift
            server_prepare
            stop_everything >/dev/null 2>&1 || true
            rm -rf -- "$STATE_DIR/logs"
            trap on_start_exit EXIT
            trap 'exit 1' INT TERM
            choose_run_dir
            server_start "$@"
            START_OK=1
            trap - EXIT INT TERM
            ;;
        stop)
            (($# == 1)) || usage
            [[ -d "$1" ]] || exit 0
            STATE_DIR=$(cd "$1" && pwd -P)
            server_prepare
            stop_everything
            info "stopped"
            ;;
        kill | stop-server | start-server | restart)
            (($# <= 2)) || usage
            [[ -d "$1" ]] || die "no test server was started in $1"
            STATE_DIR=$(cd "$1" && pwd -P)
            load_run_dir || die "no test server was started in $STATE_DIR"
            process=${2:-$MAIN_PROCESS}
            grep -qxF "$process" "$RUN_DIR/processes" || die "no process named $process in $STATE_DIR"
            server_prepare
            case "$command" in
                kill) stop_process "$process" 0; info "$process killed (kill -9)" ;;
                stop-server) stop_process "$process" 30; info "$process stopped (data kept)" ;;
                start-server) running "$process" || server_launch "$process"; info "$process running" ;;
                restart) stop_process "$process" 30; server_launch "$process"; info "$process restarted" ;;
            esac
            ;;
        *) usage ;;
    esac
}
