package dev.twinstep.devices.debugexit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.cpu.MachineHalt;
import dev.twinstep.core.memory.GuestMemory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IsaDebugExitTest {
    private final IoBus io = new IoBus();

    @BeforeEach
    void attach() {
        IsaDebugExit.standard().attach(io, new GuestMemory(2L * 1024 * 1024));
    }

    @Test
    void shouldEndTheMachineWithStatusTwiceTheValuePlusOne() {
        MachineHalt halt = assertThrows(MachineHalt.class, () -> io.write(0xF4, 1, 0));
        assertEquals(MachineHalt.Kind.GUEST_EXIT, halt.kind);
        assertEquals(1, halt.exitStatus);
        assertEquals(7, assertThrows(MachineHalt.class, () -> io.write(0xF4, 1, 3)).exitStatus);
    }

    @Test
    void shouldTakeWiderWritesAndEveryPortOfItsRange() {
        assertEquals(0x201, assertThrows(MachineHalt.class, () -> io.write(0xF4, 2, 0x100)).exitStatus);
        assertEquals(0x55, assertThrows(MachineHalt.class, () -> io.write(0xF7, 1, 0x2A)).exitStatus);
    }

    @Test
    void shouldReadAsAllOnesAndNotEndTheMachine() {
        assertEquals(0xFF, io.read(0xF4, 1));
        assertEquals(0xFFFFFFFF, io.read(0xF4, 4));
    }

    @Test
    void shouldLeaveTheNeighbouringPortsFree() {
        io.write(0xF8, 1, 1);
        io.write(0xF3, 1, 1);
        assertEquals(false, io.isClaimed(0xF8));
    }
}
