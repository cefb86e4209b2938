#!/usr/bin/env bash
# Runs the kvstore guest under qemu-system-i386 (the reference for Twinstep's virtio-net and ATA).
#
#   run-kvstore-qemu.sh KVSTORE_ELF DISK [HOST_PORT]
#
# DISK is a raw image used as the primary IDE master; it is created (64 MiB, sparse, zeroed) when
# missing, and keeps the change log across runs. The service is reachable on
# 127.0.0.1:HOST_PORT (default 9000) over UDP through QEMU user networking:
#   twinstep kv-client --target 127.0.0.1:HOST_PORT
# The guest serves forever; stop QEMU with Ctrl-C (or kill it): the log survives.
set -euo pipefail
if [[ $# -lt 2 ]]; then
    echo "usage: $0 KVSTORE_ELF DISK [HOST_PORT]" >&2
    exit 2
fi
ELF=$1
DISK=$2
PORT=${3:-9000}
QEMU=${QEMU:-qemu-system-i386}
if [[ ! -f "$DISK" ]]; then
    truncate -s 64M "$DISK"
fi
exec "$QEMU" -machine pc -m 128 -kernel "$ELF" -display none -serial stdio -monitor none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -drive file="$DISK",format=raw,if=ide,index=0 \
    -netdev user,id=n0,hostfwd=udp:127.0.0.1:"$PORT"-:9000 \
    -device virtio-net-pci,netdev=n0,disable-modern=on
