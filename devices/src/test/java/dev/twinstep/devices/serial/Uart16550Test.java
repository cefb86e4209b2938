package dev.twinstep.devices.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.memory.GuestMemory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The UART driven through the I/O bus at COM1, as a guest's IN and OUT instructions would. */
class Uart16550Test {
    private static final int COM1 = 0x3F8;
    private static final int THR = COM1, IER = COM1 + 1, IIR = COM1 + 2, FCR = COM1 + 2, LCR = COM1 + 3, MCR = COM1 + 4,
            LSR = COM1 + 5, MSR = COM1 + 6, SCR = COM1 + 7;

    private final ByteArrayOutputStream host = new ByteArrayOutputStream();
    private final IoBus io = new IoBus();
    private Uart16550 uart;

    @BeforeEach
    void attachToCom1() {
        uart = Uart16550.com1(new StreamSerialBackend(host, false));
        uart.attach(io, new GuestMemory(2L * 1024 * 1024));
    }

    private String hostText() {
        uart.flush();
        return host.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldSendTransmittedBytesToTheBackEnd() {
        for (byte b : "OK\n".getBytes(StandardCharsets.US_ASCII)) {
            io.write(THR, 1, b);
        }
        io.write(THR, 1, 0xE9);
        assertEquals("OK\n\u00E9", hostText());
    }

    @Test
    void shouldWriteWholeLinesToTheHostWithoutWaitingForAFlush() {
        io.write(THR, 1, 'a');
        assertEquals(0, host.size(), "a partial line stays buffered");
        io.write(THR, 1, '\n');
        assertEquals("a\n", host.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void shouldAlwaysReportTheTransmitterEmptyForPolledOutput() {
        assertEquals(0x60, io.read(LSR, 1));
        io.write(THR, 1, 'x');
        assertEquals(0x60, io.read(LSR, 1) & 0x60);
    }

    @Test
    void shouldProgramTheDivisorLatchUnderDlabWithoutTransmitting() {
        io.write(LCR, 1, 0x80);
        io.write(THR, 1, 0x01);
        io.write(IER, 1, 0x00);
        assertEquals(0x01, io.read(THR, 1));
        assertEquals(0x00, io.read(IER, 1));
        io.write(LCR, 1, 0x03);
        assertEquals(1, uart.divisor(), "115200 baud");
        assertEquals(0x03, io.read(LCR, 1));
        assertEquals("", hostText());
    }

    @Test
    void shouldKeepTheScratchRegister() {
        io.write(SCR, 1, 0xA5);
        assertEquals(0xA5, io.read(SCR, 1));
    }

    @Test
    void shouldReportFifosAndNoInterruptInIir() {
        assertEquals(0x01, io.read(IIR, 1));
        io.write(FCR, 1, 0xC7);
        assertEquals(0xC1, io.read(IIR, 1));
    }

    @Test
    void shouldRaiseTheTransmitterEmptyInterruptInIirUntilItIsRead() {
        io.write(IER, 1, 0x02);
        assertEquals(0x02, io.read(IIR, 1) & 0x0F);
        assertEquals(0x01, io.read(IIR, 1) & 0x0F, "reading IIR acknowledges it");
        io.write(THR, 1, 'z');
        assertEquals(0x02, io.read(IIR, 1) & 0x0F);
    }

    @Test
    void shouldLoopTransmittedBytesBackToTheReceiverInLoopbackMode() {
        io.write(MCR, 1, 0x10 | 0x0B);
        io.write(THR, 1, 0x42);
        assertEquals(0x01, io.read(LSR, 1) & 0x01, "data ready");
        assertEquals(0x42, io.read(THR, 1));
        assertEquals(0x00, io.read(LSR, 1) & 0x01);
        assertEquals(0xB0, io.read(MSR, 1), "DCD, DSR and CTS follow OUT2, DTR and RTS");
        io.write(MCR, 1, 0x10 | 0x01);
        assertEquals(0x20 | 0x09, io.read(MSR, 1), "DTR alone raises DSR only; CTS and DCD fell (delta bits)");
        io.write(MCR, 1, 0x10 | 0x04);
        assertEquals(0x40 | 0x02, io.read(MSR, 1), "OUT1 alone raises RI only; DSR fell");
        io.write(MCR, 1, 0x10);
        assertEquals(0x04, io.read(MSR, 1), "the trailing edge of RI");
        assertEquals(0x00, io.read(MSR, 1), "delta bits clear on read");
        assertEquals("", hostText());
    }

    @Test
    void shouldQueueReceivedBytesInTheFifoAndFlagAnOverrun() {
        io.write(FCR, 1, 0x01);
        for (int i = 0; i < 17; i++) {
            uart.receive(i);
        }
        assertEquals(0x03, io.read(LSR, 1) & 0x03, "data ready and overrun");
        assertEquals(0x01, io.read(LSR, 1) & 0x03, "the overrun bit clears on read");
        for (int i = 0; i < 16; i++) {
            assertEquals(i, io.read(THR, 1));
        }
        assertEquals(0, io.read(LSR, 1) & 0x01);
    }

    @Test
    void shouldComeOutOfResetIn8N1WithCarrierPresent() {
        io.write(LCR, 1, 0x1F);
        uart.reset();
        assertEquals(0x03, io.read(LCR, 1));
        assertEquals(0xB0, io.read(MSR, 1));
        assertEquals(0x00, io.read(IER, 1));
    }
}
