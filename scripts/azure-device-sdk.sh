#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs Microsoft's Node.js device SDK, exactly as pinned in
# tests/azure-device-sdk/package-lock.json, for tst_azuredevicesdk (ctest
# label `sdk`). Needs node and npm (Debian: apt-get install nodejs npm).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../tests/azure-device-sdk"
command -v npm >/dev/null || { echo "azure-device-sdk: npm is not installed" >&2; exit 2; }
exec npm ci --no-audit --no-fund
