#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copy the vnet source tree (the working tree, as it is now) into DEST, without
# .git and the build directories, for the package builds.
#
#   packaging/export-tree.sh DEST
#
# In a git work tree: the tracked files that still exist plus the untracked
# files that .gitignore does not exclude (so uncommitted work is packaged too).
# Elsewhere (a tarball): every file but .git/, build/, build-asan/.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DEST" >&2; exit 2; }
dest=$1
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
cd "$top"

if command -v git >/dev/null 2>&1 && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do
            if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
        done |
        tar --null --no-recursion -T - -cf - | tar -xf - -C "$dest"
else
    tar --exclude=./.git --exclude=./build --exclude=./build-asan \
        -cf - . | tar -xf - -C "$dest"
fi
