#!/usr/bin/env bash
# `make fuzz` and the long campaigns: tests/fuzz/run.sh [parser|connection|afl] [seconds]
# (default: the parser's libFuzzer target, 600 s; a lone number is the seconds of a parser
# run, as before). New inputs go to FUZZ_OUT (default: a fresh directory in /tmp), never
# into the checked-in corpus; tests/fuzz/README.md has merging and minimizing.
#   parser       build/asan/tests/fuzz/fuzz_http_parser      (libFuzzer, the asan preset)
#   connection   build/asan/tests/fuzz/fuzz_connection       (libFuzzer, the asan preset)
#   afl          build/afl/fuzz_http_parser under afl-fuzz   (tests/fuzz/afl/build.sh)
# On the shared machine a run holds the CPU lock at nice 10. A long campaign in the
# background instead goes without the lock at the lowest priority, one at a time:
#   FUZZ_LOCK= FUZZ_NICE=19 FUZZ_OUT=/tmp/fuzz-conn tests/fuzz/run.sh connection 1800 > conn.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/../.."
target=parser
if [[ $# -gt 0 && ! $1 =~ ^[0-9]+$ ]]; then
    target=$1
    shift
fi
seconds=${1:-600}
lock=${FUZZ_LOCK-/tmp/rpslab-cpu.lock}
out=${FUZZ_OUT:-$(mktemp -d "/tmp/rpslab-fuzz-$target.XXXXXX")}
mkdir -p "$out"
run=(nice -n "${FUZZ_NICE:-10}")
[[ -n $lock ]] && run=(flock "$lock" "${run[@]}")
dict=tests/fuzz/http.dict

case $target in
parser | connection)
    binary=build/asan/tests/fuzz/fuzz_http_parser
    corpus=tests/fuzz/corpus/http_parser
    max_len=4096
    if [[ $target == connection ]]; then
        binary=build/asan/tests/fuzz/fuzz_connection
        corpus=tests/fuzz/corpus/connection
        # Past the connection's 16 KiB read buffer and its 4 KiB of decoded chunk framing.
        max_len=20000
    fi
    [[ -x $binary ]] || { echo "fuzz: $binary missing (make asan)" >&2; exit 1; }
    mkdir -p "$out/new" "$out/artifacts"
    echo "fuzz: $target for $seconds s, new inputs in $out/new, crashes in $out/artifacts"
    exec "${run[@]}" "$binary" -max_total_time="$seconds" -max_len="$max_len" -dict="$dict" -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/" "$out/new" "$corpus"
    ;;
afl)
    binary=build/afl/fuzz_http_parser
    [[ -x $binary && -x $binary.cmplog ]] || { echo "fuzz: $binary missing (tests/fuzz/afl/build.sh)" >&2; exit 1; }
    echo "fuzz: afl for $seconds s, queue and crashes in $out/default"
    # ASan reserves terabytes of address space: no memory limit (-m none). No UI in logs.
    export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
    exec "${run[@]}" afl-fuzz -V "$seconds" -m none -i tests/fuzz/corpus/http_parser -o "$out" -x "$dict" \
        -c "$binary.cmplog" -- "$binary"
    ;;
*)
    echo "usage: tests/fuzz/run.sh [parser|connection|afl] [seconds]" >&2
    exit 1
    ;;
esac
