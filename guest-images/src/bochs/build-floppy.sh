# Sourced by build.sh: builds bench-bochs.img, a 1.44 MB boot floppy that runs `bench` under Bochs.
# Sector 1 holds the command line (empty here; benchmarks/scripts/compare.sh writes scale=N into it).

build_bochs_floppy() {
    local dir=$WORK/bochs
    mkdir -p "$dir"
    local objs
    mapfile -t objs < <(ls "$WORK/bench"/*.o)
    "$LD" "${LDFLAGS[@]}" -T "$SRC/bochs/bochs.ld" -o "$dir/bench-bochs.elf" "${objs[@]}" \
        || fail "linking the Bochs variant of bench failed"
    "$OBJCOPY" -O binary "$dir/bench-bochs.elf" "$dir/bench.bin" || fail "objcopy of the Bochs payload failed"
    local size
    size=$(stat -c %s "$dir/bench.bin")
    ((size <= 120 * 512)) || fail "Bochs payload is $size bytes; bootsector.S loads only 120 sectors"

    "$CC" -m32 -c "$SRC/bochs/bootsector.S" -o "$dir/bootsector.o" || fail "assembling bootsector.S failed"
    "$LD" -m elf_i386 -Ttext=0x7C00 -e boot --oformat binary -o "$dir/bootsector.bin" "$dir/bootsector.o" \
        || fail "linking the boot sector failed"
    [[ $(stat -c %s "$dir/bootsector.bin") -eq 512 ]] || fail "boot sector is not 512 bytes"

    local img=$OUT/bench-bochs.img
    cat "$dir/bootsector.bin" >"$img"
    head -c 512 /dev/zero >>"$img"
    cat "$dir/bench.bin" >>"$img"
    truncate -s 1474560 "$img"
}

build_bochs_floppy
