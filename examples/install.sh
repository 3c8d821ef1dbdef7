#!/usr/bin/env bash
# Installs everything the examples' tests drive, on a fresh Debian 12 machine:
# the real SDKs and their runtimes (sdkcapture/install.sh), Debian's wrk for
# the ingest load run (loadtest/install.sh) and Debian's nats-server for the
# JetStream scale-out (natsworker/install.sh). Each script skips what is
# already there, so this is quick to run again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for script in sdkcapture/install.sh loadtest/install.sh natsworker/install.sh; do
	bash "$here/$script"
done
