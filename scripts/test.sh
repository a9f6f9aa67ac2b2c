#!/usr/bin/env bash
# Every test, as `make test` runs them after both builds:
#   1. unit tests and the fuzz corpus replay + a short deterministic fuzzing pass, under
#      ASan+UBSan (clang);
#   2. the unit tests again, built by g++ in release;
#   3. integration tests against the ASan+UBSan server, in threads mode and again with
#      every server in processes mode (prefork): each time on two pytest-xdist workers, then
#      the tests marked `serial` (CPU shares, scheduling delay, tight wall-clock windows,
#      borrowed ports: see tests/integration/pytest.ini) alone;
#   4. the tests that measure memory (RSS, allocations) and CPU against the release build,
#      one at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
python=/usr/bin/python3 # Debian's, which has pytest, pytest-xdist and h11 from `make deps`
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

scripts/check-format.sh
ctest --test-dir build/asan --output-on-failure -j2
ctest --test-dir build/release --output-on-failure -j2 -E '^fuzz_'

# asan_integration [PYTEST ARGS]: the integration tests not marked release, against the ASan
# build: all but the serial ones on two xdist workers (each with its own shared servers and
# dumped pool), then the serial ones with the machine to themselves.
asan_integration() {
    RPSLAB_BIN=build/asan/rpslab "$python" -m pytest -q tests/integration -p no:cacheprovider \
        -m "not release and not serial" -n 2 "$@"
    RPSLAB_BIN=build/asan/rpslab "$python" -m pytest -q tests/integration -p no:cacheprovider \
        -m "not release and serial" "$@"
}
asan_integration
# Again with prefork workers; the files that never start a server in a mode of its own
# (the load generator's, tune's, the pool dump's) are not run twice.
RPSLAB_MODE=processes asan_integration \
    --ignore=tests/integration/test_load.py --ignore=tests/integration/test_tune.py \
    --ignore=tests/integration/test_pool_dump.py
# One test at a time, as a whole: most of these measure RSS, allocations or CPU (the
# starved generator's ceiling verdict among them).
RPSLAB_RELEASE_BIN=build/release/rpslab RPSLAB_ALLOC_BIN=build/release/rpslab_alloc_count \
    "$python" -m pytest -q tests/integration -m release -p no:cacheprovider
