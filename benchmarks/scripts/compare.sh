#!/usr/bin/env bash
# Runs the `bench` guest image under Twinstep, qemu-system-i386 (TCG) and Bochs, checks that all
# three print the same checksums, and prints median wall times, Twinstep's guest MIPS and ratios.
# Not part of the test suite: it takes minutes and its numbers depend on the machine.
#
# Usage: benchmarks/scripts/compare.sh [--scale N] [--runs N] [--only twinstep,qemu,bochs]
#                                      [--images DIR] [--keep]
# --images DIR uses prebuilt images (bench.elf and bench-bochs.img) instead of building them.
# Environment: TWINSTEP (launcher, default ./twinstep), QEMU, BOCHS (binaries), TIMEOUT (s per run).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCALE=60
RUNS=3
ONLY=twinstep,qemu,bochs
IMAGES=
KEEP=0
TIMEOUT=${TIMEOUT:-900}
QEMU=${QEMU:-qemu-system-i386}
export BOCHS=${BOCHS:-bochs}
TWINSTEP=${TWINSTEP:-$ROOT/twinstep}

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

die() {
    echo "compare.sh: $*" >&2
    exit 1
}

while [[ $# -gt 0 ]]; do
    case $1 in
        --scale) SCALE=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --only) ONLY=$2; shift 2 ;;
        --images) IMAGES=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage ;;
        *) echo "compare.sh: unknown option '$1'" >&2; usage ;;
    esac
done
[[ $SCALE =~ ^[0-9]+$ && $SCALE -gt 0 ]] || die "--scale needs a positive integer"
[[ $RUNS =~ ^[0-9]+$ && $RUNS -gt 0 ]] || die "--runs needs a positive integer"

enabled() {
    [[ ",$ONLY," == *",$1,"* ]]
}

WORK=$(mktemp -d)
if [[ $KEEP -eq 0 ]]; then
    trap 'rm -rf "$WORK"' EXIT
else
    echo "compare.sh: keeping outputs in $WORK" >&2
fi

if [[ -z $IMAGES ]]; then
    IMAGES=$WORK/images
    bash "$ROOT/guest-images/build.sh" "$IMAGES" "$WORK/obj" >/dev/null
fi
[[ -f $IMAGES/bench.elf ]] || die "no bench.elf in $IMAGES"
APPEND="scale=$SCALE"

now_ns() {
    date +%s%N
}

# run_twinstep N: one Twinstep run; transcript in $WORK/twinstep-N.txt, stderr in .err
run_twinstep() {
    (cd "$IMAGES" && timeout "$TIMEOUT" "$TWINSTEP" run --kernel bench.elf --append "$APPEND" --stats \
        >"$WORK/twinstep-$1.txt" 2>"$WORK/twinstep-$1.err") || true
}

run_qemu() {
    (cd "$IMAGES" && timeout "$TIMEOUT" "$QEMU" -machine pc -accel tcg -m 128 -kernel bench.elf -append "$APPEND" \
        -display none -serial "file:$WORK/qemu-$1.txt" -monitor none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04) || true
}

run_bochs() {
    timeout "$TIMEOUT" bash "$ROOT/guest-images/run-bochs.sh" "$IMAGES/bench-bochs.img" "$WORK/bochs-$1.txt" "bench.elf $APPEND" \
        || die "the Bochs run failed"
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A WALL=()
declare -A TRANSCRIPT=()

# measure NAME: runs NAME RUNS times, records the median wall time and checks every transcript
measure() {
    local name=$1 times=() i start end
    for ((i = 1; i <= RUNS; i++)); do
        start=$(now_ns)
        "run_$name" "$i"
        end=$(now_ns)
        times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')")
        local out=$WORK/$name-$i.txt
        grep -q '^total: ' "$out" 2>/dev/null || die "$name run $i printed no total checksum (see $out; --keep keeps it)"
        if [[ $i -eq 1 ]]; then
            TRANSCRIPT[$name]=$out
        elif ! cmp -s "$out" "${TRANSCRIPT[$name]}"; then
            die "$name run $i printed different output than run 1"
        fi
        echo "compare.sh: $name run $i: ${times[-1]} s" >&2
    done
    WALL[$name]=$(printf '%s\n' "${times[@]}" | median)
}

command -v "$QEMU" >/dev/null 2>&1 || ! enabled qemu || die "$QEMU not found (apt-get install qemu-system-x86)"
command -v "$BOCHS" >/dev/null 2>&1 || ! enabled bochs || die "$BOCHS not found (apt-get install bochs bochsbios vgabios)"
if enabled twinstep; then
    [[ -x $TWINSTEP ]] || die "$TWINSTEP not found or not executable"
    # The launcher builds on first use; do that outside the timed runs.
    "$TWINSTEP" --version >/dev/null 2>&1 || die "'$TWINSTEP --version' failed; build the project first"
fi
if enabled bochs; then
    [[ -f $IMAGES/bench-bochs.img ]] || die "no bench-bochs.img in $IMAGES"
fi

for name in twinstep qemu bochs; do
    enabled "$name" && measure "$name"
done

# Every emulator must compute the same checksums (the first lines just echo the scale).
reference=
for name in twinstep qemu bochs; do
    [[ -v "TRANSCRIPT[$name]" ]] || continue
    if [[ -z $reference ]]; then
        reference=$name
    elif ! cmp -s <(grep -E '^[a-z0-9]+: [0-9a-f]{8}$' "${TRANSCRIPT[$name]}") \
                  <(grep -E '^[a-z0-9]+: [0-9a-f]{8}$' "${TRANSCRIPT[$reference]}"); then
        diff <(cat "${TRANSCRIPT[$reference]}") <(cat "${TRANSCRIPT[$name]}") >&2 || true
        die "$name and $reference disagree on the checksums"
    fi
done

echo "bench scale=$SCALE, $RUNS run(s) each, median wall time per process (boot + run + exit)"
echo "checksum: $(grep '^total: ' "${TRANSCRIPT[$reference]}" | cut -d' ' -f2) (same in every emulator)"
printf '%-10s %10s\n' emulator "wall s"
for name in twinstep qemu bochs; do
    [[ -v "WALL[$name]" ]] && printf '%-10s %10s\n' "$name" "${WALL[$name]}"
done

if [[ -v "WALL[twinstep]" ]]; then
    stats=$(grep -h 'MIPS' "$WORK"/twinstep-*.err | tail -n 1 || true)
    mips=$(sed -n 's/.*[ ,]\([0-9.]*\) MIPS.*/\1/p' <<<"$stats")
    instructions=$(sed -n 's/.*instructions \([0-9]*\).*/\1/p' <<<"$stats")
    echo "twinstep --stats (last run): ${stats:-not reported}"
    [[ -n $mips ]] && echo "twinstep guest MIPS: $mips"
    for other in qemu bochs; do
        if [[ -v "WALL[$other]" ]]; then
            ratio=$(awk -v a="${WALL[twinstep]}" -v b="${WALL[$other]}" 'BEGIN { printf "%.2f", a / b }')
            echo "twinstep/$other wall time: $ratio (above 1: Twinstep is slower)"
            if [[ -n $instructions ]]; then
                awk -v n="$instructions" -v t="${WALL[$other]}" -v o="$other" \
                    'BEGIN { printf "%s equivalent MIPS (Twinstep instruction count / %s wall time): %.1f\n", o, o, n / t / 1e6 }'
            fi
        fi
    done
fi
