#!/usr/bin/env bash
# Builds the Go peers (today: the fasthttp peer) into build/peers/, offline.
#
# Debian ships Go libraries as source under /usr/share/gocode (golang-*-dev packages) and
# no module proxy is reachable, so the build runs in GOPATH mode against that tree. The
# compiler shares the 2 cores with everyone else: the build holds /tmp/rpslab-cpu.lock.
#
# Usage: bench/peers/build-go-peers.sh      (exit 1 with the package to install if a
#                                            toolchain or library source is missing)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly repo
readonly gocode=/usr/share/gocode
readonly out_dir="$repo/build/peers"
readonly lock=/tmp/rpslab-cpu.lock

die() {
    echo "build-go-peers: $*" >&2
    exit 1
}

# Each Go import path the fasthttp peer needs (directly or through fasthttp), with the
# Debian package that ships its source.
readonly -a go_sources=(
    "github.com/valyala/fasthttp golang-github-valyala-fasthttp-dev"
    "github.com/valyala/fasthttp/prefork golang-github-valyala-fasthttp-dev"
    "github.com/valyala/bytebufferpool golang-github-valyala-bytebufferpool-dev"
    "github.com/valyala/tcplisten golang-github-valyala-tcplisten-dev"
    "github.com/klauspost/compress golang-github-klauspost-compress-dev"
    "github.com/andybalholm/brotli golang-github-andybalholm-brotli-dev"
)

check_toolchain() {
    command -v go >/dev/null 2>&1 ||
        die "the go command is missing: install golang-go (listed in deps/debian-packages.txt; run make deps)"
    command -v flock >/dev/null 2>&1 || die "flock is missing: install util-linux"
}

check_sources() {
    local entry import_path package missing=()
    for entry in "${go_sources[@]}"; do
        import_path=${entry% *}
        package=${entry#* }
        if [[ ! -d "$gocode/src/$import_path" ]]; then
            missing+=("$package (for $import_path)")
        fi
    done
    if ((${#missing[@]} > 0)); then
        die "Go library source missing under $gocode/src: install ${missing[*]}"
    fi
}

# build_peer NAME: builds bench/peers/NAME into build/peers/NAME-peer.
build_peer() {
    local name=$1
    local gopath
    # A private first GOPATH entry keeps `go` from writing into /usr/share/gocode; the
    # build cache lives in build/ so a clean clone rebuilds nothing twice.
    gopath="$out_dir/gopath"
    mkdir -p "$gopath" "$out_dir/gocache"
    echo "build-go-peers: building $name-peer ($(go version | cut -d' ' -f3))"
    # GOPATH mode takes a package outside GOPATH only as a relative path, hence the cd.
    (cd "$repo" &&
        GO111MODULE=off GOFLAGS='' GOPROXY=off GOPATH="$gopath:$gocode" GOCACHE="$out_dir/gocache" \
            CGO_ENABLED=0 flock "$lock" go build -trimpath -o "$out_dir/$name-peer" "./bench/peers/$name")
    echo "build-go-peers: wrote ${out_dir#"$repo"/}/$name-peer"
}

main() {
    check_toolchain
    check_sources
    mkdir -p "$out_dir"
    build_peer fasthttp
}

main "$@"
