#!/usr/bin/env bash
# Records the reference transcripts the Twinstep tests compare against.
#
#   reference/record.sh [NAME...]      (default: every entry in the table below)
#
# Builds the images with ../build.sh into a scratch directory, runs each entry under its recorder
# and writes reference/NAME.txt (the COM1 transcript, byte for byte) and reference/manifest.tsv:
#
#   NAME <TAB> exit status <TAB> memory MiB <TAB> -append string <TAB> recorder version <TAB> image
#        <TAB> drive
#
# The drive column is "-" (no disk) or "disk:NM": the entry runs with an N MiB raw disk that
# make-disk.sh creates afresh for every run, attached as the primary IDE master
# (-drive file=DISK,format=raw,if=ide,index=0).
#
# The exit status is the emulator's (isa-debug-exit: (code << 1) | 1), or "-" for Bochs, which has no
# isa-debug-exit (the guests stop it through its shutdown port instead).
#
# The pair "udpecho-pair" is recorded apart from the table: two QEMU instances joined by
# -netdev stream (the server with server=on, the client with server=off) run the udpecho guest as
# server and client. It writes udpecho-server.txt, udpecho-client.txt and udpecho-pair.tsv
# (role <TAB> exit status <TAB> memory MiB <TAB> -append string <TAB> recorder version <TAB> image),
# not manifest.tsv, whose rows are single guests.
#
# QEMU entries: the kernel is passed as the bare file name IMAGE.elf from the image directory.
# QEMU's multiboot loader hands the guest the command line "<kernel path> <append>", so `hello`
# prints "hello.elf <append>"; a loader that wants the same transcript must do the same.
# Bochs entries: Bochs has no multiboot loader; the image's boot floppy (see src/bochs) hands the
# guest the same "IMAGE.elf <append>" command line. Bochs is the recorder where QEMU's TCG is known
# to be wrong (it enforces no data-segment limits or rights).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
QEMU=${QEMU:-qemu-system-i386}
MEMORY_MIB=128

# NAME -> "recorder|image|append|drive". Keep in step with the Twinstep tests.
declare -A ENTRY=(
    [hello]="qemu|hello|mode=reference answer=42|-"
    [bench]="qemu|bench|scale=1|-"
    [cpucheck]="qemu|cpucheck||-"
    [cpucheck-segchecks]="bochs|cpucheck|segchecks=1|-"
    [smc]="qemu|smc||-"
    [uartirq]="qemu|uartirq||-"
    [timer]="qemu|timer||-"
    [ata]="qemu|ata||disk:4M"
    [lapic]="qemu|lapic||-"
)
ORDER=(hello bench cpucheck cpucheck-segchecks smc uartirq timer ata lapic)

# Roles of the udpecho pair: -append strings and MACs (QEMU gives every NIC 52:54:00:12:34:56).
PAIR_SERVER_APPEND="mode=server ip=10.0.2.15 peer=10.0.2.16 count=16 port=7000"
PAIR_CLIENT_APPEND="mode=client ip=10.0.2.16 peer=10.0.2.15 count=16 port=7000"

fail() {
    echo "record.sh: $*" >&2
    exit 1
}

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
bash "$HERE/../build.sh" "$SCRATCH/images" "$SCRATCH/work" >/dev/null

names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=("${ORDER[@]}" udpecho-pair)

MANIFEST=$HERE/manifest.tsv
declare -A LINE=()
if [[ -f "$MANIFEST" ]]; then
    while IFS= read -r line; do
        [[ $line == \#* ]] && continue
        # Rows written before the drive column existed had no disk.
        fields=$(tr -cd '\t' <<<"$line" | wc -c)
        [[ $fields -ge 6 ]] || line+=$'\t-'
        LINE[${line%%$'\t'*}]=$line
    done <"$MANIFEST"
fi

record_qemu() {
    local name=$1 image=$2 append=$3 drive=$4
    command -v "$QEMU" >/dev/null 2>&1 || fail "$QEMU not found (apt-get install qemu-system-x86)"
    local drive_args=()
    case $drive in
        -) ;;
        disk:*M)
            local disk=$SCRATCH/$name-disk.img
            local mib=${drive#disk:}
            bash "$HERE/make-disk.sh" "$disk" "${mib%M}"
            drive_args=(-drive "file=$disk,format=raw,if=ide,index=0")
            ;;
        *) fail "$name: unknown drive '$drive' (use - or disk:NM)" ;;
    esac
    local status=0
    (cd "$SCRATCH/images" && timeout 300 "$QEMU" -machine pc -m "$MEMORY_MIB" -kernel "$image.elf" \
        -append "$append" -display none -serial "file:$SCRATCH/$name.txt" -monitor none \
        -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 "${drive_args[@]}") || status=$?
    [[ $status -ne 124 ]] || fail "$name timed out"
    LINE[$name]=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s' "$name" "$status" "$MEMORY_MIB" "$append" \
        "$("$QEMU" --version | head -n 1)" "$image" "$drive")
}

