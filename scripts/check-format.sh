#!/usr/bin/env bash
# Fails, listing the files, when a tracked C++ file is not clang-formatted with .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=()
while IFS= read -r -d '' f; do
    clang-format-14 --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files -z '*.cc' '*.h' 2>/dev/null || find src tests bench -name '*.cc' -o -name '*.h' -print0)
if ((${#bad[@]})); then
    printf 'not clang-formatted (run make format):\n'
    printf '  %s\n' "${bad[@]}"
    exit 1
fi
echo "format: ok"
