#!/usr/bin/env bash
# Builds the Go peers into build/peers/, offline: fasthttp-peer (valyala/fasthttp, also
# the prefork peer: -prefork) and nethttp-peer (the standard library's net/http).
#
# Debian ships Go libraries as source under /usr/share/gocode (golang-*-dev packages) and
# no module proxy is reachable, so the build runs in GOPATH mode against that tree. The
# peers' shared package (bench/peers/pooldump: loading the dump, /compute) is reached
# through a private GOPATH entry in build/peers/gopath, where bench/peers is linked as
# src/rpslab/bench/peers; the peers import it as "rpslab/bench/peers/pooldump".
#
# A peer whose binary is newer than its sources, the shared package, this script and the
# Go toolchain is not rebuilt, so the tests can call this before every run. The compiler
# shares the 2 cores with everyone else: a build holds /tmp/rpslab-cpu.lock (unless a
# caller already holds it: `flock /tmp/rpslab-cpu.lock ...` or RPSLAB_CPU_LOCK_HELD=1).
#
# Usage: bench/peers/build-go-peers.sh [--force] [PEER...]   (PEER: fasthttp, nethttp;
#        default both). Exit 1, naming the Debian package to install, when a toolchain or
#        library source is missing, or when a build fails.
set -euo pipefail

PROG=build-go-peers
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=bench/lib/common.sh
source "$REPO/bench/lib/common.sh"

readonly gocode=/usr/share/gocode
readonly out_dir="$REPO/build/peers"
readonly gopath="$out_dir/gopath"
readonly peers_dir="$REPO/bench/peers"
readonly -a all_peers=(fasthttp nethttp)

# Each Go import path a peer needs (directly or through its libraries), with the Debian
# package that ships its source. nethttp needs the standard library only (golang-go).
declare -A go_sources=(
    [fasthttp]="github.com/valyala/fasthttp=golang-github-valyala-fasthttp-dev
github.com/valyala/fasthttp/prefork=golang-github-valyala-fasthttp-dev
github.com/valyala/bytebufferpool=golang-github-valyala-bytebufferpool-dev
github.com/valyala/tcplisten=golang-github-valyala-tcplisten-dev
github.com/klauspost/compress=golang-github-klauspost-compress-dev
github.com/andybalholm/brotli=golang-github-andybalholm-brotli-dev"
    [nethttp]=""
)

check_toolchain() {
    command -v go >/dev/null 2>&1 ||
        die "the go command is missing: install golang-go (listed in deps/debian-packages.txt; run make deps)"
    command -v flock >/dev/null 2>&1 || die "flock is missing: install util-linux"
}

# check_sources PEER: the library sources PEER needs are installed.
check_sources() {
    local entry import_path package missing=()
    while IFS= read -r entry; do
        [[ -n $entry ]] || continue
        import_path=${entry%%=*}
        package=${entry#*=}
        if [[ ! -d "$gocode/src/$import_path" ]]; then
            missing+=("$package (for $import_path)")
        fi
    done <<<"${go_sources[$1]}"
    if ((${#missing[@]} > 0)); then
        die "$1-peer: Go library source missing under $gocode/src: install ${missing[*]}"
    fi
}

# up_to_date PEER: its binary exists and nothing it is built from changed since.
up_to_date() {
    local bin="$out_dir/$1-peer" go_bin newer
    [[ -x $bin ]] || return 1
    go_bin=$(readlink -f "$(command -v go)")
    newer=$(find "$peers_dir/$1" "$peers_dir/pooldump" "${BASH_SOURCE[0]}" "$go_bin" \
        -newer "$bin" -print -quit 2>/dev/null)
    [[ -z $newer ]]
}

# link_shared: bench/peers as src/rpslab/bench/peers of the private GOPATH entry.
link_shared() {
    mkdir -p "$gopath/src/rpslab/bench"
    ln -sfn "$peers_dir" "$gopath/src/rpslab/bench/peers"
}

# build_peer NAME: builds bench/peers/NAME into build/peers/NAME-peer.
build_peer() {
    local name=$1
    mkdir -p "$out_dir/gocache"
    log "building $name-peer ($(go version | cut -d' ' -f3))"
    # The private GOPATH entry comes first, so `go` never writes into /usr/share/gocode;
    # the build cache lives in build/, so a clean clone rebuilds nothing twice. The peer
    # is named by its import path, so it and pooldump are one GOPATH workspace.
    GO111MODULE=off GOFLAGS='' GOPROXY=off GOPATH="$gopath:$gocode" GOCACHE="$out_dir/gocache" \
        CGO_ENABLED=0 go build -trimpath -o "$out_dir/$name-peer.tmp" "rpslab/bench/peers/$name" ||
        die "building $name-peer failed (see the compiler's messages above)"
    mv -f "$out_dir/$name-peer.tmp" "$out_dir/$name-peer"
    log "wrote ${out_dir#"$REPO"/}/$name-peer"
}

main() {
    local force=0 peer
    local -a peers=()
    while (($# > 0)); do
        case $1 in
        --force) force=1 ;;
        fasthttp | nethttp) peers+=("$1") ;;
        *) die "usage: build-go-peers.sh [--force] [fasthttp|nethttp ...] (unknown argument $1)" ;;
        esac
        shift
    done
    ((${#peers[@]} > 0)) || peers=("${all_peers[@]}")
    check_toolchain
    for peer in "${peers[@]}"; do
        check_sources "$peer"
    done
    mkdir -p "$out_dir"
    link_shared
    for peer in "${peers[@]}"; do
        if ((!force)) && up_to_date "$peer"; then
            log "${out_dir#"$REPO"/}/$peer-peer is up to date"
            continue
        fi
        hold_cpu_lock
        build_peer "$peer"
    done
}

main "$@"
