# shellcheck shell=bash
# shellcheck disable=SC2034 # STOP_STATUS, SERVER_* are outputs read by the sourcing scripts
# Helpers shared by bench/serve-cost.sh, scripts/demo.sh and bench/peers/check-bodies.sh:
# the CPU lock, ports, starting and stopping process trees, reading their CPU time.
# Source it after setting PROG (the name messages start with) and REPO (the repo root).

readonly RPSLAB_CPU_LOCK=/tmp/rpslab-cpu.lock

log() {
    printf '%s: %s\n' "$PROG" "$*" >&2
}

die() {
    log "$*"
    exit 1
}

# require_commands CMD...: fails with the Debian package hint when one is missing.
require_commands() {
    local cmd
    for cmd in "$@"; do
        command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found (make deps installs it)"
    done
}

# The descriptor the CPU lock is held on. Processes that might outlive this script (the
# servers) are started with it closed (`{LOCK_FD}>&-`), so a stray server can never keep
# the lock. Before the lock is taken it names a descriptor nothing uses.
LOCK_FD=200

# hold_cpu_lock: holds /tmp/rpslab-cpu.lock until this script exits, so no build or other
# benchmark shares the 2 cores with a measurement. Held on a descriptor of this shell, not
# by a `flock` wrapper process, so signals reach the script and its cleanup directly. A
# caller that already holds it (`flock /tmp/rpslab-cpu.lock script`, or an rpslab script
# that exported RPSLAB_CPU_LOCK_HELD=1) is not made to wait for itself.
hold_cpu_lock() {
    if [[ ${RPSLAB_CPU_LOCK_HELD:-} == 1 ]] || ancestor_holds_cpu_lock; then
        return 0
    fi
    # Read-only is enough for flock(2), and another user may own the file.
    [[ -e $RPSLAB_CPU_LOCK ]] || : >>"$RPSLAB_CPU_LOCK"
    exec {LOCK_FD}<"$RPSLAB_CPU_LOCK"
    if ! flock -n "$LOCK_FD"; then
        log "waiting for $RPSLAB_CPU_LOCK (a build or benchmark is using the cores)"
        flock "$LOCK_FD"
    fi
    export RPSLAB_CPU_LOCK_HELD=1
}

# ancestor_holds_cpu_lock: true when a `flock ... /tmp/rpslab-cpu.lock ...` started us.
ancestor_holds_cpu_lock() {
    local pid=$PPID stat cmdline
    while ((pid > 1)); do
        cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
        if [[ $cmdline == flock\ * || $cmdline == */flock\ * ]] && [[ $cmdline == *"$RPSLAB_CPU_LOCK"* ]]; then
            return 0
        fi
        stat=$(<"/proc/$pid/stat") || return 1
        stat=${stat##*) }
        read -r _ pid _ <<<"$stat"
    done
    return 1
}

# free_port: prints a TCP port nothing listens on now (the kernel's pick for port 0).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# require_port_free PORT: fails when anything listens on PORT. A server already answering
# there would be measured in place of the one we start, so this is an error, never a skip.
require_port_free() {
    local port=$1 owners
    owners=$(port_owners "$port")
    owners=${owners//$'\n'/ }
    if [[ -n $owners ]] || answers_http "$port"; then
        die "port $port is already in use (listening pids: ${owners:-unknown}); stop that server first (a stale server must never be measured in place of ours)"
    fi
}

# port_owners PORT: pids listening on TCP PORT, one per line ("?" for one we cannot see).
port_owners() {
    python3 "$REPO/bench/lib/proctree.py" listeners "$1" || true
}

# answers_http PORT: true when an HTTP server answers on 127.0.0.1:PORT.
answers_http() {
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" 2>/dev/null
}

# tree_pids PID: PID and its descendants, one per line.
tree_pids() {
    python3 "$REPO/bench/lib/proctree.py" pids "$1"
}

# tree_cpu_us PID: user+system CPU µs used so far by PID's whole process tree.
tree_cpu_us() {
    python3 "$REPO/bench/lib/proctree.py" cpu-us "$1"
}

# is_running PID: alive and not a zombie waiting to be reaped.
is_running() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

# wait_until_serving PID PORT TIMEOUT_S: waits until PORT answers HTTP and is owned by
# PID's tree (so a different server that grabbed the port is not taken for ours).
# Fails at once when PID exits.
wait_until_serving() {
    local pid=$1 port=$2 timeout_s=$3 deadline owners p
    deadline=$((SECONDS + timeout_s))
    while ((SECONDS < deadline)); do
        if ! is_running "$pid"; then
            return 1
        fi
        if answers_http "$port"; then
            owners=$(port_owners "$port")
            for p in $(tree_pids "$pid"); do
                if grep -qx "$p" <<<"$owners"; then
                    return 0
                fi
            done
            log "port $port answers, but not from process tree $pid (listening pids: ${owners//$'\n'/ })"
            return 1
        fi
        sleep 0.05
    done
    return 1
}

# stop_tree PID [TIMEOUT_S]: SIGTERM to PID, SIGKILL to whatever of its tree is left after
# TIMEOUT_S (default 5). Sets STOP_STATUS to PID's exit status (137 when it was killed).
# PID must be a child of this shell, so its status can be collected.
stop_tree() {
    local pid=$1 timeout_s=${2:-5} deadline pids
    pids=$(tree_pids "$pid")
    STOP_STATUS=0
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + timeout_s))
    while is_running "$pid" && ((SECONDS < deadline)); do
        sleep 0.05
    done
    if is_running "$pid"; then
        log "process $pid ignored SIGTERM for ${timeout_s}s: killing its tree"
    fi
    # Every process of the tree we saw, by id: never by name.
    # shellcheck disable=SC2086 # word splitting of the pid list is intended
    kill -KILL $pids 2>/dev/null || true
    wait "$pid" 2>/dev/null || STOP_STATUS=$?
}

# format_us US: a latency for people: 850us, 1.23ms, 2.10s.
format_us() {
    awk -v v="$1" 'BEGIN {
        if (v == "-") print "-"
        else if (v < 1000) printf "%.0fus\n", v
        else if (v < 1000000) printf "%.2fms\n", v / 1000
        else printf "%.2fs\n", v / 1000000
    }'
}

# group_digits N: N rounded to an integer with thousands separators (123,456), which
# printf's %' does not do in the C locale.
group_digits() {
    printf '%.0f\n' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'
}
