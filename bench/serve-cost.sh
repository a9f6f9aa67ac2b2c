#!/usr/bin/env bash
# Server CPU cost per request: rpslab beside nginx and the Go fasthttp peer.
#
# Each server in turn runs alone, pinned to cpu0 with one worker, while wrk drives it from
# cpu1 with 50 connections. The server's CPU time (user+sys of its whole process tree,
# from /proc) is read before and after the run; divided by the requests wrk completed, it
# is the cost per request, which holds even when wrk rather than the server is the
# ceiling. Absolute times drift on shared machines and ratios within one run do not, so
# the servers are interleaved (round 1: case 1 A,B,C, case 2 A,B,C, ...; then round 2)
# and every figure is a median over rounds with its spread (DESIGN.md, "How performance
# is measured"). /proc/stat tells, per run, whether anything else ran on the server's CPU
# (the row is then marked busy) and how busy each side's CPU was (which one was the ceiling).
#
# Usage: bench/serve-cost.sh [--rounds N] [--duration 5s] [--cases LIST] [--servers LIST]
#                            [--json FILE] [--pool DIR] [--keep] [--strict]
#   --rounds N       interleaved rounds (default 3; env ROUNDS)
#   --duration D     length of each measured wrk run, e.g. 5s (default 5s; env DURATION)
#   --cases LIST     of simple, simple-p16, read (default all; env CASES)
#   --servers LIST   rpslab first, then peers: rpslab-prefork (processes mode), nginx,
#                    h2o, fasthttp, fasthttp-prefork, nethttp
#                    (default rpslab,rpslab-prefork,nginx,fasthttp; env SERVERS)
#   --json FILE      also write the measurements, medians and ratios as JSON
#   --pool DIR       use this `rpslab pool dump` directory instead of making one
#   --keep           keep the work directory (configs, logs, wrk output) and say where
#   --strict         exit 4 when a server is missing or a row is flagged
# Exit: 0 done (missing servers and flagged rows are reported in the table), 1 usage or
# set-up error, 4 with --strict as above.
#
# Binaries: build/release/rpslab, build/peers/{fasthttp,nethttp}-peer
# (bench/peers/build-go-peers.sh), nginx and h2o from PATH; RPSLAB_BIN, FASTHTTP_BIN,
# NETHTTP_BIN, NGINX_BIN, H2O_BIN override them. The whole run holds
# /tmp/rpslab-cpu.lock, so no build or other benchmark shares the cores with it.
set -euo pipefail

PROG=serve-cost
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib/common.sh
source "$REPO/bench/lib/common.sh"
# shellcheck source=bench/lib/peers.sh
source "$REPO/bench/lib/peers.sh"
# shellcheck source=bench/lib/wrk.sh
source "$REPO/bench/lib/wrk.sh"

readonly SERVER_CPU=0 CLIENT_CPU=1 CONNECTIONS=50 PIPELINE_DEPTH=16
readonly WARMUP=1s
# The issue's targets, rpslab/peer at most: /simple ≤ 1.0× nginx, /simple pipelined
# ≤ 0.6× fasthttp, /read ≤ 0.8× fasthttp.
readonly TARGETS=(simple:nginx:1.0 simple-p16:fasthttp:0.6 read:fasthttp:0.8)

usage() {
    sed -n '14,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 1
}

# The server running now (started by this script, not yet stopped), for the exit trap.
CURRENT_PID=""
WORK=""
KEEP=0

cleanup() {
    if [[ -n $CURRENT_PID ]]; then
        stop_tree "$CURRENT_PID" 2
        CURRENT_PID=""
    fi
    if [[ -n $WORK ]]; then
        if ((KEEP)); then
            log "work directory kept: $WORK"
        else
            rm -rf "$WORK"
        fi
    fi
}

# case_wrk_args CASE SERVER PORT: sets WRK_TARGET to the URL and script arguments of CASE.
case_wrk_args() {
    local case=$1 server=$2 base="http://127.0.0.1:$3"
    case $case in
    simple) WRK_TARGET=("$base/simple") ;;
    simple-p16) WRK_TARGET=(-s "$REPO/bench/lib/pipeline.lua" "$base/simple" -- "$PIPELINE_DEPTH") ;;
    # The client picks the products (same seeded sequence for every server), so all three
    # serve the same bytes, and nginx, which cannot pick at random, serves its files.
    read) WRK_TARGET=(-s "$REPO/bench/lib/read-random.lua" "$base" -- "$(read_pattern "$server")") ;;
    *) die "unknown case $case (cases: simple, simple-p16, read)" ;;
    esac
}

# check_case CASE SERVER PORT: the server answers CASE with the dump's exact bytes.
check_case() {
    local case=$1 server=$2 base="http://127.0.0.1:$3"
    case $case in
    simple | simple-p16) check_body "$base/simple" "$POOL_DIR/simple.json" ;;
    read) check_body "$base$(read_path "$server" 7)" "$POOL_DIR/read/7.json" ;;
    esac
}

