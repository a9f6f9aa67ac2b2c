#!/usr/bin/env bash
# Installs what rpslab needs and this machine lacks: the Debian packages listed in
# deps/debian-packages.txt, Node.js when there is none, and the npm packages pinned in
# tests/integration/js. Does nothing (and needs no privileges) when all are present.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if ((EUID != 0)); then
    sudo="sudo"
fi

apt_install() {
    echo "deps: installing $*"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' deps/debian-packages.txt)
missing=()
for pkg in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ! command -v npm >/dev/null 2>&1; then
    missing+=(nodejs npm) # a machine with its own Node.js keeps it
fi
if ((${#missing[@]} > 0)); then
    apt_install "${missing[@]}"
fi

# hdr-histogram-js: the independent reader of our HdrHistogram logs in the tests.
# (autocannon, a generator peer, is installed by `make bench` only: bench/generators.)
npm_install() {
    local dir=$1
    if [[ ! -d $dir/node_modules ]] || [[ $dir/package-lock.json -nt $dir/node_modules ]]; then
        echo "deps: npm ci in $dir"
        npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    fi
}
npm_install tests/integration/js
