package dev.twinstep.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A multiboot kernel written byte by byte (a.out kludge, loaded at 1 MiB): it prints "OK\n" on COM1
 * and writes 0 to isa-debug-exit, so the emulator exits with status 1.
 */
final class TinyKernel {
    static final int LOAD_ADDRESS = 0x100000;

    /** mov dx,0x3f8; mov al,'O'; out dx,al; mov al,'K'; out dx,al; mov al,10; out dx,al; mov al,0; out 0xf4,al; hlt */
    static final byte[] PRINT_OK_AND_EXIT = {
        0x66, (byte) 0xBA, (byte) 0xF8, 0x03,
        (byte) 0xB0, 'O', (byte) 0xEE,
        (byte) 0xB0, 'K', (byte) 0xEE,
        (byte) 0xB0, '\n', (byte) 0xEE,
        (byte) 0xB0, 0x00, (byte) 0xE6, (byte) 0xF4,
        (byte) 0xF4,
    };

    private TinyKernel() {
    }

    static byte[] image(byte[] code, int bssBytes) {
        int magic = 0x1BADB002;
        int flags = 1 << 16;
        int loadEnd = LOAD_ADDRESS + 32 + code.length;
        ByteBuffer b = ByteBuffer.allocate(32 + code.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(magic).putInt(flags).putInt(-(magic + flags));
        b.putInt(LOAD_ADDRESS).putInt(LOAD_ADDRESS).putInt(loadEnd).putInt(bssBytes == 0 ? 0 : loadEnd + bssBytes)
                .putInt(LOAD_ADDRESS + 32);
        b.put(code);
        return b.array();
    }

    static Path write(Path dir, String name, byte[] image) throws IOException {
        return Files.write(dir.resolve(name), image);
    }
}
