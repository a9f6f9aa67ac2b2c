#!/usr/bin/env bash
# `make demo`: starts the release build of `rpslab serve` on a free loopback port with
# all cores, drives each workload for a few seconds and prints requests/s, median and
# p99 latency and errors per workload, then stops the server with SIGTERM and checks it
# exits 0. About 25 s.
#
# The load generator runs on the same 2 cores as the server, so these are the pair's
# figures, not the server's ceiling; bench/serve-cost.sh pins the two apart and measures
# the server's CPU per request. Which generator runs is decided in one place, run_load:
# wrk today, `rpslab load` when it lands.
#
# Usage: scripts/demo.sh [SECONDS_PER_WORKLOAD]     (default 3; RPSLAB_BIN overrides the binary)
# Exit: 0 all well, 1 set-up error, 2 a workload failed or the server did not exit 0.
set -euo pipefail

PROG=demo
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib/common.sh
source "$REPO/bench/lib/common.sh"
# shellcheck source=bench/lib/wrk.sh
source "$REPO/bench/lib/wrk.sh"

RPSLAB_BIN=${RPSLAB_BIN:-$REPO/build/release/rpslab}
readonly CONNECTIONS=50 PIPELINE_DEPTH=16
readonly ECHO_BODY='{"order":12345,"items":[{"sku":"SKU-00042","qty":2},{"sku":"SKU-00007","qty":1}]}'

# The workloads: label|method|path|pipeline depth.
readonly WORKLOADS=(
    "/simple|GET|/simple|1"
    "/simple p$PIPELINE_DEPTH|GET|/simple|$PIPELINE_DEPTH"
    "/read|GET|/read|1"
    "/list|GET|/list|1"
    "/compute|GET|/compute|1"
    "/echo|POST|/echo|1"
)

SERVER_PID=""
WORK=""

cleanup() {
    if [[ -n $SERVER_PID ]]; then
        stop_tree "$SERVER_PID" 2
    fi
    if [[ -n $WORK ]]; then
        rm -rf "$WORK"
    fi
}

# run_load METHOD URL DEPTH SECONDS: drives URL with CONNECTIONS connections (DEPTH
# requests pipelined per write, POST with ECHO_BODY) and prints one line:
#   requests_per_s p50_us p99_us errors
# The only function that knows the load generator: swap its body for `rpslab load`.
run_load() {
    local method=$1 url=$2 depth=$3 seconds=$4 out="$WORK/load.txt" summary
    local -a target=("$url")
    if [[ $method == POST ]]; then
        target=(-s "$REPO/bench/lib/echo.lua" "$url" -- "$ECHO_BODY")
    elif ((depth > 1)); then
        target=(-s "$REPO/bench/lib/pipeline.lua" "$url" -- "$depth")
    fi
    # Two threads: one per core, like the server's workers.
    wrk -t2 -c"$CONNECTIONS" -d"${seconds}s" --latency "${target[@]}" >"$out" 2>&1 || true
    summary=$(wrk_summary "$out") || return 1
    local rps socket_errors non2xx p50 p99
    read -r _ _ rps socket_errors non2xx p50 p99 <<<"$summary"
    echo "$rps $p50 $p99 $((socket_errors + non2xx))"
}

# check_workload METHOD URL: one request answered 200 (and /echo sends the body back).
check_workload() {
    local method=$1 url=$2 body status
    body="$WORK/check.out"
    if [[ $method == POST ]]; then
        status=$(curl -s --max-time 5 -o "$body" -w '%{http_code}' -H 'Content-Type: application/json' \
            --data-binary "$ECHO_BODY" "$url" || true)
        [[ $status == 200 && $(<"$body") == "$ECHO_BODY" ]] || { echo "HTTP $status, body not echoed"; return 1; }
    else
        status=$(curl -s --max-time 5 -o "$body" -w '%{http_code}' "$url" || true)
        [[ $status == 200 ]] || { echo "HTTP $status"; return 1; }
    fi
}

# start_rpslab PORT: sets SERVER_PID (a child of this shell, so its exit status can be
# collected) and READY_LINE.
start_rpslab() {
    local port=$1
    require_port_free "$port"
    # All cores, the worker count left to rpslab. Started with the CPU lock closed, so a
    # server that outlived us could not hold it.
    "$RPSLAB_BIN" serve --listen "127.0.0.1:$port" >"$WORK/serve.log" 2>&1 {LOCK_FD}>&- &
    SERVER_PID=$!
    if ! wait_until_serving "$SERVER_PID" "$port" 10; then
        cat "$WORK/serve.log" >&2
        die "rpslab serve did not start on port $port"
    fi
    # The documented readiness line; it says how many workers rpslab chose.
    READY_LINE=$(grep -m1 'rpslab: listening on' "$WORK/serve.log" || true)
    if [[ -z $READY_LINE ]]; then
        log "warning: no 'rpslab: listening on' line on stderr"
        READY_LINE="rpslab serve on 127.0.0.1:$port"
    fi
}

main() {
    local seconds=${1:-3} port failed=0 line label method path depth result url
    [[ $seconds =~ ^[1-9][0-9]*$ ]] || die "usage: scripts/demo.sh [SECONDS_PER_WORKLOAD]"
    [[ -x $RPSLAB_BIN ]] || die "$RPSLAB_BIN not found: build it first (make release)"
    require_commands wrk curl python3 flock awk
    hold_cpu_lock

    WORK=$(mktemp -d /tmp/rpslab-demo.XXXXXX)
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    port=$(free_port)
    start_rpslab "$port"

    echo "$READY_LINE"
    echo "load: wrk -t2 -c$CONNECTIONS, ${seconds}s per workload, on the same $(nproc) cores as the server"
    echo
    printf '%-13s %12s %10s %10s %8s\n' workload 'requests/s' p50 p99 errors
    for line in "${WORKLOADS[@]}"; do
        IFS='|' read -r label method path depth <<<"$line"
        url="http://127.0.0.1:$port$path"
        if ! result=$(check_workload "$method" "$url"); then
            printf '%-13s %s\n' "$label" "failed before load: $result"
            failed=1
            continue
        fi
        if ! result=$(run_load "$method" "$url" "$depth" "$seconds"); then
            printf '%-13s %s\n' "$label" "load generator failed: $(head -c 200 "$WORK/load.txt")"
            failed=1
            continue
        fi
        local rps p50 p99 errors
        read -r rps p50 p99 errors <<<"$result"
        printf '%-13s %12s %10s %10s %8s\n' "$label" "$(group_digits "$rps")" \
            "$(format_us "$p50")" "$(format_us "$p99")" "$errors"
        ((errors == 0)) || failed=1
    done
    echo
    echo "note: the load generator and the server share the machine's $(nproc) cores, so these"
    echo "are the pair's figures; with pipelining, latency is per batch of $PIPELINE_DEPTH."
    echo "bench/serve-cost.sh measures the server's own CPU cost per request."

    stop_tree "$SERVER_PID" 10
    SERVER_PID=""
    if ((STOP_STATUS != 0)); then
        log "rpslab serve exited $STOP_STATUS after SIGTERM (expected 0)"
        cat "$WORK/serve.log" >&2
        exit 2
    fi
    echo "rpslab serve stopped on SIGTERM, exit 0"
    ((failed == 0)) || exit 2
}

main "$@"
