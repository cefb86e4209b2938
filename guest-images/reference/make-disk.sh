#!/usr/bin/env bash
# Creates the raw disk image the `ata` reference runs on (manifest column 7, `disk:SIZE`).
#
#   make-disk.sh FILE MIB
#
# FILE gets MIB MiB of 512-byte sectors. Byte j of sector k is (k + j) mod 256, except bytes 0-3,
# which hold k as a little-endian 32-bit number. The `ata` guest writes to the disk, so every run
# starts from a new file.
set -euo pipefail
if [[ $# -ne 2 ]]; then
    echo "usage: $0 FILE MIB" >&2
    exit 2
fi
python3 - "$1" "$2" <<'PY'
import struct
import sys

path, mib = sys.argv[1], int(sys.argv[2])
with open(path, "wb") as out:
    for k in range(mib * 2048):
        sector = bytearray((k + j) & 0xFF for j in range(512))
        sector[0:4] = struct.pack("<I", k)
        out.write(sector)
PY
