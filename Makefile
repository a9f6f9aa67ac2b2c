# The two commands of the README (`make demo`, `make test`) and their parts.
# CMake does the building; this file only strings the steps together.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help deps release asan native peers test unit integration memory format format-check demo bench fuzz clean

help:
	@echo "make demo    install what is missing, build, serve and measure every workload"
	@echo "make test    install what is missing, build both configurations, run every test"
	@echo "make bench   micro-benchmarks, server cost beside nginx and fasthttp, generator cost beside wrk"
	@echo "make deps | release | asan | native | peers | format | format-check | fuzz | clean"

deps:
	@scripts/deps.sh

release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release

asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan

native: deps
	@cmake --preset native >/dev/null
	@cmake --build --preset native

# The Go peers (bench/peers), offline with Debian's golang-go; rebuilt only when out of date.
peers: deps
	@bench/peers/build-go-peers.sh

# The peers' test (tests/integration/test_peers.py) checks the Go peers' bodies too.
test: release asan peers
	@scripts/test.sh

demo: release peers
	@scripts/demo.sh

bench: release peers
	@build/release/bench/bench_http_parser --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	@build/release/bench/bench_histogram --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	@bench/serve-cost.sh
	@npm ci --prefix bench/generators --no-audit --no-fund --loglevel=error || echo "bench: autocannon unavailable"
	@bench/load-cost.py
	@bench/overload.py
	@bench/metrics-cost.sh

fuzz: asan
	@tests/fuzz/run.sh

format:
	@git ls-files -z '*.cc' '*.h' | xargs -0 clang-format-14 -i

format-check:
	@scripts/check-format.sh

clean:
	rm -rf build
