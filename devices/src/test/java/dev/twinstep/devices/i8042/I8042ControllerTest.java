package dev.twinstep.devices.i8042;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.memory.GuestMemory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The keyboard controller and port 0x92 as firmware and kernels use them for A20 and reset. */
class I8042ControllerTest {
    private final IoBus io = new IoBus();
    private final GuestMemory memory = new GuestMemory(4L * 1024 * 1024);
    private int resets;
    private boolean irq1;

    @BeforeEach
    void attach() {
        new I8042Controller(level -> irq1 = level, () -> resets++).attach(io, memory);
        new SystemControlPortA(() -> resets++).attach(io, memory);
    }

    @Test
    void shouldPassTheSelfTestWith0x55() {
        io.write(0x64, 1, 0xAA);
        assertEquals(0x01, io.read(0x64, 1) & 0x01, "output buffer full");
        assertEquals(0x55, io.read(0x60, 1));
        assertEquals(0x00, io.read(0x64, 1) & 0x01);
        assertEquals(0x04, io.read(0x64, 1) & 0x04, "system flag");
    }

    @Test
    void shouldRaiseIrq1ForAResponseWhenTheCommandByteEnablesIt() {
        io.write(0x64, 1, 0x60);
        io.write(0x60, 1, 0x00); // keyboard interrupt off
        io.write(0x64, 1, 0xAB);
        assertFalse(irq1);
        assertEquals(0x00, io.read(0x60, 1));
        io.write(0x64, 1, 0x60);
        io.write(0x60, 1, 0x01);
        io.write(0x60, 1, 0xF2); // identify keyboard
        assertTrue(irq1);
        assertEquals(0xFA, io.read(0x60, 1));
        assertEquals(0xAB, io.read(0x60, 1));
        assertEquals(0x83, io.read(0x60, 1));
        assertFalse(irq1);
    }

    @Test
    void shouldGateA20ThroughTheOutputPort() {
        memory.write8(0x000000, 0x11);
        memory.write8(0x100000, 0x22);
        io.write(0x64, 1, 0xD1);
        io.write(0x60, 1, 0x01); // A20 off, reset line inactive
        assertFalse(memory.isA20Enabled());
        assertEquals(0x11, memory.read8(0x100000), "wraps to 0");
        io.write(0x64, 1, 0xD0);
        assertEquals(0x01, io.read(0x60, 1));
        io.write(0x64, 1, 0xD1);
        io.write(0x60, 1, 0x03);
        assertEquals(0x22, memory.read8(0x100000));
        assertEquals(0, resets);
    }

    @Test
    void shouldPulseResetOnCommand0xFE() {
        io.write(0x64, 1, 0xFE);
        assertEquals(1, resets);
    }

    @Test
    void shouldGateA20AndResetThroughPort92() {
        assertEquals(0x02, io.read(0x92, 1) & 0x02);
        io.write(0x92, 1, 0x00);
        assertFalse(memory.isA20Enabled());
        assertEquals(0x00, io.read(0x92, 1) & 0x02);
        io.write(0x92, 1, 0x02);
        assertTrue(memory.isA20Enabled());
        assertEquals(0, resets);
        io.write(0x92, 1, 0x03);
        assertEquals(1, resets, "a 0-to-1 change of bit 0 resets");
    }
}
