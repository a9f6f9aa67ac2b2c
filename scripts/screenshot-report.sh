#!/usr/bin/env bash
# Renders a bench report (report.html from `rpslab bench`) in headless Chromium into a PNG,
# so a run's report can be looked at, and attached, without a desktop. Installs Debian's
# chromium when it is missing (it is not needed by `make test`).
#
# Usage: scripts/screenshot-report.sh DIR [WIDTH HEIGHT]   (writes DIR/report.png)
set -euo pipefail

dir=${1:?usage: scripts/screenshot-report.sh DIR [WIDTH HEIGHT]}
width=${2:-1400} height=${3:-4000}
[[ -f $dir/report.html ]] || { echo "screenshot-report: no $dir/report.html" >&2; exit 1; }
if ! command -v chromium >/dev/null 2>&1; then
    sudo=""
    ((EUID == 0)) || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium
fi
# --no-sandbox: the sandbox needs user namespaces, which containers and root often lack.
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size="$width,$height" --screenshot="$dir/report.png" "file://$(realpath "$dir/report.html")" \
    >/dev/null 2>&1
echo "screenshot-report: wrote $dir/report.png"