record_bochs() {
    local name=$1 image=$2 append=$3 drive=$4
    [[ $drive == - ]] || fail "$name: the Bochs recorder takes no disk"
    local cmdline="$image.elf"
    [[ -z $append ]] || cmdline+=" $append"
    timeout 600 bash "$HERE/../run-bochs.sh" "$SCRATCH/images/$image-bochs.img" "$SCRATCH/$name.txt" "$cmdline" \
        || fail "$name: the Bochs run failed"
    local version
    version=$(dpkg-query -W -f='Bochs ${Version}' bochs 2>/dev/null || echo "Bochs")
    LINE[$name]=$(printf '%s\t-\t%s\t%s\t%s\t%s\t-' "$name" "$MEMORY_MIB" "$append" "$version" "$image")
}

# Runs one udpecho role under QEMU on the stream wire; stream options and MAC as arguments.
run_pair_role() {
    local role=$1 append=$2 stream=$3 mac=$4
    local status=0
    (cd "$SCRATCH/images" && timeout 120 "$QEMU" -machine pc -m "$MEMORY_MIB" -kernel udpecho.elf \
        -append "$append" -display none -serial "file:$SCRATCH/udpecho-$role.txt" -monitor none \
        -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -netdev "stream,id=wire,$stream" -device "virtio-net-pci,netdev=wire,disable-modern=on,mac=$mac") \
        || status=$?
    echo "$status" >"$SCRATCH/udpecho-$role.status"
}

record_pair() {
    command -v "$QEMU" >/dev/null 2>&1 || fail "$QEMU not found (apt-get install qemu-system-x86)"
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    run_pair_role server "$PAIR_SERVER_APPEND" "server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=$port" \
        52:54:00:12:34:57 &
    local server_pid=$!
    # The client retries ARP until the wire is up, so it may start before the server listens.
    sleep 1
    run_pair_role client "$PAIR_CLIENT_APPEND" "server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=$port" \
        52:54:00:12:34:58
    wait "$server_pid"
    local version role status append
    version=$("$QEMU" --version | head -n 1)
    {
        printf '# role\texit status\tmemory MiB\tappend\trecorded with\timage\n'
        for role in server client; do
            status=$(cat "$SCRATCH/udpecho-$role.status")
            [[ $status -ne 124 ]] || fail "udpecho-pair: the $role timed out"
            append=$PAIR_SERVER_APPEND
            [[ $role == server ]] || append=$PAIR_CLIENT_APPEND
            printf '%s\t%s\t%s\t%s\t%s\tudpecho\n' "$role" "$status" "$MEMORY_MIB" "$append" "$version"
            cp "$SCRATCH/udpecho-$role.txt" "$HERE/udpecho-$role.txt"
        done
    } >"$HERE/udpecho-pair.tsv"
    echo "record.sh: udpecho-pair (qemu stream pair) $(cut -f1,2 "$HERE/udpecho-pair.tsv" | tail -n 2 | tr '\n\t' ' =')"
}

for name in "${names[@]}"; do
    if [[ $name == udpecho-pair ]]; then
        record_pair
        continue
    fi
    [[ -v "ENTRY[$name]" ]] || fail "unknown entry '$name' (known: ${ORDER[*]})"
    IFS='|' read -r recorder image append drive <<<"${ENTRY[$name]}"
    "record_$recorder" "$name" "$image" "$append" "$drive"
    cp "$SCRATCH/$name.txt" "$HERE/$name.txt"
    echo "record.sh: $name ($recorder) $(cut -f2 <<<"${LINE[$name]}"), $(wc -l <"$HERE/$name.txt") lines"
done

{
    printf '# name\texit status\tmemory MiB\tappend\trecorded with\timage\tdrive\n'
    for name in "${ORDER[@]}"; do
        [[ -v "LINE[$name]" ]] && printf '%s\n' "${LINE[$name]}"
    done
} >"$MANIFEST"
