#!/usr/bin/env bash
# What metrics cost the server per request: /simple pipelined 16 deep, the release build
# against the same sources built with RPSLAB_NO_METRICS (every counter, gauge and
# histogram update, and the clock reads that time batches and epoll waits, compiled out).
#
# 1. Instructions per request under `valgrind --tool=callgrind` (deterministic, so a 1%
#    difference is visible): the server runs under callgrind with instrumentation off
#    until it serves, then `callgrind_control -i on`, a warm-up load, `-z` (zero), a fixed
#    number of requests from `rpslab load -n`, and `-d` (dump). Instructions of every
#    thread of the server (the one worker does nearly all) divided by the requests.
# 2. Server CPU µs per request, interleaved A,B,A,B,... (--rounds rounds): the server on
#    cpu0 with one worker, `rpslab load` on cpu1; user+sys CPU of the server from /proc
#    before and after a fixed number of requests. Median and spread per variant.
#
# Usage: bench/metrics-cost.sh [--rounds N] [--requests N] [--callgrind-requests N] [--no-build]
#   --rounds N              interleaved rounds of the CPU-time measurement (default 3)
#   --requests N            requests per CPU-time run (default 2000000)
#   --callgrind-requests N  requests measured under callgrind (default 200000)
#   --no-build              use build/release and build/release-nometrics as they are
# Env KEEP_DUMPS=DIR keeps the two callgrind dumps there (callgrind_annotate reads them).
# Holds /tmp/rpslab-cpu.lock for the whole run (builds included).
set -euo pipefail

PROG=metrics-cost
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib/common.sh
source "$REPO/bench/lib/common.sh"

readonly SERVER_CPU=0 CLIENT_CPU=1 CONNECTIONS=16 PIPELINE_DEPTH=16
ROUNDS=3
REQUESTS=2000000
CG_REQUESTS=200000
BUILD=1
while (($#)); do
    case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --callgrind-requests) CG_REQUESTS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) sed -n '15,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 1 ;;
    esac
done

readonly WITH=$REPO/build/release/rpslab WITHOUT=$REPO/build/release-nometrics/rpslab
LOADER=$WITH # the same generator for both variants
CURRENT_PID=""
WORK=$(mktemp -d /tmp/rpslab-metrics-cost.XXXXXX)

