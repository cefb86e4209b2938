#!/usr/bin/env bash
# Runs one of the Bochs boot floppies built by build.sh (NAME-bochs.img) under Bochs 2.7.
#
#   run-bochs.sh FLOPPY_IMG SERIAL_OUT [COMMAND_LINE]
#
# Writes COM1 output to SERIAL_OUT and returns when the guest shuts Bochs down (port 0x8900).
# COMMAND_LINE goes into sector 1 of a scratch copy of the floppy, where the boot sector finds it;
# write it as QEMU would hand it over ("NAME.elf args") so guests see the same string.
# Environment: BOCHS (binary), BOCHS_BIOS, BOCHS_VGABIOS, BOCHS_LOG (default: discarded).
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 FLOPPY_IMG SERIAL_OUT [COMMAND_LINE]" >&2
    exit 2
fi
FLOPPY=$1
SERIAL=$2
CMDLINE=${3:-}
BOCHS=${BOCHS:-bochs}
BOCHS_BIOS=${BOCHS_BIOS:-/usr/share/bochs/BIOS-bochs-latest}
BOCHS_VGABIOS=${BOCHS_VGABIOS:-/usr/share/vgabios/vgabios.bin}
BOCHS_LOG=${BOCHS_LOG:-/dev/null}

fail() {
    echo "run-bochs.sh: $*" >&2
    exit 1
}
command -v "$BOCHS" >/dev/null 2>&1 || fail "'$BOCHS' not found (apt-get install bochs bochsbios vgabios)"
[[ -f $BOCHS_BIOS ]] || fail "Bochs BIOS $BOCHS_BIOS not found (apt-get install bochsbios)"
[[ -f $BOCHS_VGABIOS ]] || fail "VGA BIOS $BOCHS_VGABIOS not found (apt-get install vgabios)"
[[ -f $FLOPPY ]] || fail "floppy image $FLOPPY not found"
((${#CMDLINE} < 511)) || fail "command line longer than 510 bytes"

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
cp "$FLOPPY" "$SCRATCH/floppy.img"
printf '%s\0' "$CMDLINE" | dd of="$SCRATCH/floppy.img" bs=1 seek=512 conv=notrunc status=none
: >"$SERIAL"
SERIAL=$(cd "$(dirname "$SERIAL")" && pwd)/$(basename "$SERIAL")

# Debian's Bochs has no nogui library: rfb with a zero connection timeout never waits for a
# viewer. Its ALSA sound plugin aborts without a sound card, hence the dummy drivers.
cat >"$SCRATCH/bochsrc" <<RC
megs: 128
romimage: file=$BOCHS_BIOS
vgaromimage: file=$BOCHS_VGABIOS
floppya: 1_44=$SCRATCH/floppy.img, status=inserted
boot: floppy
display_library: rfb, options="timeout=0"
log: $BOCHS_LOG
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
com1: enabled=1, mode=file, dev=$SERIAL
cpu: count=1, ips=100000000
clock: sync=none
mouse: enabled=0
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
RC
# The debugger is compiled in and stops at reset unless told to continue.
printf 'continue\nquit\n' >"$SCRATCH/debugger.rc"
status=0
(cd "$SCRATCH" && "$BOCHS" -q -f bochsrc -rc debugger.rc </dev/null >"$SCRATCH/stdout.txt" 2>&1) || status=$?
if ! grep -q 'Shutdown port: shutdown requested' "$SCRATCH/stdout.txt"; then
    tail -n 20 "$SCRATCH/stdout.txt" >&2
    fail "Bochs stopped without the guest's shutdown request (status $status)"
fi
