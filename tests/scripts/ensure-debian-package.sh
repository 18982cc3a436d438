#!/usr/bin/env bash
# Installs a Debian package a test needs when its command is missing (apt-get update first).
# Usage: ensure-debian-package.sh <command> <package>. Fails loudly when it cannot.
set -euo pipefail
command="$1"
package="$2"
if command -v "$command" >/dev/null 2>&1; then
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || { echo "'$command' is missing and apt-get is not available: install the Debian package '$package'." >&2; exit 1; }
as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo -n)
"${as_root[@]}" apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "$package" >&2
command -v "$command" >/dev/null 2>&1 || { echo "installed '$package' but '$command' is still missing" >&2; exit 1; }
