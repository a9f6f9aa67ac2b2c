#!/usr/bin/env bash
# Checks that a server sends the exact bytes of a pool dump: /simple, /read (identity and
# gzip), /list (identity and gzip) and /compute, with Content-Type application/json. A
# comparison of servers is only fair when they send the same bytes; nginx's /simple is a
# `return 200 '...'` literal in nginx.conf.in, and this is what keeps it equal to
# simple.json.
#
# Usage:
#   bench/peers/check-bodies.sh --start SERVER [--pool DIR]
#       starts SERVER (rpslab, rpslab-prefork, nginx, h2o, fasthttp, fasthttp-prefork,
#       nethttp) on a free port (1 worker on cpu0), checks it, stops it
#   bench/peers/check-bodies.sh --url http://127.0.0.1:PORT --server NAME --pool DIR
#       checks a server that is already running (NAME picks the /read URL form)
# Without --pool, the pool is dumped with build/release/rpslab into a temp dir.
set -euo pipefail

PROG=check-bodies
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=bench/lib/common.sh
source "$REPO/bench/lib/common.sh"
# shellcheck source=bench/lib/peers.sh
source "$REPO/bench/lib/peers.sh"

usage() {
    sed -n '8,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 1
}

# check_server NAME BASE_URL: every check runs; fails if any failed.
check_server() {
    local name=$1 base=$2 failed=0 id
    check_body "$base/simple" "$POOL_DIR/simple.json" || failed=1
    for id in 0 7 499; do
        check_body "$base$(read_path "$name" "$id")" "$POOL_DIR/read/$id.json" || failed=1
        check_body "$base$(read_path "$name" "$id")" "$POOL_DIR/read/$id.json.gz" gzip || failed=1
    done
    check_body "$base/list" "$POOL_DIR/list.json" || failed=1
    check_body "$base/list" "$POOL_DIR/list.json.gz" gzip || failed=1
    check_body "$base/compute" "$POOL_DIR/compute.json" || failed=1
    if ((failed)); then
        log "$name at $base: bodies differ from $POOL_DIR"
        return 1
    fi
    log "$name at $base: all bodies byte-identical to $POOL_DIR"
}

cleanup() {
    if [[ -n ${SERVER_PID:-} ]]; then
        stop_tree "$SERVER_PID" 2
    fi
    if [[ -n ${TMP_DIR:-} ]]; then
        rm -rf "$TMP_DIR"
    fi
}

main() {
    local start="" url="" server="" port
    POOL_DIR=""
    while (($# > 0)); do
        case $1 in
        --start) start=${2:?}; shift 2 ;;
        --url) url=${2:?}; shift 2 ;;
        --server) server=${2:?}; shift 2 ;;
        --pool) POOL_DIR=${2:?}; shift 2 ;;
        *) usage ;;
        esac
    done
    [[ -n $start || (-n $url && -n $server) ]] || usage
    if [[ -n $start && " $SERVER_NAMES " != *" $start "* ]]; then
        die "unknown server $start (one of: $SERVER_NAMES)"
    fi
    require_commands curl cmp taskset python3

    TMP_DIR=$(mktemp -d)
    trap cleanup EXIT
    if [[ -z $POOL_DIR ]]; then
        [[ -x $RPSLAB_BIN ]] || die "no --pool given and $RPSLAB_BIN not found"
        POOL_DIR="$TMP_DIR/pool"
        "$RPSLAB_BIN" pool dump "$POOL_DIR" >/dev/null
    fi
    [[ -f $POOL_DIR/simple.json ]] || die "$POOL_DIR has no simple.json: not a pool dump"

    if [[ -n $url ]]; then
        check_server "$server" "$url"
        return
    fi
    RUN_DIR="$TMP_DIR/run" SERVER_CPUS=0 SERVER_WORKERS=1
    port=$(free_port)
    require_port_free "$port"
    start_server "$start" "$port" || die "$start did not start: $SERVER_ERROR"
    check_server "$start" "http://127.0.0.1:$port"
}

main "$@"