cleanup() {
    if [[ -n $CURRENT_PID ]]; then
        stop_tree "$CURRENT_PID" 10
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

require_commands valgrind callgrind_control taskset python3 curl
hold_cpu_lock

if ((BUILD)); then
    log "building build/release and build/release-nometrics"
    (cd "$REPO" && cmake --preset release >/dev/null && cmake --build --preset release --target rpslab >/dev/null)
    (cd "$REPO" && cmake --preset release-nometrics >/dev/null && cmake --build --preset release-nometrics >/dev/null)
fi
[[ -x $WITH && -x $WITHOUT ]] || die "missing $WITH or $WITHOUT (build them, or drop --no-build)"

# load N PORT: N requests of /simple from cpu1, pipelined; fails when any failed.
load() {
    taskset -c "$CLIENT_CPU" "$LOADER" load -c "$CONNECTIONS" -p "$PIPELINE_DEPTH" -n "$1" \
        --verify-status 200 "http://127.0.0.1:$2/simple" >"$WORK/load.out" 2>&1 ||
        die "rpslab load failed: $(tail -5 "$WORK/load.out")"
}

# start BINARY PORT [PREFIX...]: one worker on cpu0, optionally under a tool; sets CURRENT_PID.
start() {
    local bin=$1 port=$2
    shift 2
    require_port_free "$port"
    taskset -c "$SERVER_CPU" "$@" "$bin" serve --workers 1 --listen "127.0.0.1:$port" \
        {LOCK_FD}>&- >"$WORK/server.out" 2>&1 &
    CURRENT_PID=$!
    wait_until_serving "$CURRENT_PID" "$port" 300 || die "server did not start: $(tail -5 "$WORK/server.out")"
}

stop() {
    stop_tree "$CURRENT_PID" 30
    CURRENT_PID=""
}

# callgrind_ir BINARY: instructions per request (printed with 1 decimal).
callgrind_ir() {
    local bin=$1 port dump
    port=$(free_port)
    rm -f "$WORK"/cg.*
    start "$bin" "$port" valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/cg.%p"
    callgrind_control -i on "$CURRENT_PID" >/dev/null 2>&1
    load 20000 "$port" # warm-up: buffers grown, pages touched, caches of the worker filled
    callgrind_control -z "$CURRENT_PID" >/dev/null 2>&1
    load "$CG_REQUESTS" "$port"
    callgrind_control -d "$CURRENT_PID" >/dev/null 2>&1
    dump=$(find "$WORK" -maxdepth 1 -name 'cg.*' -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2)
    if [[ -n ${KEEP_DUMPS:-} ]]; then
        cp "$dump" "$KEEP_DUMPS/$(basename "$(dirname "$bin")").callgrind"
    fi
    stop
    awk -v n="$CG_REQUESTS" '/^(summary|totals):/ { ir = $2 } END { printf "%.1f\n", ir / n }' "$dump"
}

# cpu_us_per_request BINARY: server CPU µs per request for one run.
cpu_us_per_request() {
    local bin=$1 port before after
    port=$(free_port)
    start "$bin" "$port"
    load 200000 "$port" # warm-up
    before=$(tree_cpu_us "$CURRENT_PID")
    load "$REQUESTS" "$port"
    after=$(tree_cpu_us "$CURRENT_PID")
    stop
    awk -v d="$((after - before))" -v n="$REQUESTS" 'BEGIN { printf "%.4f\n", d / n }'
}

median_spread() { # values...: "median (min..max, spread x%)"
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.4f %.4f %.4f %.1f\n", m, v[1], v[NR], (v[NR] - v[1]) / m * 100 }'
}

log "callgrind: $CG_REQUESTS requests of /simple, -c $CONNECTIONS -p $PIPELINE_DEPTH, with metrics"
ir_with=$(callgrind_ir "$WITH")
log "callgrind: the same without metrics"
ir_without=$(callgrind_ir "$WITHOUT")

with_us=() without_us=()
for ((r = 1; r <= ROUNDS; r++)); do
    with_us+=("$(cpu_us_per_request "$WITH")")
    without_us+=("$(cpu_us_per_request "$WITHOUT")")
    log "round $r: with metrics ${with_us[-1]} µs/req, without ${without_us[-1]} µs/req"
done
read -r wm wlo whi wsp <<<"$(median_spread "${with_us[@]}")"
read -r nm nlo nhi nsp <<<"$(median_spread "${without_us[@]}")"

echo "## metrics cost: /simple, pipelining $PIPELINE_DEPTH, $CONNECTIONS connections, 1 worker on cpu$SERVER_CPU, load on cpu$CLIENT_CPU"
echo
echo "| measure | with metrics | without | difference |"
echo "|---|---|---|---|"
awk -v a="$ir_with" -v b="$ir_without" 'BEGIN {
    printf "| instructions/request (callgrind, all server threads) | %.1f | %.1f | %+.1f (%+.2f%%) |\n", a, b, a - b, (a - b) / b * 100 }'
awk -v a="$wm" -v b="$nm" -v al="$wlo" -v ah="$whi" -v bl="$nlo" -v bh="$nhi" -v as="$wsp" -v bs="$nsp" -v r="$ROUNDS" 'BEGIN {
    printf "| server CPU µs/request (median of %d interleaved, min..max) | %.3f (%.3f..%.3f, %.1f%%) | %.3f (%.3f..%.3f, %.1f%%) | %+.3f (%+.1f%%) |\n",
        r, a, al, ah, as, b, bl, bh, bs, a - b, (a - b) / b * 100 }'
echo
echo "callgrind requests: $CG_REQUESTS; CPU-time requests per run: $REQUESTS; rounds: $ROUNDS"
echo "per-round µs/request with: ${with_us[*]}; without: ${without_us[*]}"
