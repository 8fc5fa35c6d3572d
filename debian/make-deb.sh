#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: the Debian packages fz-dkms, fzagent and fzportal, built with
# dpkg-buildpackage from a copy of this tree's files (git ls-files: the
# committed ones as they are now, and new ones not ignored), so the
# tree's own build outputs neither leak in nor get cleaned away.
#   debian/make-deb.sh OUTDIR     the .deb files land in OUTDIR
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: make-deb.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
for t in git dpkg-buildpackage dh dh_dkms; do
	command -v "$t" >/dev/null ||
		{ echo "make deb: $t missing (bash .ci/install-deps.sh)" >&2; exit 1; }
done
git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 ||
	{ echo "make deb: $repo is not a git checkout" >&2; exit 1; }
rm -rf "$out/src" "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mkdir -p "$out/src"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	cpio -0pdm --quiet "$out/src")
cd "$out/src"
dpkg-buildpackage -b -uc -us -j"$(nproc)" >"$out/build.log" 2>&1 || {
	tail -30 "$out/build.log" >&2
	echo "make deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
rm -rf "$out/src"
ls "$out"/*.deb
