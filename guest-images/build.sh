#!/usr/bin/env bash
# Builds the Twinstep guest images with the machine's gcc and binutils (freestanding i386 code).
#
#   build.sh OUTPUT_DIR [WORK_DIR [BOCHS_DIR]]
#
# OUTPUT_DIR receives NAME.elf for every multiboot image and index.txt (NAME<TAB>description).
# WORK_DIR holds object files (default: OUTPUT_DIR/../guest-obj). BOCHS_DIR (default: OUTPUT_DIR)
# receives NAME-bochs.img for bench, cpucheck and smc: boot floppies that run those images in
# Bochs, which has no multiboot loader (see src/bochs and run-bochs.sh).
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 OUTPUT_DIR [WORK_DIR [BOCHS_DIR]]" >&2
    exit 2
fi
OUT=$1
WORK=${2:-$OUT/../guest-obj}
BOCHS_OUT=${3:-$OUT}
SRC=$(cd "$(dirname "$0")/src" && pwd)

fail() {
    echo "guest-images: $*" >&2
    exit 1
}

CC=${CC:-gcc}
LD=${LD:-ld}
OBJCOPY=${OBJCOPY:-objcopy}
for tool in "$CC" "$LD" "$OBJCOPY"; do
    command -v "$tool" >/dev/null 2>&1 \
        || fail "'$tool' not found: install gcc and binutils (the guest images are built with gcc -m32 and ld -m elf_i386)."
done

CFLAGS=(-m32 -march=i686 -mno-mmx -mno-sse -mno-80387 -mgeneral-regs-only
        -ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector
        -fno-asynchronous-unwind-tables -fno-builtin -O2 -std=gnu11 -Wall -Wextra
        -I"$SRC/common" -I"$SRC/devlib")
LDFLAGS=(-m elf_i386 -nostdlib --build-id=none -z noexecstack --no-warn-rwx-segments)

mkdir -p "$OUT" "$WORK" "$BOCHS_OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(cd "$WORK" && pwd)
BOCHS_OUT=$(cd "$BOCHS_OUT" && pwd)

# Fail early and clearly when the toolchain cannot produce 32-bit code.
probe=$WORK/probe
mkdir -p "$probe"
echo 'int probe(int x) { return x + 1; }' >"$probe/probe.c"
"$CC" "${CFLAGS[@]}" -c "$probe/probe.c" -o "$probe/probe.o" 2>"$probe/cc.log" \
    || fail "'$CC' cannot compile 32-bit code (-m32): $(head -n 3 "$probe/cc.log")"
"$LD" -m elf_i386 -r "$probe/probe.o" -o "$probe/probe-r.o" 2>"$probe/ld.log" \
    || fail "'$LD' cannot link elf_i386 objects: $(head -n 3 "$probe/ld.log")"

COMMON=(common/multiboot.S common/runtime.c common/serial.c common/format.c common/libgcc_helpers.c)

# compile DIR SOURCES... : compiles each source into DIR, prints the object paths
compile() {
    local dir=$1
    shift
    mkdir -p "$dir"
    local src obj
    for src in "$@"; do
        obj=$dir/$(echo "${src%.*}" | tr '/' '_').o
        "$CC" "${CFLAGS[@]}" -c "$SRC/$src" -o "$obj" || fail "compiling $src failed"
        echo "$obj"
    done
}

INDEX=$WORK/index.txt
: >"$INDEX"

# image NAME DESCRIPTION SOURCES... : links a multiboot ELF from the common runtime and SOURCES
image() {
    local name=$1 description=$2
    shift 2
    local objs
    mapfile -t objs < <(compile "$WORK/$name" "${COMMON[@]}" "$@")
    [[ ${#objs[@]} -eq $((${#COMMON[@]} + $#)) ]] || fail "compiling $name failed"
    "$LD" "${LDFLAGS[@]}" -T "$SRC/common/guest.ld" -o "$OUT/$name.elf" "${objs[@]}" \
        || fail "linking $name failed"
    printf '%s\t%s\n' "$name" "$description" >>"$INDEX"
}

image hello "Greets and prints the multiboot info (flags, memory sizes, command line, memory map)." \
    hello/hello.c
if [[ -f "$SRC/bench/bench.c" ]]; then
    image bench "CPU-bound mix (sieve, CRC32, matrix, sort, bytecode VM, division) with checksums; scale=N on the command line." \
        bench/bench.c
fi
if [[ -f "$SRC/cpucheck/cpucheck.c" ]]; then
    mapfile -t cpucheck_sources < <(cd "$SRC" && ls cpucheck/*.c cpucheck/*.S)
    image cpucheck "Protected-mode CPU self-check: ALU flags, string ops, exceptions, paging, privilege, tasks." \
        "${cpucheck_sources[@]}"
fi
image smc "Self-modifying code: hot routines, stores into the running block, alias mappings, page-straddling code." \
    smc/smc.c
# Device guests: drive the PIC, PIT, RTC, UART and ATA disk through interrupts like a kernel.
DEVLIB=(devlib/devlib.c devlib/irq_stubs.S)
image uartirq "Interrupt-driven COM1: PIC setup, THRE-driven transmit ring, loopback receive through interrupts." \
    "${DEVLIB[@]}" uartirq/uartirq.c
image timer "PIT modes 0/2/3 with IRQ0, latch and read-back commands, channel 2 via port 0x61, CMOS and RTC periodic IRQ8." \
    "${DEVLIB[@]}" timer/timer.c
image ata "ATA PIO driver on the primary master: IDENTIFY, READ/WRITE SECTORS and MULTIPLE, errors, FLUSH; polled and with IRQ14." \
    "${DEVLIB[@]}" ata/ata.c
image lapic "MP tables parsed and checked, local APIC timer one-shot and periodic, TPR with a self IPI, PIT IRQ 0 through IOAPIC pin 2." \
    "${DEVLIB[@]}" lapic/lapic.c
image kvstore "COLO demo service: UDP key/value store on 10.0.2.15:9000 over legacy virtio-net, change log on the ATA disk." \
    "${DEVLIB[@]}" kvstore/kvstore.c kvstore/virtio_net.c kvstore/net.c kvstore/disk.c kvstore/store.c kvstore/log.c
image udpecho "UDP echo server or client (mode=server|client ip= peer= count= port=) over legacy virtio-net, for stream-wire interop." \
    "${DEVLIB[@]}" udpecho/udpecho.c kvstore/virtio_net.c kvstore/net.c
if [[ -f "$SRC/bochs/bootsector.S" && -f "$SRC/bench/bench.c" ]]; then
    # shellcheck source=src/bochs/build-floppy.sh
    source "$SRC/bochs/build-floppy.sh"
fi

cp "$INDEX" "$OUT/index.txt"
echo "guest-images: built $(cut -f1 "$OUT/index.txt" | tr '\n' ' ')into $OUT"
