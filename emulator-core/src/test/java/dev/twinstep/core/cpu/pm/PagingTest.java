package dev.twinstep.core.cpu.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinstep.core.cpu.Cpu;
import dev.twinstep.core.cpu.CpuException;
import dev.twinstep.core.memory.DirtyLog;
import dev.twinstep.core.memory.MmioHandler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PagingTest extends ProtectedModeFixture {
    private static final int PF = CpuException.PF;

    @BeforeEach
    void setUp() {
        enterFlatProtectedMode();
        enableIdentityPaging();
    }

    @Test
    void shouldTranslateThroughPageTableAndSetAccessedThenDirtyBits() {
        setPte(0x400000, 0x123000 | 0x7);
        memory.write32(0x123010, 0xCAFEBABE);

        assertEquals(0xCAFEBABE, cpu.mmu.read32(Cpu.DS, 0x400010));
        assertEquals(0x20, pte(0x400000) & 0x60, "read sets A only");
        assertEquals(0x20, memory.read32(PAGE_DIRECTORY + 4) & 0x20, "PDE accessed");

        cpu.mmu.write32(Cpu.DS, 0x400020, 0x11223344);
        assertEquals(0x60, pte(0x400000) & 0x60, "write sets D");
        assertEquals(0x11223344, memory.read32(0x123020));
    }

    @Test
    void shouldRaisePageFaultOnUserWriteToSupervisorPage() {
        setPte(0x5000, 0x5000 | 0x3);
        cpu.cpl = 3;
        assertFault(PF, 0x7, () -> cpu.mmu.writeLinear32(0x5004, 1));
        assertEquals(0x5004, cpu.cr2);
        assertEquals(0, pte(0x5000) & 0x60, "no A/D on a faulting access");
    }

    @Test
    void shouldRaisePageFaultOnUserWriteToReadOnlyUserPage() {
        setPte(0x5000, 0x5000 | 0x5);
        cpu.cpl = 3;
        assertEquals(0, cpu.mmu.readLinear32(0x5000));
        assertFault(PF, 0x7, () -> cpu.mmu.writeLinear8(0x5001, 1));
        assertEquals(0x5001, cpu.cr2);
    }

    @Test
    void shouldReportNotPresentPageWithClearPresentBit() {
        setPte(0x6000, 0);
        assertFault(PF, 0x2, () -> cpu.mmu.write16(Cpu.DS, 0x6ffe, 1));
        assertEquals(0x6ffe, cpu.cr2);
        cpu.cpl = 3;
        assertFault(PF, 0x4, () -> cpu.mmu.readLinear8(0x6000));
    }

    @Test
    void shouldAllowSupervisorWriteToReadOnlyPageUnlessWriteProtectIsSet() {
        setPte(0x7000, 0x7000 | 0x1);
        cpu.mmu.writeLinear32(0x7000, 5);
        assertEquals(5, memory.read32(0x7000));

        cpu.mmu.writeCr0(cpu.cr0 | Cpu.CR0_WP);
        assertFault(PF, 0x3, () -> cpu.mmu.writeLinear32(0x7000, 6));
        assertEquals(5, memory.read32(0x7000));
    }

    @Test
    void shouldMapFourMegabytePagesWhenPseIsEnabled() {
        memory.write32(PAGE_DIRECTORY + 0x300 * 4, 0x00400000 | 0x80 | 0x7);
        cpu.mmu.writeCr4(Cpu.CR4_PSE);
        memory.write32(0x00412344, 77);

        assertEquals(77, cpu.mmu.readLinear32(0xC0012344));
        cpu.mmu.writeLinear32(0xC0012348, 78);
        assertEquals(78, memory.read32(0x00412348));
        assertEquals(0x60, memory.read32(PAGE_DIRECTORY + 0x300 * 4) & 0x60, "A and D in the PDE");
    }

    @Test
    void shouldDropEveryPieceOfAFourMegabytePageOnInvlpg() {
        memory.write32(PAGE_DIRECTORY + 0x300 * 4, 0x00400000 | 0x80 | 0x7);
        cpu.mmu.writeCr4(Cpu.CR4_PSE);
        memory.write32(0x00400000, 1);
        memory.write32(0x00800000 + 0x3000, 2);
        assertEquals(0, cpu.mmu.readLinear32(0xC0003000));

        memory.write32(PAGE_DIRECTORY + 0x300 * 4, 0x00800000 | 0x80 | 0x7);
        cpu.mmu.invalidatePage(0xC0000000);
        assertEquals(2, cpu.mmu.readLinear32(0xC0003000), "INVLPG of another address in the large page");
    }

    @Test
    void shouldKeepCachedTranslationUntilInvlpgOrCr3Reload() {
        memory.write32(0x8000, 1);
        memory.write32(0x9000, 2);
        assertEquals(1, cpu.mmu.readLinear32(0x8000));

        setPte(0x8000, 0x9000 | 0x7);
        assertEquals(1, cpu.mmu.readLinear32(0x8000), "stale until invalidated, as on hardware");
        cpu.mmu.invalidatePage(0x8abc);
        assertEquals(2, cpu.mmu.readLinear32(0x8000));

        setPte(0x8000, 0x8000 | 0x7);
        cpu.mmu.writeCr3(cpu.cr3);
        assertEquals(1, cpu.mmu.readLinear32(0x8000));
    }

    @Test
    void shouldKeepGlobalPagesAcrossCr3LoadOnlyWithPge() {
        cpu.mmu.writeCr4(Cpu.CR4_PGE);
        setPte(0x8000, 0x8000 | 0x107); // global
        setPte(0x9000, 0x9000 | 0x007);
        memory.write32(0x8000, 1);
        memory.write32(0x9000, 2);
        memory.write32(0xA000, 3);
        assertEquals(1, cpu.mmu.readLinear32(0x8000));
        assertEquals(2, cpu.mmu.readLinear32(0x9000));

        setPte(0x8000, 0xA000 | 0x107);
        setPte(0x9000, 0xA000 | 0x007);
        cpu.mmu.writeCr3(cpu.cr3);
        assertEquals(1, cpu.mmu.readLinear32(0x8000), "global translation survives");
        assertEquals(3, cpu.mmu.readLinear32(0x9000));

        cpu.mmu.writeCr4(0);
        assertEquals(3, cpu.mmu.readLinear32(0x8000), "clearing PGE flushes global pages");
    }

    @Test
    void shouldSeparateUserAndSupervisorTranslations() {
        setPte(0xA000 + 0x100000, 0x10A000 | 0x3);
        assertEquals(0, cpu.mmu.readLinear32(0x10A000), "supervisor read fills the TLB");
        cpu.cpl = 3;
        assertFault(PF, 0x5, () -> cpu.mmu.readLinear32(0x10A000));
    }

    @Test
    void shouldMarkPageDirtyOnEveryFastPathWriteEvenAfterTheLogWasTaken() {
        cpu.mmu.write32(Cpu.DS, 0x30000, 1);
        cpu.mmu.write32(Cpu.DS, 0x30004, 2); // the TLB fast path now
        assertTrue(memory.dirtyLog().takeAndClear(DirtyLog.Client.MIGRATION).contains(0x30));

        cpu.mmu.write32(Cpu.DS, 0x30008, 3);
        assertTrue(memory.dirtyLog().isDirty(DirtyLog.Client.MIGRATION, 0x30));
        assertEquals(3, memory.read32(0x30008));
    }

    @Test
    void shouldRouteWritesToCodePagesThroughGuestMemoryAfterDroppingWriteMappings() {
        List<Integer> notified = new ArrayList<>();
        memory.setCodeWriteListener(notified::add);
        cpu.mmu.write32(Cpu.DS, 0x31000, 1);
        cpu.mmu.write32(Cpu.DS, 0x31004, 1);

        memory.markCodePage(0x31);
        cpu.mmu.dropWriteMappings(0x31);
        cpu.mmu.write32(Cpu.DS, 0x31008, 1);
        assertEquals(List.of(0x31), notified);
    }

    @Test
    void shouldDropWriteFastPathOfEveryAliasWhenCodeIsFetchedFromThePage() {
        List<Integer> notified = new ArrayList<>();
        memory.setCodeWriteListener(notified::add);
        setPte(0x600000, 0x33000 | 0x7); // a second linear alias of physical page 0x33
        cpu.mmu.write32(Cpu.DS, 0x600000, 1);
        cpu.mmu.write32(Cpu.DS, 0x600004, 1);

        assertEquals(0x33010, cpu.mmu.translateFetch(0x33010));
        memory.markCodePage(0x33); // what the block cache does after decoding
        cpu.mmu.write32(Cpu.DS, 0x600008, 1);
        assertEquals(List.of(0x33), notified);
    }

    @Test
    void shouldNotInstallWriteMappingsForCodePages() {
        List<Integer> notified = new ArrayList<>();
        memory.setCodeWriteListener(notified::add);
        memory.markCodePage(0x32);
        cpu.mmu.write32(Cpu.DS, 0x32000, 1);
        cpu.mmu.write32(Cpu.DS, 0x32004, 1);
        assertEquals(List.of(0x32, 0x32), notified);
    }

    @Test
    void shouldTranslateBothPagesBeforeWritingAcrossPageBoundary() {
        setPte(0x41000, 0);
        memory.write32(0x40ffc, 0);
        assertFault(PF, 0x2, () -> cpu.mmu.write32(Cpu.DS, 0x40ffe, 0xAABBCCDD));
        assertEquals(0x41000, cpu.cr2);
        assertEquals(0, memory.read32(0x40ffc), "nothing stored in the first page");

        setPte(0x41000, 0x50000 | 0x7);
        cpu.mmu.write32(Cpu.DS, 0x40ffe, 0xAABBCCDD);
        assertEquals(0xCCDD, memory.read16(0x40ffe));
        assertEquals(0xAABB, memory.read16(0x50000));
        assertEquals(0xAABBCCDD, cpu.mmu.read32(Cpu.DS, 0x40ffe));
    }

    @Test
    void shouldSendMmioAccessesToTheDeviceEveryTime() {
        int[] reads = new int[1];
        List<Integer> writes = new ArrayList<>();
        memory.mapMmio(0xFEC00000, 0x1000, new MmioHandler() {
            @Override
            public int mmioRead(int offset, int size) {
                reads[0]++;
                return offset;
            }

            @Override
            public void mmioWrite(int offset, int size, int value) {
                writes.add(value);
            }
        });
        memory.write32(PAGE_DIRECTORY + 0x3FF * 4, 0x20000 | 0x3);
        memory.write32(0x20000 + 0x3FF * 4, 0xFEC00000 | 0x3);
        assertEquals(0x10, cpu.mmu.readLinear32(0xFFFFF010));
        assertEquals(0x10, cpu.mmu.readLinear32(0xFFFFF010));
        cpu.mmu.writeLinear32(0xFFFFF000, 9);
        cpu.mmu.writeLinear32(0xFFFFF000, 10);
        assertEquals(2, reads[0]);
        assertEquals(List.of(9, 10), writes);
    }

    @Test
    void shouldRefuseFetchFromSupervisorPageAtUserLevel() {
        setPte(0x42000, 0x42000 | 0x1);
        assertEquals(0x42010, cpu.mmu.translateFetch(0x42010));
        cpu.cpl = 3;
        assertFault(PF, 0x5, () -> cpu.mmu.translateFetch(0x42010));
        assertEquals(0x42010, cpu.cr2);
    }

    @Test
    void shouldRefusePagingWithoutProtectionEnable() {
        int before = cpu.cr0;
        assertFault(CpuException.GP, 0, () -> cpu.mmu.writeCr0(Cpu.CR0_PG | Cpu.CR0_ET));
        assertEquals(before, cpu.cr0, "CR0 unchanged");
    }
}
