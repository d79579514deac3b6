#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the binary Debian package of vnet (make deb).
#
#   packaging/build-deb.sh [OUTDIR]      (default: build/packages)
#
# The repository keeps its Debian packaging in packaging/debian/, not at the
# top: this script copies the source tree into a temporary directory, puts
# packaging/debian/ there as debian/, runs dpkg-buildpackage -b -us -uc in
# it, and copies the .deb, .buildinfo and .changes files to OUTDIR. The
# repository itself is left untouched.
#
# Needs dpkg-dev and debhelper, plus the Build-Depends of debian/control
# (packaging/check-packages.sh installs them all).
# Environment: DEB_BUILD_OPTIONS (default: parallel=<number of CPUs>),
# KEEP_TMP=1 keeps the temporary build directory.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/packages}
mkdir -p "$out"
out=$(cd "$out" && pwd)

for tool in dpkg-buildpackage dpkg-parsechangelog dh; do
    command -v "$tool" >/dev/null || {
        echo "build-deb: $tool is missing: apt-get install dpkg-dev debhelper" >&2
        exit 1
    }
done

version=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)
upstream=${version%-*}
arch=$(dpkg-architecture -qDEB_HOST_ARCH)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vnet-deb.XXXXXX")
if [ "${KEEP_TMP:-0}" = 1 ]; then
    echo "build-deb: keeping $tmp"
else
    trap 'rm -rf "$tmp"' EXIT
fi
src=$tmp/vnet-$upstream

"$top/packaging/export-tree.sh" "$src"
rm -rf "$src/debian"
cp -a "$top/packaging/debian" "$src/debian"

export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-parallel=$(nproc 2>/dev/null || echo 1)}
echo "build-deb: dpkg-buildpackage -b -us -uc in $src (DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS)"
(cd "$src" && dpkg-buildpackage -b -us -uc)

shopt -s nullglob
files=("$tmp"/*_"$version"_*.deb "$tmp"/*_"$version"_*.buildinfo "$tmp"/*_"$version"_*.changes)
[ -e "$tmp/vnet_${version}_${arch}.deb" ] || {
    echo "build-deb: vnet_${version}_${arch}.deb was not built" >&2
    exit 1
}
# Replace the results of earlier builds of this version.
rm -f "$out"/*_"$version"_*.deb "$out"/*_"$version"_*.buildinfo "$out"/*_"$version"_*.changes
cp "${files[@]}" "$out/"
echo "build-deb: in $out:"
for f in "${files[@]}"; do echo "  ${f##*/}"; done
