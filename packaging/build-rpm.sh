#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the binary RPM package of vnet (make rpm).
#
#   packaging/build-rpm.sh [OUTDIR]      (default: build/packages)
#
# Makes Source0 (vnet-VERSION.tar.gz) from the source tree as it is now, runs
# rpmbuild -bb packaging/rpm/vnet.spec in a temporary _topdir, and copies the
# .rpm files to OUTDIR. The repository itself is left untouched.
#
# On Debian (package rpm) the RPM database does not know the BuildRequires,
# which are Debian packages there: the build then uses --nodeps. Set
# RPMBUILD_NODEPS=0 or 1 to force the choice. KEEP_TMP=1 keeps the temporary
# directory.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/packages}
mkdir -p "$out"
out=$(cd "$out" && pwd)
spec=$top/packaging/rpm/vnet.spec

command -v rpmbuild >/dev/null || {
    echo "build-rpm: rpmbuild is missing: apt-get install rpm (Debian) or dnf install rpm-build" >&2
    exit 1
}

version=$(sed -n 's/^Version:[[:space:]]*//p' "$spec" | head -n 1)
[ -n "$version" ] || { echo "build-rpm: no Version: in $spec" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vnet-rpm.XXXXXX")
if [ "${KEEP_TMP:-0}" = 1 ]; then
    echo "build-rpm: keeping $tmp"
else
    trap 'rm -rf "$tmp"' EXIT
fi
mkdir -p "$tmp/SOURCES" "$tmp/tree"
"$top/packaging/export-tree.sh" "$tmp/tree/vnet-$version"
tar -C "$tmp/tree" --owner=0 --group=0 --numeric-owner -czf "$tmp/SOURCES/vnet-$version.tar.gz" "vnet-$version"

nodeps=${RPMBUILD_NODEPS:-}
if [ -z "$nodeps" ]; then
    if [ -r /etc/debian_version ]; then nodeps=1; else nodeps=0; fi
fi
opts=()
[ "$nodeps" = 1 ] && opts+=(--nodeps)

echo "build-rpm: rpmbuild -bb ${opts[*]} $spec"
rpmbuild -bb "${opts[@]}" \
    --define "_topdir $tmp" \
    --define "_sourcedir $tmp/SOURCES" \
    --define "_smp_mflags -j$(nproc 2>/dev/null || echo 1)" \
    "$spec"

shopt -s nullglob
files=("$tmp"/RPMS/*/*.rpm)
[ ${#files[@]} -gt 0 ] || { echo "build-rpm: no package was built" >&2; exit 1; }
rm -f "$out"/vnet-*"$version"-*.rpm
cp "${files[@]}" "$out/"
echo "build-rpm: in $out:"
for f in "${files[@]}"; do echo "  ${f##*/}"; done
