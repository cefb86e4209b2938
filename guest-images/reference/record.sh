#!/usr/bin/env bash
# Records the QEMU reference transcripts the Twinstep tests compare against.
#
#   reference/record.sh [NAME...]      (default: every image in the manifest below)
#
# Builds the images with ../build.sh into a scratch directory, runs each under qemu-system-i386 and
# writes reference/NAME.txt (the COM1 transcript, byte for byte) and reference/manifest.tsv
# (NAME<TAB>exit status<TAB>memory MiB<TAB>-append string<TAB>QEMU version).
#
# The kernel is passed as the bare file name NAME.elf from the image directory: QEMU's multiboot
# loader hands the guest the command line "<kernel path> <append>", so the `hello` transcript shows
# "hello.elf <append>". A loader that wants the same transcript must do the same.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
QEMU=${QEMU:-qemu-system-i386}
MEMORY_MIB=128

# NAME and the -append string recorded for it. Keep in step with the Twinstep tests.
declare -A APPEND=(
    [hello]="mode=reference answer=42"
    [bench]="scale=1"
    [cpucheck]=""
)
ORDER=(hello bench cpucheck)

command -v "$QEMU" >/dev/null 2>&1 || { echo "record.sh: $QEMU not found (apt-get install qemu-system-x86)" >&2; exit 1; }
QEMU_VERSION=$("$QEMU" --version | head -n 1)

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
bash "$HERE/../build.sh" "$SCRATCH/images" "$SCRATCH/work" >/dev/null

names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=("${ORDER[@]}")

MANIFEST=$HERE/manifest.tsv
declare -A STATUS_OF=()
if [[ -f "$MANIFEST" ]]; then
    while IFS=$'\t' read -r name status _; do
        [[ $name == \#* ]] || STATUS_OF[$name]=$status
    done <"$MANIFEST"
fi

for name in "${names[@]}"; do
    [[ -v "APPEND[$name]" ]] || { echo "record.sh: unknown image '$name'" >&2; exit 1; }
    [[ -f "$SCRATCH/images/$name.elf" ]] || { echo "record.sh: $name.elf was not built" >&2; exit 1; }
    set +e
    (cd "$SCRATCH/images" && timeout 300 "$QEMU" -machine pc -m "$MEMORY_MIB" -kernel "$name.elf" \
        -append "${APPEND[$name]}" -display none -serial "file:$SCRATCH/$name.txt" -monitor none \
        -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04)
    status=$?
    set -e
    [[ $status -ne 124 ]] || { echo "record.sh: $name timed out" >&2; exit 1; }
    cp "$SCRATCH/$name.txt" "$HERE/$name.txt"
    STATUS_OF[$name]=$status
    echo "record.sh: $name exit status $status, $(wc -l <"$HERE/$name.txt") lines"
done

{
    printf '# name\texit status\tmemory MiB\tappend\tqemu\n'
    for name in "${ORDER[@]}"; do
        [[ -v "STATUS_OF[$name]" ]] || continue
        printf '%s\t%s\t%s\t%s\t%s\n' "$name" "${STATUS_OF[$name]}" "$MEMORY_MIB" "${APPEND[$name]}" "$QEMU_VERSION"
    done
} >"$MANIFEST"
