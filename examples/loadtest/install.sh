#!/usr/bin/env bash
# Installs what the load test drives: Debian's wrk, the HTTP load generator
# whose Lua scripting posts the captured envelopes. The test itself is Go
# and needs nothing else. Safe to run repeatedly.
set -euo pipefail

# sudo only when not already root (CI containers usually are).
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi

# apt-get update is slow; skip it and the install when wrk is already there.
if ! command -v wrk >/dev/null; then
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends wrk
fi

echo "loadtest: installed $(wrk -v 2>&1 | head -n 1)"