# run_wrk DURATION OUT: wrk pinned to the client CPU against WRK_TARGET.
run_wrk() {
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"$1" --latency "${WRK_TARGET[@]}" >"$2" 2>&1
}

# record ROUND CASE SERVER STATUS CPU_US REQUESTS DURATION RPS SOCKET_ERR NON2XX WALL_US
#        OTHER_US IRQ_US CLIENT_BUSY_US STEAL_US NOTE      (the columns cost_report.py reads)
record() {
    local IFS=$'\t'
    echo "$*" >>"$WORK/results.tsv"
}

# record_unmeasured ROUND CASE SERVER STATUS NOTE: a row for a server that did not run.
record_unmeasured() {
    record "$1" "$2" "$3" "$4" 0 0 0 0 0 0 0 0 0 0 0 "$5"
}

# snapshot: the server tree's CPU µs, TASK IRQ STEAL µs of the server's and the client's
# CPU, and a monotonic clock in µs, on one line.
snapshot() {
    python3 "$REPO/bench/lib/proctree.py" snapshot "$CURRENT_PID" "$SERVER_CPU" "$CLIENT_CPU"
}

# measure ROUND CASE SERVER: one server, one case: start, check, warm up, measure, stop.
measure() {
    local round=$1 case=$2 server=$3 port=${PORTS[$3]} before after summary note=""
    local requests duration rps socket_errors non2xx
    if [[ -n ${MISSING[$server]:-} ]]; then
        record_unmeasured "$round" "$case" "$server" missing "${MISSING[$server]}"
        return
    fi
    RUN_DIR="$WORK/run/r$round-$case-$server"
    require_port_free "$port"
    if ! start_server "$server" "$port"; then
        # Reported in every row of the table; not retried in later rounds.
        MISSING[$server]=$SERVER_ERROR
        log "$server: missing: $SERVER_ERROR"
        record_unmeasured "$round" "$case" "$server" missing "$SERVER_ERROR"
        return
    fi
    CURRENT_PID=$SERVER_PID
    case_wrk_args "$case" "$server" "$port"
    if ! check_case "$case" "$server" "$port"; then
        record_unmeasured "$round" "$case" "$server" failed "response differs from the pool dump"
        stop_tree "$CURRENT_PID" 2
        CURRENT_PID=""
        return
    fi
    run_wrk "$WARMUP" "$RUN_DIR/warmup.txt" || true
    # Let the warm-up's 50 connection closes finish before the first reading.
    sleep 0.2
    before=$(snapshot)
    run_wrk "$DURATION" "$RUN_DIR/wrk.txt" || note="wrk exited $?"
    after=$(snapshot) || after=$before
    if ! is_running "$CURRENT_PID"; then
        note="server exited during the run${note:+; $note}"
    fi
    stop_tree "$CURRENT_PID" 5
    CURRENT_PID=""
    if ! summary=$(wrk_summary "$RUN_DIR/wrk.txt"); then
        record_unmeasured "$round" "$case" "$server" failed \
            "no wrk result: $(head -c 200 "$RUN_DIR/wrk.txt" | tr '\n\t' '  ')"
        return
    fi
    read -r requests duration rps socket_errors non2xx _ _ <<<"$summary"
    local -a b a
    read -ra b <<<"$before"
    read -ra a <<<"$after"
    local cpu=$((a[0] - b[0])) wall=$((a[7] - b[7]))
    # On the server's CPU nothing but the server should run: its task time beyond the
    # server's own is interference. The client's CPU busy time says whether wrk was the
    # ceiling.
    local other=$((a[1] - b[1] - cpu)) irq=$((a[2] - b[2]))
    local client_busy=$((a[4] - b[4] + a[5] - b[5])) steal=$((a[3] - b[3] + a[6] - b[6]))
    record "$round" "$case" "$server" "$([[ -z $note ]] && echo ok || echo failed)" "$cpu" "$requests" \
        "$duration" "$rps" "$socket_errors" "$non2xx" "$wall" "$other" "$irq" "$client_busy" "$steal" "$note"
    log "round $round $case $server: $requests requests, $(awk -v c="$cpu" -v n="$requests" \
        'BEGIN { printf "%.2f", n ? c / n : 0 }') µs/req${note:+ ($note)}"
}

# describe_versions: KEY=VALUE lines for the report's environment block.
describe_versions() {
    echo "wrk=$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
    echo "nginx=$("$NGINX_BIN" -v 2>&1 | cut -d/ -f2)"
    echo "h2o=$("$H2O_BIN" --version 2>/dev/null | head -n 1 | cut -d' ' -f3 || true)"
    echo "go_peer=$([[ -x $FASTHTTP_BIN ]] && echo "fasthttp $(dpkg-query -W -f='${Version}' golang-github-valyala-fasthttp-dev 2>/dev/null)" || echo missing)"
    echo "nethttp_peer=$([[ -x $NETHTTP_BIN ]] && go version 2>/dev/null | cut -d' ' -f3 || echo missing)"
    local version
    version=$(timeout 2 "$RPSLAB_BIN" --version 2>/dev/null | head -n 1 || true)
    echo "rpslab=${version:+$version, }$RPSLAB_BIN"
}

