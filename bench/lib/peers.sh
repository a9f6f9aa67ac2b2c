# shellcheck shell=bash
# shellcheck disable=SC2034 # STOP_STATUS, SERVER_* are outputs read by the sourcing scripts
# Starting rpslab and its peers the same way, and checking they send the dump's bytes.
# Source after bench/lib/common.sh. Inputs (globals, set by the caller):
#   POOL_DIR      directory written by `rpslab pool dump`
#   RUN_DIR       scratch directory for logs, pid files and configs (one per start)
#   SERVER_CPUS   taskset CPU list for the server, e.g. 0
#   SERVER_WORKERS  worker count (rpslab --workers, nginx worker_processes, h2o num-threads,
#                   GOMAXPROCS, prefork children); empty: each server gets one per CPU of
#                   SERVER_CPUS (rpslab picks its own: all cores)
# Binaries (env overrides): RPSLAB_BIN, NGINX_BIN, H2O_BIN, FASTHTTP_BIN, NETHTTP_BIN.

RPSLAB_BIN=${RPSLAB_BIN:-$REPO/build/release/rpslab}
NGINX_BIN=${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}
H2O_BIN=${H2O_BIN:-$(command -v h2o || echo /usr/bin/h2o)}
FASTHTTP_BIN=${FASTHTTP_BIN:-$REPO/build/peers/fasthttp-peer}
NETHTTP_BIN=${NETHTTP_BIN:-$REPO/build/peers/nethttp-peer}

# Every name start_server knows.
SERVER_NAMES="rpslab rpslab-prefork nginx h2o fasthttp fasthttp-prefork nethttp"

# start_server NAME PORT: starts rpslab (threads), rpslab-prefork (processes mode), nginx,
# h2o, fasthttp, fasthttp-prefork (fasthttp/prefork: one SO_REUSEPORT child process per
# worker) or nethttp on 127.0.0.1:PORT, pinned to SERVER_CPUS, and waits until it serves.
# On success sets SERVER_PID (a child of this shell) and SERVER_LOG; on failure returns 1
# with SERVER_ERROR saying why (for a peer that is not installed or built: which package
# or build it needs), having stopped whatever it started. The caller checks the port is
# free first.
start_server() {
    local name=$1 port=$2
    SERVER_PID="" SERVER_ERROR="" SERVER_LOG="$RUN_DIR/$name.log"
    mkdir -p "$RUN_DIR"
    case $name in
    rpslab) start_rpslab "$port" ;;
    rpslab-prefork) start_rpslab "$port" --mode processes ;;
    nginx) start_nginx "$port" ;;
    h2o) start_h2o "$port" ;;
    fasthttp) start_go_peer "$FASTHTTP_BIN" "$port" ;;
    fasthttp-prefork) start_go_peer "$FASTHTTP_BIN" "$port" -prefork ;;
    nethttp) start_go_peer "$NETHTTP_BIN" "$port" ;;
    *) SERVER_ERROR="unknown server $name" ;;
    esac
    if [[ -z $SERVER_PID ]]; then
        return 1
    fi
    if ! wait_until_serving "$SERVER_PID" "$port" 10; then
        SERVER_ERROR="did not serve on port $port within 10 s: $(tail -n 3 "$SERVER_LOG" 2>/dev/null | tr '\n' ' ')"
        stop_tree "$SERVER_PID" 2
        SERVER_PID=""
        return 1
    fi
}

# start_rpslab PORT [EXTRA_ARGS...]: threads mode, or what EXTRA_ARGS say (--mode processes).
start_rpslab() {
    local port=$1 args
    shift
    if [[ ! -x $RPSLAB_BIN ]]; then
        SERVER_ERROR="$RPSLAB_BIN not found (build it: make release)"
        return 0
    fi
    args=(serve --listen "127.0.0.1:$port" "$@")
    if [[ -n ${SERVER_WORKERS:-} ]]; then
        args+=(--workers "$SERVER_WORKERS" --cpus "$SERVER_CPUS")
    fi
    taskset -c "$SERVER_CPUS" "$RPSLAB_BIN" "${args[@]}" >"$SERVER_LOG" 2>&1 {LOCK_FD}>&- &
    SERVER_PID=$!
}

