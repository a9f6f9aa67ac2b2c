#!/usr/bin/env bash
# Builds the parser's libFuzzer target (http_parser_fuzz.cc) for AFL++ (Debian's afl++):
# afl-clang-fast links AFL++'s libFuzzer driver (persistent mode, shared-memory test cases)
# in place of libFuzzer when it sees -fsanitize=fuzzer. Two binaries in build/afl/:
#   fuzz_http_parser          ASan + UBSan, the one afl-fuzz runs and whose crashes count
#   fuzz_http_parser.cmplog   CmpLog instrumentation (afl-fuzz -c): solves magic bytes
#                             (field names, codings) by logging comparison operands
# Usage: tests/fuzz/afl/build.sh   (run it under the CPU lock on the shared machine)
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=build/afl
mkdir -p "$out"
command -v afl-clang-fast++ >/dev/null || { echo "afl: afl-clang-fast++ missing (apt-get install afl++)" >&2; exit 1; }
sources=(tests/fuzz/http_parser_fuzz.cc src/http/*.cc src/core/output_queue.cc src/core/byte_buffer.cc)
flags=(-std=c++20 -O2 -g -fno-omit-frame-pointer -Isrc -fsanitize=fuzzer)
export AFL_QUIET=1
AFL_USE_ASAN=1 AFL_USE_UBSAN=1 afl-clang-fast++ "${flags[@]}" "${sources[@]}" -o "$out/fuzz_http_parser"
AFL_LLVM_CMPLOG=1 afl-clang-fast++ "${flags[@]}" "${sources[@]}" -o "$out/fuzz_http_parser.cmplog"
echo "afl: built $out/fuzz_http_parser and $out/fuzz_http_parser.cmplog"