main() {
    local rounds=${ROUNDS:-3} duration=${DURATION:-5s} cases=${CASES:-simple,simple-p16,read}
    local servers=${SERVERS:-rpslab,rpslab-prefork,nginx,fasthttp} json="" pool="" strict=0
    while (($# > 0)); do
        case $1 in
        --rounds) rounds=${2:?--rounds needs a value}; shift 2 ;;
        --duration) duration=${2:?--duration needs a value}; shift 2 ;;
        --cases) cases=${2:?--cases needs a value}; shift 2 ;;
        --servers) servers=${2:?--servers needs a value}; shift 2 ;;
        --json) json=${2:?--json needs a file}; shift 2 ;;
        --pool) pool=${2:?--pool needs a directory}; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --strict) strict=1; shift ;;
        -h | --help) usage ;;
        *) log "unknown argument $1"; usage ;;
        esac
    done
    [[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
    [[ $duration =~ ^[0-9]+$ ]] && duration="${duration}s"
    [[ $duration =~ ^[1-9][0-9]*[smh]$ ]] || die "--duration must look like 5s"
    [[ $servers == rpslab* ]] || die "--servers must start with rpslab (ratios are rpslab/peer)"
    [[ ,$cases, =~ ^(,(simple|simple-p16|read))+,$ ]] || die "--cases: a list of simple, simple-p16, read"
    [[ ,$servers, =~ ^(,(rpslab|rpslab-prefork|nginx|h2o|fasthttp|fasthttp-prefork|nethttp))+,$ ]] ||
        die "--servers: a list of rpslab, rpslab-prefork, nginx, h2o, fasthttp, fasthttp-prefork, nethttp"
    if ((rounds < 3)); then
        log "warning: $rounds round(s); DESIGN.md asks for at least 3 before quoting a figure"
    fi
    require_commands wrk taskset curl python3 flock cmp awk
    hold_cpu_lock
    # This script and its helpers run on the client's CPU, so the server's has the server alone.
    taskset -p -c "$CLIENT_CPU" $$ >/dev/null
    taskset -c "$CLIENT_CPU" true 2>/dev/null ||
        die "cpu$CLIENT_CPU is not available: the server needs cpu$SERVER_CPU and wrk cpu$CLIENT_CPU"

    WORK=$(mktemp -d /tmp/rpslab-serve-cost.XXXXXX)
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    : >"$WORK/results.tsv"

    if [[ -n $pool ]]; then
        POOL_DIR=$(cd "$pool" && pwd)
    else
        [[ -x $RPSLAB_BIN ]] || die "$RPSLAB_BIN not found: build it (make release) or pass --pool DIR"
        POOL_DIR="$WORK/pool"
        "$RPSLAB_BIN" pool dump "$POOL_DIR" >/dev/null || die "rpslab pool dump failed"
    fi
    [[ -f $POOL_DIR/simple.json && -f $POOL_DIR/read/7.json ]] || die "$POOL_DIR is not a pool dump"

    SERVER_CPUS=$SERVER_CPU SERVER_WORKERS=1
    local -a case_list server_list
    IFS=, read -ra case_list <<<"$cases"
    IFS=, read -ra server_list <<<"$servers"
    declare -gA PORTS=() MISSING=()
    local server case round
    for server in "${server_list[@]}"; do
        PORTS[$server]=$(free_port)
    done
    DURATION=$duration

    log "${#server_list[@]} servers × ${#case_list[@]} cases × $rounds rounds of $duration" \
        "(+ start, check, ${WARMUP} warm-up each): about $(((${#server_list[@]} * ${#case_list[@]} * rounds) * (${duration%?} + 2)))s"
    for ((round = 1; round <= rounds; round++)); do
        for case in "${case_list[@]}"; do
            for server in "${server_list[@]}"; do
                measure "$round" "$case" "$server"
            done
        done
    done

    local -a report_args=(--cases "$cases" --servers "$servers"
        --config "setup=server on cpu$SERVER_CPU (1 worker), wrk -t1 -c$CONNECTIONS on cpu$CLIENT_CPU, rounds: $rounds × $duration, warm-up $WARMUP"
        --config "rounds=$rounds" --config "duration=$duration" --config "connections=$CONNECTIONS"
        --config "pipeline_depth=$PIPELINE_DEPTH" --config "server_cpu=$SERVER_CPU" --config "client_cpu=$CLIENT_CPU")
    local t line
    for t in "${TARGETS[@]}"; do
        report_args+=(--target "$t")
    done
    while IFS= read -r line; do
        report_args+=(--env "$line")
    done < <(describe_versions)
    if [[ -n $json ]]; then
        report_args+=(--json "$json")
    fi
    echo
    local status=0
    python3 "$REPO/bench/lib/cost_report.py" "$WORK/results.tsv" "${report_args[@]}" || status=$?
    if [[ -n $json ]]; then
        log "wrote $json"
    fi
    if ((status == 3 && strict)); then
        exit 4
    fi
    ((status == 0 || status == 3)) || die "report failed"
}

main "$@"