start_nginx() {
    local port=$1 conf="$RUN_DIR/nginx.conf"
    if [[ ! -x $NGINX_BIN ]]; then
        SERVER_ERROR="nginx not found (package nginx-light; make deps)"
        return 0
    fi
    render_nginx_conf "$conf" "127.0.0.1:$port"
    taskset -c "$SERVER_CPUS" "$NGINX_BIN" -p "$RUN_DIR" -e "$RUN_DIR/error.log" -c "$conf" \
        >"$SERVER_LOG" 2>&1 {LOCK_FD}>&- &
    SERVER_PID=$!
}

start_h2o() {
    local port=$1 conf="$RUN_DIR/h2o.conf"
    if [[ ! -x $H2O_BIN ]]; then
        SERVER_ERROR="h2o not found (package h2o; make deps)"
        return 0
    fi
    render_h2o_conf "$conf" 127.0.0.1 "$port"
    taskset -c "$SERVER_CPUS" "$H2O_BIN" -m worker -c "$conf" >"$SERVER_LOG" 2>&1 {LOCK_FD}>&- &
    SERVER_PID=$!
}

# start_go_peer BINARY PORT [FLAGS...]: the fasthttp (with -prefork: fasthttp-prefork) or
# net/http peer.
start_go_peer() {
    local bin=$1 port=$2
    shift 2
    if [[ ! -x $bin ]]; then
        SERVER_ERROR="$bin not found (build it: bench/peers/build-go-peers.sh; needs golang-go, and golang-github-valyala-fasthttp-dev for fasthttp)"
        return 0
    fi
    # GOMAXPROCS as the worker count: one P per core the server is given, which is what
    # a Go deployment pinned to those cores runs with; prefork starts one child per P.
    GOMAXPROCS=${SERVER_WORKERS:-$(cpu_count "$SERVER_CPUS")} \
        taskset -c "$SERVER_CPUS" "$bin" -addr "127.0.0.1:$port" -dir "$POOL_DIR" "$@" \
        >"$SERVER_LOG" 2>&1 {LOCK_FD}>&- &
    SERVER_PID=$!
}

# render_nginx_conf OUT LISTEN: fills bench/peers/nginx.conf.in for this run.
render_nginx_conf() {
    local out=$1 listen=$2 user_line="" workers affinity
    # As root, nginx would run its workers as nobody, who cannot read a 0700 pool dir.
    if ((EUID == 0)); then
        user_line="user root;"
    fi
    workers=${SERVER_WORKERS:-$(cpu_count "$SERVER_CPUS")}
    affinity=$(nginx_affinity "$SERVER_CPUS" "$workers")
    mkdir -p "$RUN_DIR"
    sed -e "s|@USER_LINE@|$user_line|" \
        -e "s|@WORKERS@|$workers|" \
        -e "s|@CPU_AFFINITY@|$affinity|" \
        -e "s|@RUN_DIR@|$RUN_DIR|g" \
        -e "s|@ROOT@|$POOL_DIR|g" \
        -e "s|@LISTEN@|$listen|g" \
        "$REPO/bench/peers/nginx.conf.in" >"$out"
}

# render_h2o_conf OUT HOST PORT: fills bench/peers/h2o.conf.in for this run.
render_h2o_conf() {
    local out=$1 host=$2 port=$3 threads user_line=""
    # As root, h2o would switch to nobody, who cannot use a 0700 run or pool dir.
    if ((EUID == 0)); then
        user_line="user: root"
    fi
    threads=${SERVER_WORKERS:-$(cpu_count "$SERVER_CPUS")}
    mkdir -p "$RUN_DIR"
    sed -e "s|@USER_LINE@|$user_line|" \
        -e "s|@THREADS@|$threads|" \
        -e "s|@RUN_DIR@|$RUN_DIR|g" \
        -e "s|@ROOT@|$POOL_DIR|g" \
        -e "s|@HOST@|$host|g" \
        -e "s|@PORT@|$port|g" \
        "$REPO/bench/peers/h2o.conf.in" >"$out"
}

