#!/usr/bin/env bash
# `make demo`: starts the release build of `rpslab serve` on a free loopback port with
# all cores, drives each workload for a few seconds and prints requests/s, median and
# p99 latency and errors per workload, then stops the server with SIGTERM and checks it
# exits 0 (about 25 s). Then `rpslab bench --quick` sets rpslab beside nginx and fasthttp
# (about a minute) and prints its table.
#
# The load generator runs on the same 2 cores as the server, so these are the pair's
# figures, not the server's ceiling; bench/serve-cost.sh pins the two apart and measures
# the server's CPU per request. The generator is `rpslab load`, called in one place
# (run_load); every latency is per request, also when pipelining.
#
# Usage: scripts/demo.sh [SECONDS_PER_WORKLOAD]     (default 3; RPSLAB_BIN overrides the binary)
# Exit: 0 all well, 1 set-up error, 2 a workload failed or the server did not exit 0.
set -euo pipefail

PROG=demo
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib/common.sh
source "$REPO/bench/lib/common.sh"

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

# run_load METHOD URL DEPTH SECONDS: drives URL with `rpslab load` (CONNECTIONS
# connections, DEPTH requests in flight on each, POST with ECHO_BODY) and prints one line:
#   requests_per_s p50_us p99_us errors ceiling
# where errors counts failed requests and non-2xx answers, and ceiling is 1 when the
# generator itself was saturated. The only function that knows the load generator.
run_load() {
    local method=$1 url=$2 depth=$3 seconds=$4 out="$WORK/load.json"
    local -a args=(load "$url" -t 2 -c "$CONNECTIONS" -p "$depth" -d "${seconds}s" --json "$out")
    if [[ $method == POST ]]; then
        printf '%s' "$ECHO_BODY" >"$WORK/body.json"
        args+=(-m POST -H 'Content-Type: application/json' --body-file "$WORK/body.json")
    fi
    rm -f "$out"
    "$RPSLAB_BIN" "${args[@]}" >"$WORK/load.txt" 2>&1 || true
    [[ -s $out ]] || return 1
    python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
errors = sum(r["errors"].values()) + sum(n for code, n in r["status"].items() if not code.startswith("2"))
print(f'{r["rps"]:.0f} {r["latency_us"]["p50"]} {r["latency_us"]["p99"]} {errors} {int(r["generator_ceiling"])}')
PY
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
    require_commands curl python3 flock awk
    hold_cpu_lock

    WORK=$(mktemp -d /tmp/rpslab-demo.XXXXXX)
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    port=$(free_port)
    start_rpslab "$port"

    echo "$READY_LINE"
    echo "load: rpslab load -t 2 -c $CONNECTIONS, ${seconds}s per workload, on the same $(nproc) cores as the server"
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
        local rps p50 p99 errors ceiling
        read -r rps p50 p99 errors ceiling <<<"$result"
        printf '%-13s %12s %10s %10s %8s%s\n' "$label" "$(group_digits "$rps")" \
            "$(format_us "$p50")" "$(format_us "$p99")" "$errors" "$( ((ceiling)) && echo '  (generator was the ceiling)')"
        ((errors == 0)) || failed=1
    done
    echo
    echo "note: the load generator and the server share the machine's $(nproc) cores, so these"
    echo "are the pair's figures. Latency is per request, also when pipelined."
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
    quick_bench
}

# quick_bench: `rpslab bench --quick`, the built-in plan of about a minute: rpslab beside
# nginx and fasthttp, server and generator pinned to separate CPUs, interleaved rounds.
quick_bench() {
    local out=$REPO/build/demo-bench
    echo
    echo "rpslab bench --quick (about a minute; report in $out/report.html)"
    if ! "$RPSLAB_BIN" bench --quick --out "$out" 2>"$WORK/bench.log"; then
        tail -n 20 "$WORK/bench.log" >&2
        die "rpslab bench --quick failed"
    fi
}

main "$@"
