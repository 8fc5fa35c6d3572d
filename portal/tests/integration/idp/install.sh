#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs the test provider's npm packages (package-lock.json pins them)
# when node_modules is missing. Tests call it; it needs npm and a registry.
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$here/node_modules/oidc-provider" ] && exit 0
cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2