# cpu_count LIST: how many CPUs a taskset list such as 0 or 0-3,6 names.
cpu_count() {
    local list=$1 part n=0
    local IFS=,
    for part in $list; do
        if [[ $part == *-* ]]; then
            n=$((n + ${part#*-} - ${part%-*} + 1))
        else
            n=$((n + 1))
        fi
    done
    echo "$n"
}

# nginx_affinity LIST WORKERS: one worker on one CPU gets that CPU's bit mask (cpu0: 1,
# cpu2: 100); otherwise "auto" limited to the CPUs of LIST, one worker per CPU in order.
nginx_affinity() {
    local list=$1 workers=$2 mask=0 part cpu
    local IFS=,
    for part in $list; do
        for ((cpu = ${part%-*}; cpu <= ${part#*-}; cpu++)); do
            mask=$((mask | 1 << cpu))
        done
    done
    if ((workers == 1)) && [[ $list =~ ^[0-9]+$ ]]; then
        to_binary "$mask"
    else
        echo "auto $(to_binary "$mask")"
    fi
}

to_binary() {
    local n=$1 out=""
    while ((n > 0)); do
        out="$((n & 1))$out"
        n=$((n >> 1))
    done
    echo "${out:-0}"
}

# read_path SERVER ID: the URL path of product ID on SERVER. nginx and h2o serve the
# dump's files as they are (/read/N.json); rpslab and the Go peers take ?id=N.
read_path() {
    if [[ $1 == nginx || $1 == h2o ]]; then
        echo "/read/$2.json"
    else
        echo "/read?id=$2"
    fi
}

# read_pattern SERVER: read_path with a printf %d in place of the id (for wrk scripts).
read_pattern() {
    read_path "$1" %d
}

# check_body URL EXPECTED_FILE [ACCEPT_ENCODING]: the response is a 200 whose body is
# byte-identical to EXPECTED_FILE and whose Content-Type is application/json; with
# ACCEPT_ENCODING=gzip also Content-Encoding: gzip, without it no Content-Encoding. A
# resource the dump holds in both encodings (X.json beside X.json.gz: /read, /list) must
# say Vary: Accept-Encoding in both (DESIGN.md). Prints what differs and fails.
check_body() {
    local url=$1 expected=$2 encoding=${3:-} body headers status problems=()
    body=$(mktemp) headers=$(mktemp)
    status=$(curl -s --max-time 5 ${encoding:+-H "Accept-Encoding: $encoding"} \
        -D "$headers" -o "$body" -w '%{http_code}' "$url" || true)
    [[ $status == 200 ]] || problems+=("status $status")
    grep -qi '^content-type: application/json' "$headers" ||
        problems+=("Content-Type '$(grep -i '^content-type:' "$headers" | tr -d '\r')'")
    if [[ -n $encoding ]] && ! grep -qi '^content-encoding: gzip' "$headers"; then
        problems+=("no Content-Encoding: gzip")
    fi
    if [[ -z $encoding ]] && grep -qi '^content-encoding:' "$headers"; then
        problems+=("'$(grep -i '^content-encoding:' "$headers" | tr -d '\r')' without Accept-Encoding")
    fi
    if [[ $expected == *.gz || -f $expected.gz ]] && ! grep -qi '^vary:.*accept-encoding' "$headers"; then
        problems+=("no Vary: Accept-Encoding")
    fi
    cmp -s "$body" "$expected" ||
        problems+=("body differs from ${expected#"$POOL_DIR"/} ($(wc -c <"$body") vs $(wc -c <"$expected") bytes)")
    rm -f "$body" "$headers"
    if ((${#problems[@]} > 0)); then
        log "$url${encoding:+ (Accept-Encoding: $encoding)}: ${problems[*]}"
        return 1
    fi
}
