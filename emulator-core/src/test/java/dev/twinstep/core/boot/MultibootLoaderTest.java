package dev.twinstep.core.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.memory.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MultibootLoaderTest {
    private static final long MIB = 1024 * 1024;
    private static final byte[] CODE = {(byte) 0xF4, (byte) 0xEB, (byte) 0xFD}; // hlt; jmp $-1

    private GuestMemory memory = new GuestMemory(16 * MIB);
    private Cpu cpu = new Cpu(memory, new IoBus());

    private BootInfo boot(byte[] image, String name, String append) throws BootException {
        return MultibootLoader.boot(image, name, append, memory, cpu);
    }

    private String cString(int address) {
        StringBuilder s = new StringBuilder();
        for (int b = memory.read8(address); b != 0; b = memory.read8(++address)) {
            s.append((char) b);
        }
        return s.toString();
    }

    @Test
    void shouldLoadAnAoutKludgeImageAndZeroItsBss() throws BootException {
        memory.fill(0x100000 + 32 + CODE.length, 64, (byte) 0x77);
        BootInfo info = boot(TestKernels.aout(0x100000, CODE, 64), "k.bin", "");
        assertEquals(0x100020, info.entry());
        assertEquals(0xF4, memory.read8(0x100020));
        assertEquals(0x1BADB002, memory.read32(0x100000));
        assertEquals(0, memory.read8(0x100020 + CODE.length + 63), "bss must be zeroed");
        assertEquals(0x100000 + 32 + CODE.length + 64, info.kernelHigh());
    }

    @Test
    void shouldLoadElfSegmentsAtTheirPhysicalAddressesAndZeroBss() throws BootException {
        byte[] text = new byte[64];
        System.arraycopy(CODE, 0, text, 16, CODE.length);
        byte[] data = {1, 2, 3, 4};
        memory.fill(0x200004, 16, (byte) 0x55);
        byte[] image = new TestKernels.Elf().entry(0x100010).segment(0x100000, text, 64)
                .segment(0x200000, data, 20).build();
        BootInfo info = boot(image, "k.elf", null);
        assertEquals(0x100010, info.entry());
        assertEquals(0xF4, memory.read8(0x100010));
        assertEquals(0x04030201, memory.read32(0x200000));
        assertEquals(0, memory.read32(0x200010), "bss must be zeroed");
        assertEquals(0x100000, info.kernelLow());
        assertEquals(0x200014, info.kernelHigh());
    }

    @Test
    void shouldPreferTheAoutKludgeOverElfWhenFlagBit16IsSet() throws BootException {
        byte[] aout = TestKernels.aout(0x300000, CODE, 0);
        byte[] image = new TestKernels.Elf().entry(0x100000).segment(0x100000, new byte[16], 16)
                .withoutMultibootHeader().build();
        byte[] both = new byte[image.length + aout.length];
        System.arraycopy(image, 0, both, 0, image.length);
        System.arraycopy(aout, 0, both, image.length, aout.length); // ELF length is a multiple of 16
        assertEquals(0x300020, boot(both, "k", "").entry());
        assertEquals(0xF4, memory.read8(0x300020));
    }

    @Test
    void shouldGiveTheKernelQemusCommandLineAndInfoFlags() throws BootException {
        BootInfo info = boot(TestKernels.aout(0x100000, CODE, 0), "hello.elf", "mode=reference answer=42");
        int mbi = info.infoAddress();
        assertEquals("hello.elf mode=reference answer=42", info.cmdline());
        assertEquals(0x24F, memory.read32(mbi));
        assertEquals("hello.elf mode=reference answer=42", cString(memory.read32(mbi + 16)));
        assertEquals(0x8000FFFF, memory.read32(mbi + 12));
        assertEquals(0, memory.read32(mbi + 20), "no modules");
        assertEquals(MultibootLoader.BOOT_LOADER_NAME, cString(memory.read32(mbi + 64)));
        assertEquals(0x101000, memory.read32(mbi + 16), "strings start on the first page after the kernel, as QEMU");
    }

    @Test
    void shouldLeaveATrailingSpaceWhenNothingIsAppendedAsQemuDoes() throws BootException {
        BootInfo info = boot(TestKernels.aout(0x100000, CODE, 0), "./k.elf", "");
        assertEquals("./k.elf ", cString(memory.read32(info.infoAddress() + 16)));
    }

    /** mem_lower, mem_upper and the memory map must be what the hello guest printed under QEMU at 128 MiB. */
    @Test
    void shouldReportMemoryExactlyAsTheQemuReferenceTranscriptShows() throws Exception {
        Path reference = Path.of("").toAbsolutePath().getParent().resolve("guest-images/reference/hello.txt");
        String transcript = Files.readString(reference, StandardCharsets.UTF_8);
        memory = new GuestMemory(128 * MIB); // the reference was recorded with -m 128
        cpu = new Cpu(memory, new IoBus());
        BootInfo info = boot(TestKernels.aout(0x100000, CODE, 0), "hello.elf", "");
        int mbi = info.infoAddress();
        assertEquals(field(transcript, "mem_lower: (\\d+) KiB"), memory.read32(mbi + 4) + "");
        assertEquals(field(transcript, "mem_upper: (\\d+) KiB"), memory.read32(mbi + 8) + "");
        assertEquals(field(transcript, "mmap: (\\d+) bytes"), memory.read32(mbi + 44) + "");
        assertEquals(referenceMap(transcript), printedMap(memory.read32(mbi + 48), memory.read32(mbi + 44)));
    }

    private static String field(String transcript, String regex) {
        Matcher m = Pattern.compile(regex).matcher(transcript);
        assertTrue(m.find(), "reference transcript lacks " + regex);
        return m.group(1);
    }

    private static List<String> referenceMap(String transcript) {
        List<String> lines = new ArrayList<>();
        for (String line : transcript.split("\n")) {
            if (line.startsWith("mmap[")) {
                lines.add(line);
            }
        }
        assertTrue(lines.size() > 0);
        return lines;
    }

    /** Formats the map in guest memory the way the hello guest prints it. */
    private List<String> printedMap(int address, int length) {
        List<String> lines = new ArrayList<>();
        for (int at = address, i = 0; at < address + length; i++) {
            lines.add(String.format("mmap[%d]: base=%08x%08x length=%08x%08x type=%d", i, memory.read32(at + 8),
                    memory.read32(at + 4), memory.read32(at + 16), memory.read32(at + 12), memory.read32(at + 20)));
            at += memory.read32(at) + 4;
        }
        return lines;
    }

    @Test
    void shouldScaleTheMemoryMapWithRamSize() {
        // The values QEMU 7.2's multiboot loader gives a kernel with -m 2047M and -m 2M.
        List<PcMemoryMap.Entry> big = PcMemoryMap.forRam(2047 * MIB);
        assertEquals(0x1FF780, PcMemoryMap.upperMemoryKib(big));
        assertEquals(new PcMemoryMap.Entry(0x100000, 0x7FDE0000L, PcMemoryMap.TYPE_RAM), big.get(3));
        assertEquals(new PcMemoryMap.Entry(0x7FEE0000L, 0x20000, PcMemoryMap.TYPE_RESERVED), big.get(4));
        assertEquals(0x380, PcMemoryMap.upperMemoryKib(PcMemoryMap.forRam(2 * MIB)));
    }

    @Test
    void shouldEnterInFlat32BitProtectedModeWithTheMultibootMagic() throws BootException {
        BootInfo info = boot(TestKernels.aout(0x100000, CODE, 0), "k", "");
        assertEquals(0x2BADB002, cpu.regs[Cpu.EAX]);
        assertEquals(info.infoAddress(), cpu.regs[Cpu.EBX]);
        assertEquals(0x100020, cpu.eip);
        assertEquals(Cpu.CR0_PE, cpu.cr0 & (Cpu.CR0_PE | Cpu.CR0_PG));
        assertEquals(0, cpu.getEflags() & (Cpu.IF | Cpu.DF | Cpu.VM));
        assertTrue(cpu.code32() && cpu.stack32());
        assertEquals(0, cpu.cpl);
        for (int seg = 0; seg < 6; seg++) {
            assertEquals(seg == Cpu.CS ? 0x08 : 0x10, cpu.segSel[seg]);
            assertEquals(0, cpu.segBase[seg]);
            assertEquals(0xFFFFFFFF, cpu.segLimit[seg]);
        }
    }

    @Test
    void shouldWriteAGdtThatMatchesTheCachedSegments() throws BootException {
        boot(TestKernels.aout(0x100000, CODE, 0), "k", "");
        for (int seg = 0; seg < 6; seg++) {
            int selector = cpu.segSel[seg];
            assertTrue(selector + 7 <= cpu.gdtrLimit, "selector inside the GDT");
            int low = memory.read32(cpu.gdtrBase + selector);
            int high = memory.read32(cpu.gdtrBase + selector + 4);
            int base = (low >>> 16) | ((high & 0xFF) << 16) | (high & 0xFF000000);
            int limit = (low & 0xFFFF) | (high & 0xF0000);
            if ((high & (1 << 23)) != 0) {
                limit = (limit << 12) | 0xFFF;
            }
            int attr = (high >>> 8) & 0xF0FF;
            assertEquals(cpu.segBase[seg], base, "base of segment " + seg);
            assertEquals(cpu.segLimit[seg], limit, "limit of segment " + seg);
            assertEquals(cpu.segAttr[seg] & 0xF0FE, attr & 0xF0FE, "attributes (accessed bit aside) of segment " + seg);
        }
    }

    @Test
    void shouldRefuseAFileThatIsNeitherElfNorMultiboot() {
        BootException e = assertThrows(BootException.class, () -> boot(new byte[9000], "x", ""));
        assertEquals("not an ELF or multiboot kernel image (no multiboot header in the first 8192 bytes)", e.getMessage());
    }

    @Test
    void shouldRefuseAnElfWithoutMultibootHeader() {
        byte[] image = new TestKernels.Elf().segment(0x100000, new byte[16], 16).withoutMultibootHeader().build();
        BootException e = assertThrows(BootException.class, () -> boot(image, "x", ""));
        assertTrue(e.getMessage().contains("no multiboot header"), e.getMessage());
    }

    @Test
    void shouldRefuseAHeaderWithABadChecksum() {
        byte[] image = new byte[64];
        System.arraycopy(TestKernels.header(0, 12345), 0, image, 8, 12);
        BootException e = assertThrows(BootException.class, () -> boot(image, "x", ""));
        assertEquals("bad multiboot header checksum at file offset 0x8 (magic + flags + checksum must be 0)", e.getMessage());
    }

    @Test
    void shouldIgnoreAHeaderPastTheFirst8192Bytes() {
        byte[] image = new byte[10000];
        System.arraycopy(TestKernels.header(0, -0x1BADB002), 0, image, 8192, 12);
        assertThrows(BootException.class, () -> boot(image, "x", ""));
    }

    @Test
    void shouldRefuseElfKernelsThatAreNotI386() {
        byte[] x8664 = new TestKernels.Elf().machine(62).segment(0x100000, new byte[16], 16).build();
        assertTrue(assertThrows(BootException.class, () -> boot(x8664, "x", "")).getMessage().contains("64-bit"));
        byte[] arm = new TestKernels.Elf().machine(40).segment(0x100000, new byte[16], 16).build();
        assertEquals("ELF kernel is for machine type 40, not i386 (3)",
                assertThrows(BootException.class, () -> boot(arm, "x", "")).getMessage());
        byte[] elf64 = new TestKernels.Elf().elfClass(2).segment(0x100000, new byte[16], 16).build();
        assertTrue(assertThrows(BootException.class, () -> boot(elf64, "x", "")).getMessage().contains("64-bit"));
    }

    @Test
    void shouldRefuseASegmentOutsideRam() {
        byte[] image = new TestKernels.Elf().segment(0x4000_0000, new byte[16], 16).build();
        BootException e = assertThrows(BootException.class, () -> boot(image, "x", ""));
        assertEquals("kernel segment at 0x40000000+0x10 lies outside guest RAM (16 MiB)", e.getMessage());
    }

    @Test
    void shouldRefuseASegmentInTheVgaHole() {
        byte[] image = new TestKernels.Elf().segment(0xA0000, new byte[16], 16).build();
        BootException e = assertThrows(BootException.class, () -> boot(image, "x", ""));
        assertTrue(e.getMessage().contains("overlaps non-RAM memory at 0xa0000"), e.getMessage());
    }

    @Test
    void shouldRefuseAKernelTooBigForTheMemory() {
        memory = new GuestMemory(2 * MIB);
        cpu = new Cpu(memory, new IoBus());
        byte[] image = TestKernels.aout(0x100000, CODE, 0x100000);
        BootException e = assertThrows(BootException.class, () -> boot(image, "x", ""));
        assertTrue(e.getMessage().startsWith("guest memory is too small for this kernel"), e.getMessage());
    }

    @Test
    void shouldRefuseKludgeAddressesThatContradictEachOther() {
        byte[] image = TestKernels.aout(0x100000, CODE, 0);
        image[14] = 0x0F; // header_addr 0x100000 becomes 0x0F0000, below load_addr
        BootException e = assertThrows(BootException.class, () -> boot(image, "x", ""));
        assertEquals("multiboot header_addr 0xf0000 is below load_addr 0x100000", e.getMessage());
    }
}
