package dev.twinstep.tools;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Tiny multiboot kernels (hand-assembled i386 code in a {@link TinyKernel} image) that take hardware
 * interrupts through an IDT: they program the PIC and a device, count IRQs in a handler that prints
 * one '.' per interrupt on COM1, and exit through isa-debug-exit.
 */
final class InterruptKernels {
    private static final int CODE = TinyKernel.LOAD_ADDRESS + 32;
    private static final int HANDLER = 66;
    private static final int IDTR = 88;
    private static final int IDT = 96;
    private static final int VECTORS = 0x21;

    private InterruptKernels() {
    }

    /**
     * Programs the PIT in mode 2 with {@code count} (IRQ 0 at vector 0x20), sleeps in HLT until
     * {@code ticks} interrupts were counted, prints '.' per interrupt and a newline, exits with status 1.
     */
    static byte[] pitTicks(int count, int ticks) {
        ByteBuffer code = ByteBuffer.allocate(IDT + VECTORS * 8).order(ByteOrder.LITTLE_ENDIAN);
        code.put((byte) 0xFA); // cli
        code.put(new byte[] {0x0F, 0x01, 0x1D}).putInt(CODE + IDTR); // lidt [idtr]
        out(code, 0x20, 0x11); // ICW1
        out(code, 0x21, 0x20); // ICW2: vector 0x20
        out(code, 0x21, 0x04); // ICW3
        out(code, 0x21, 0x01); // ICW4
        out(code, 0x21, 0xFE); // only IRQ 0
        out(code, 0xA1, 0xFF); // slave silent
        out(code, 0x43, 0x34); // channel 0, lobyte/hibyte, mode 2
        out(code, 0x40, count & 0xFF);
        out(code, 0x40, count >>> 8);
        code.put(new byte[] {0x31, (byte) 0xC9}); // xor ecx,ecx
        code.put((byte) 0xFB); // sti
        int loop = code.position();
        code.put((byte) 0xF4); // hlt
        code.put(new byte[] {(byte) 0x83, (byte) 0xF9, (byte) ticks}); // cmp ecx,ticks
        code.put(new byte[] {0x72, (byte) (loop - (code.position() + 2))}); // jb loop
        code.put((byte) 0xFA); // cli
        code.put(new byte[] {(byte) 0xB0, '\n', 0x66, (byte) 0xBA, (byte) 0xF8, 0x03, (byte) 0xEE}); // print newline
        out(code, 0xF4, 0x00); // isa-debug-exit 0: status 1
        code.put((byte) 0xF4);
        if (code.position() != HANDLER) {
            throw new IllegalStateException("handler expected at " + HANDLER + ", code ends at " + code.position());
        }
        code.put(new byte[] {0x41, 0x50, 0x52}); // inc ecx; push eax; push edx
        code.put(new byte[] {(byte) 0xB0, '.', 0x66, (byte) 0xBA, (byte) 0xF8, 0x03, (byte) 0xEE}); // print '.'
        out(code, 0x20, 0x20); // EOI
        code.put(new byte[] {0x5A, 0x58, (byte) 0xCF}); // pop edx; pop eax; iret
        code.position(IDTR);
        code.putShort((short) (VECTORS * 8 - 1)).putInt(CODE + IDT);
        code.position(IDT + 0x20 * 8);
        int handler = CODE + HANDLER;
        code.putShort((short) handler).putShort((short) 0x08).put((byte) 0).put((byte) 0x8E).putShort((short) (handler >>> 16));
        return TinyKernel.image(code.array(), 0);
    }

    /** mov al,value; out port,al */
    private static void out(ByteBuffer code, int port, int value) {
        code.put(new byte[] {(byte) 0xB0, (byte) value, (byte) 0xE6, (byte) port});
    }
}
