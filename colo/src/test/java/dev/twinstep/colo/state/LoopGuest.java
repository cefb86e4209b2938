package dev.twinstep.colo.state;

import dev.twinstep.core.boot.BootException;
import dev.twinstep.core.machine.Machine;
import dev.twinstep.core.machine.RunResult;
import dev.twinstep.core.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A guest that keeps writing memory: a Multiboot kernel (a.out kludge, loaded at 1 MiB, entered in
 * flat 32-bit protected mode) written byte by byte. It increments the first dword of each page of a
 * working set in turn; after every {@code writesPerOut} increments it writes AL to an I/O port (a
 * test device may turn that into a network frame); after {@code outs} such rounds it halts with
 * interrupts disabled, which ends the run. With {@code outs == 0} it never ends.
 */
public final class LoopGuest {
    /** Where the working set starts: 2 MiB, above the kernel. */
    public static final int WORKING_SET_BASE = 0x200000;
    private static final int LOAD_ADDRESS = 0x100000;
    private static final int MULTIBOOT_MAGIC = 0x1BADB002;
    private static final int MULTIBOOT_AOUT_KLUDGE = 1 << 16;

    private LoopGuest() {
    }

    /**
     * The kernel image.
     *
     * @param pages the working set, in pages from {@link #WORKING_SET_BASE}
     * @param writesPerOut page increments between two port writes
     * @param port the port written with OUT DX, AL
     * @param outs port writes before the guest halts; 0 for never
     */
    public static byte[] image(int pages, int writesPerOut, int port, int outs) {
        int end = WORKING_SET_BASE + pages * GuestMemory.PAGE_SIZE;
        ByteBuffer code = ByteBuffer.allocate(51).order(ByteOrder.LITTLE_ENDIAN);
        code.put((byte) 0xBF).putInt(WORKING_SET_BASE);         // 0:  mov edi, base
        code.put((byte) 0xBB).putInt(outs);                     // 5:  mov ebx, outs
        code.put((byte) 0xB9).putInt(writesPerOut);             // 10: mov ecx, writesPerOut
        code.put((byte) 0xFF).put((byte) 0x07);                 // 15: inc dword [edi]
        code.put((byte) 0x81).put((byte) 0xC7).putInt(GuestMemory.PAGE_SIZE); // 17: add edi, 4096
        code.put((byte) 0x81).put((byte) 0xFF).putInt(end);     // 23: cmp edi, end
        code.put((byte) 0x72).put((byte) 0x05);                 // 29: jb 36
        code.put((byte) 0xBF).putInt(WORKING_SET_BASE);         // 31: mov edi, base
        code.put((byte) 0x49);                                  // 36: dec ecx
        code.put((byte) 0x75).put((byte) (15 - 39));            // 37: jnz 15
        code.put((byte) 0x66).put((byte) 0xBA).putShort((short) port); // 39: mov dx, port
        code.put((byte) 0xEE);                                  // 43: out dx, al
        code.put((byte) 0x4B);                                  // 44: dec ebx
        code.put((byte) 0x75).put((byte) (10 - 47));            // 45: jnz 10
        code.put((byte) 0xFA);                                  // 47: cli
        code.put((byte) 0xF4);                                  // 48: hlt
        code.put((byte) 0xEB).put((byte) (48 - 51));            // 49: jmp 48
        return aout(code.array());
    }

    private static byte[] aout(byte[] code) {
        int flags = MULTIBOOT_AOUT_KLUDGE;
        int loadEnd = LOAD_ADDRESS + 32 + code.length;
        ByteBuffer image = ByteBuffer.allocate(32 + code.length).order(ByteOrder.LITTLE_ENDIAN);
        image.putInt(MULTIBOOT_MAGIC).putInt(flags).putInt(-(MULTIBOOT_MAGIC + flags));
        image.putInt(LOAD_ADDRESS).putInt(LOAD_ADDRESS).putInt(loadEnd).putInt(0).putInt(LOAD_ADDRESS + 32);
        image.put(code);
        return image.array();
    }

    /** Loads the guest into {@code machine}. */
    public static void boot(Machine machine, int pages, int writesPerOut, int port, int outs) throws BootException {
        machine.bootMultiboot(image(pages, writesPerOut, port, outs), "loop-guest", "");
    }

    /** A machine running on its own thread. */
    public static final class Running implements AutoCloseable {
        private final Machine machine;
        private final CompletableFuture<RunResult> result = new CompletableFuture<>();

        /** Starts {@code machine} on a new thread. */
        public Running(Machine machine) {
            this.machine = machine;
            Thread thread = new Thread(() -> {
                try {
                    result.complete(machine.run());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            }, "test-machine");
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits for the guest to end on its own. */
        public RunResult awaitEnd(long seconds) throws InterruptedException, ExecutionException, TimeoutException {
            return result.get(seconds, TimeUnit.SECONDS);
        }

        /** Whether run() has returned. */
        public boolean ended() {
            return result.isDone();
        }

        /** Stops the machine (even if paused) and waits for its thread to leave run(). */
        @Override
        public void close() throws Exception {
            machine.requestStop();
            machine.resume();
            result.get(10, TimeUnit.SECONDS);
        }
    }
}
