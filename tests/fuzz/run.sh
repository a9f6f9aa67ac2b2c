#!/usr/bin/env bash
# `make fuzz`: a long libFuzzer run of the HTTP parser target (default 10 minutes; give
# seconds as the first argument). New inputs go to a scratch directory, never into the
# checked-in corpus; see tests/fuzz/README.md for merging and minimizing.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
target=build/asan/tests/fuzz/fuzz_http_parser
[[ -x $target ]] || { echo "fuzz: $target missing (make asan)" >&2; exit 1; }
scratch=$(mktemp -d /tmp/rpslab-fuzz.XXXXXX)
echo "fuzz: $seconds s, new inputs in $scratch"
exec flock /tmp/rpslab-cpu.lock nice -n 10 "$target" -max_total_time="$seconds" -max_len=4096 \
    -dict=tests/fuzz/http.dict -print_final_stats=1 "$scratch" tests/fuzz/corpus/http_parser
