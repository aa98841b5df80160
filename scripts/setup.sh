#!/bin/sh
# setup.sh [BUILD_DIR [CMAKE_ARGS...]] — installs what mileage needs to build
# (Debian packages, with apt-get, only those missing), then configures and
# builds with CMake.  Used by example.sh and test.sh; safe to run again.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build"}
[ $# -gt 0 ] && shift

pkgs="gcc make cmake pkg-config flex bison libsqlite3-dev sqlite3 libopenblas-dev liblapacke-dev libreadline-dev valgrind"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing:$missing"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

cmake -S "$root" -B "$build" "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
