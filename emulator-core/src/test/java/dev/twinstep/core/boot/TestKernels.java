package dev.twinstep.core.boot;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Builds small Multiboot kernel images byte by byte, so the loader tests depend on no toolchain. */
public final class TestKernels {
    public static final int MAGIC = 0x1BADB002;
    public static final int FLAG_ADDRESSES = 1 << 16;

    private TestKernels() {
    }

    /**
     * An a.out-kludge image loaded at {@code loadAddr}: the 32-byte header at file offset 0, then
     * {@code code}, entered at its first byte; {@code bssBytes} of bss follow the file's bytes.
     */
    public static byte[] aout(int loadAddr, byte[] code, int bssBytes) {
        ByteBuffer b = ByteBuffer.allocate(32 + code.length).order(ByteOrder.LITTLE_ENDIAN);
        int flags = FLAG_ADDRESSES;
        int loadEnd = loadAddr + 32 + code.length;
        b.putInt(MAGIC).putInt(flags).putInt(-(MAGIC + flags));
        b.putInt(loadAddr).putInt(loadAddr).putInt(loadEnd).putInt(bssBytes == 0 ? 0 : loadEnd + bssBytes)
                .putInt(loadAddr + 32);
        b.put(code);
        return b.array();
    }

    /** A Multiboot header with the given flags and checksum, without load addresses. */
    public static byte[] header(int flags, int checksum) {
        return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).putInt(flags).putInt(checksum).array();
    }

    /** Builds an ELF32 executable whose first segment starts with a Multiboot header. */
    public static final class Elf {
        private record Segment(int paddr, byte[] data, int memsz) {
        }

        private final List<Segment> segments = new ArrayList<>();
        private int entry;
        private int machine = 3;
        private byte elfClass = 1;
        private boolean multibootHeader = true;

        public Elf entry(int address) {
            this.entry = address;
            return this;
        }

        public Elf machine(int value) {
            this.machine = value;
            return this;
        }

        public Elf elfClass(int value) {
            this.elfClass = (byte) value;
            return this;
        }

        public Elf withoutMultibootHeader() {
            this.multibootHeader = false;
            return this;
        }

        /** A PT_LOAD segment of {@code data} at {@code paddr}, {@code memsz} bytes in memory. */
        public Elf segment(int paddr, byte[] data, int memsz) {
            segments.add(new Segment(paddr, data, memsz));
            return this;
        }

        public byte[] build() {
            int phoff = 52;
            int dataStart = align(phoff + 32 * segments.size(), 16);
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            int[] offsets = new int[segments.size()];
            for (int i = 0; i < segments.size(); i++) {
                offsets[i] = dataStart + data.size();
                byte[] bytes = segments.get(i).data();
                if (i == 0 && multibootHeader) {
                    bytes = bytes.clone();
                    System.arraycopy(header(0, -MAGIC), 0, bytes, 0, 12);
                }
                data.writeBytes(bytes);
                while (data.size() % 16 != 0) {
                    data.write(0);
                }
            }
            ByteBuffer b = ByteBuffer.allocate(dataStart + data.size()).order(ByteOrder.LITTLE_ENDIAN);
            b.put(new byte[] {0x7F, 'E', 'L', 'F', elfClass, 1, 1, 0});
            b.position(16);
            b.putShort((short) 2).putShort((short) machine).putInt(1).putInt(entry).putInt(phoff).putInt(0).putInt(0)
                    .putShort((short) 52).putShort((short) 32).putShort((short) segments.size())
                    .putShort((short) 40).putShort((short) 0).putShort((short) 0);
            for (int i = 0; i < segments.size(); i++) {
                Segment s = segments.get(i);
                b.putInt(1).putInt(offsets[i]).putInt(s.paddr()).putInt(s.paddr()).putInt(s.data().length)
                        .putInt(s.memsz()).putInt(7).putInt(16);
            }
            b.position(dataStart);
            b.put(data.toByteArray());
            return b.array();
        }

        private static int align(int value, int to) {
            return (value + to - 1) / to * to;
        }
    }
}
