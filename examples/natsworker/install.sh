#!/usr/bin/env bash
# Installs what the NATS tests (examples/natsworker, and examples/ingest's
# -nats mode) start as a separate process: nats-server with JetStream, from
# Debian's package (2.9.10 on Debian 12, which has every JetStream feature
# the examples use: work-queue streams, durable pull consumers, explicit
# acks, Nats-Msg-Id de-duplication). The tests find it on PATH, or at
# $NATS_SERVER. Safe to run repeatedly; quick when it is already there.
set -euo pipefail

# sudo only when not already root (CI containers usually are).
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi

if ! command -v nats-server >/dev/null; then
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends nats-server
fi

echo "natsworker: installed $(nats-server --version)"
