# Sourced by build.sh: builds NAME-bochs.img, 1.44 MB boot floppies that run an image under Bochs.
# Sector 1 holds the command line (empty here; benchmarks/scripts/compare.sh writes scale=N into it).

# bochs_floppy NAME : links the objects already compiled for NAME at 0x10000 and wraps them
bochs_floppy() {
    local name=$1
    local dir=$WORK/bochs
    local objs
    mapfile -t objs < <(ls "$WORK/$name"/*.o)
    "$LD" "${LDFLAGS[@]}" -T "$SRC/bochs/bochs.ld" -o "$dir/$name-bochs.elf" "${objs[@]}" \
        || fail "linking the Bochs variant of $name failed"
    "$OBJCOPY" -O binary "$dir/$name-bochs.elf" "$dir/$name.bin" || fail "objcopy of the Bochs payload failed"
    local size
    size=$(stat -c %s "$dir/$name.bin")
    ((size <= 120 * 512)) || fail "Bochs payload of $name is $size bytes; bootsector.S loads only 120 sectors"

    local img=$BOCHS_OUT/$name-bochs.img
    cat "$dir/bootsector.bin" >"$img"
    head -c 512 /dev/zero >>"$img"
    cat "$dir/$name.bin" >>"$img"
    truncate -s 1474560 "$img"
}

build_bochs_floppies() {
    local dir=$WORK/bochs
    mkdir -p "$dir"

    "$CC" -m32 -c "$SRC/bochs/bootsector.S" -o "$dir/bootsector.o" || fail "assembling bootsector.S failed"
    "$LD" -m elf_i386 -Ttext=0x7C00 -e boot --oformat binary -o "$dir/bootsector.bin" "$dir/bootsector.o" \
        || fail "linking the boot sector failed"
    [[ $(stat -c %s "$dir/bootsector.bin") -eq 512 ]] || fail "boot sector is not 512 bytes"
    bochs_floppy bench
    [[ ! -d $WORK/cpucheck ]] || bochs_floppy cpucheck
    [[ ! -d $WORK/smc ]] || bochs_floppy smc
}

build_bochs_floppies
