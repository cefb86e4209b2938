package dev.twinstep.devices.i8042;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;
import dev.twinstep.devices.state.StateChecks;
import dev.twinstep.core.bus.IoPortHandler;
import dev.twinstep.core.irq.IrqLine;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;

/**
 * The i8042 keyboard controller at 0x60 (data) and 0x64 (status/command), as far as a PC's chipset
 * uses it: the status register, the command byte, the self and interface tests, the output port with
 * the A20 gate (bit 1) and the CPU reset line (bit 0, or the 0xFE pulse command). No keyboard or
 * mouse is attached, but a keyboard command written to port 0x60 is answered (ACK, BAT, ID) the way
 * a present keyboard would, so probing drivers do not time out. Responses raise IRQ 1 when the
 * command byte enables it.
 */
public final class I8042Controller implements MachineDevice, Stateful {
    public static final int DATA_PORT = 0x60, COMMAND_PORT = 0x64;
    static final int STATUS_OUTPUT_FULL = 0x01, STATUS_SYSTEM = 0x04, STATUS_COMMAND = 0x08,
            STATUS_UNLOCKED = 0x10;
    static final int CONFIG_KEYBOARD_IRQ = 0x01, CONFIG_SYSTEM = 0x04, CONFIG_TRANSLATE = 0x40;
    static final int OUTPUT_RESET = 0x01, OUTPUT_A20 = 0x02;

    private final IrqLine irq1;
    private final ResetLine reset;
    private GuestMemory memory;
    private final int[] output = new int[8];
    private int outputHead, outputCount;
    private int commandByte;
    private int outputPort;
    private int pendingCommand;
    private boolean lastWriteWasCommand;
    private boolean irqLevel;

    public I8042Controller(IrqLine irq1, ResetLine reset) {
        this.irq1 = irq1;
        this.reset = reset;
        resetState();
    }

    @Override
    public String name() {
        return "i8042";
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        this.memory = memory;
        io.register(DATA_PORT, 1, new IoPortHandler() {
            @Override
            public int ioRead(int offset, int size) {
                return readData();
            }

            @Override
            public void ioWrite(int offset, int size, int value) {
                writeData(value & 0xFF);
            }
        }, "i8042-data");
        io.register(COMMAND_PORT, 1, new IoPortHandler() {
            @Override
            public int ioRead(int offset, int size) {
                return status();
            }

            @Override
            public void ioWrite(int offset, int size, int value) {
                writeCommand(value & 0xFF);
            }
        }, "i8042-command");
    }

    @Override
    public void reset() {
        resetState();
    }

    private void resetState() {
        outputHead = 0;
        outputCount = 0;
        commandByte = CONFIG_KEYBOARD_IRQ | CONFIG_SYSTEM | CONFIG_TRANSLATE;
        outputPort = OUTPUT_RESET | OUTPUT_A20;
        pendingCommand = 0;
        lastWriteWasCommand = false;
        updateIrq();
    }

    private int status() {
        return (outputCount > 0 ? STATUS_OUTPUT_FULL : 0) | (commandByte & CONFIG_SYSTEM)
                | (lastWriteWasCommand ? STATUS_COMMAND : 0) | STATUS_UNLOCKED;
    }

    private int readData() {
        if (outputCount == 0) {
            return output[(outputHead + 7) & 7]; // the last byte stays on the bus, as on real hardware
        }
        int value = output[outputHead];
        outputHead = (outputHead + 1) & 7;
        outputCount--;
        updateIrq();
        return value;
    }

    private void respond(int value) {
        if (outputCount == output.length) {
            return;
        }
        output[(outputHead + outputCount) & 7] = value & 0xFF;
        outputCount++;
        updateIrq();
    }

    private void writeCommand(int command) {
        lastWriteWasCommand = true;
        switch (command) {
            case 0x20: // read command byte
                respond(commandByte);
                break;
            case 0x60: // write command byte
            case 0xD1: // write output port
            case 0xD2: // write keyboard output buffer
            case 0xD3: // write mouse output buffer
            case 0xD4: // write to mouse
                pendingCommand = command;
                break;
            case 0xA7: // disable mouse
            case 0xA8: // enable mouse
            case 0xAD: // disable keyboard
            case 0xAE: // enable keyboard
                break;
            case 0xA9: // mouse interface test: passed
            case 0xAB: // keyboard interface test: passed
                respond(0x00);
                break;
            case 0xAA: // controller self-test
                commandByte |= CONFIG_SYSTEM;
                respond(0x55);
                break;
            case 0xC0: // read input port: keyboard not inhibited
                respond(0x80);
                break;
            case 0xD0: // read output port
                respond(outputPort);
                break;
            case 0xDD: // A20 off (some controllers)
                writeOutputPort(outputPort & ~OUTPUT_A20);
                break;
            case 0xDF: // A20 on
                writeOutputPort(outputPort | OUTPUT_A20);
                break;
            default:
                if ((command & 0xF0) == 0xF0 && (command & 0x01) == 0) {
                    reset.pulse(); // pulse output lines: bit 0 clear pulses the CPU reset line (0xFE)
                }
                break;
        }
    }

    private void writeData(int value) {
        lastWriteWasCommand = false;
        int command = pendingCommand;
        pendingCommand = 0;
        switch (command) {
            case 0x60:
                commandByte = value;
                updateIrq();
                break;
            case 0xD1:
                writeOutputPort(value);
                break;
            case 0xD2:
                respond(value);
                break;
            case 0xD3:
            case 0xD4:
                break; // no mouse
            default:
                keyboardCommand(value);
                break;
        }
    }

    /** What a PS/2 keyboard answers to the commands drivers send while probing. */
    private void keyboardCommand(int value) {
        switch (value) {
            case 0xFF: // reset: ACK, then the basic assurance test passed
                respond(0xFA);
                respond(0xAA);
                break;
            case 0xF2: // identify: ACK, MF2 keyboard
                respond(0xFA);
                respond(0xAB);
                respond(0x83);
                break;
            case 0xEE: // echo
                respond(0xEE);
                break;
            default:
                respond(0xFA);
                break;
        }
    }

    private void writeOutputPort(int value) {
        outputPort = value;
        if (memory != null) {
            memory.setA20Enabled((value & OUTPUT_A20) != 0);
        }
        if ((value & OUTPUT_RESET) == 0) {
            reset.pulse();
        }
    }

    @Override
    public String sectionName() {
        return "i8042";
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    /**
     * Saves the output buffer ring whole (its last byte read stays visible on the bus), the command
     * byte, the output port and a half-done two-byte command. The A20 gate itself lives in guest
     * memory and is restored with it.
     */
    @Override
    public void save(StateWriter out) {
        out.putInts(output);
        out.putByte(outputHead);
        out.putByte(outputCount);
        out.putByte(commandByte);
        out.putByte(outputPort);
        out.putByte(pendingCommand);
        out.putBoolean(lastWriteWasCommand);
    }

    /** Restores the controller alone and re-drives IRQ 1; it never pulses reset or touches A20. */
    @Override
    public void load(StateReader in, int version) {
        int[] savedOutput = in.getInts();
        StateChecks.inRange("i8042", "output buffer size", savedOutput.length, output.length, output.length);
        for (int value : savedOutput) {
            StateChecks.bits("i8042", "output byte", value, 8);
        }
        int head = StateChecks.inRange("i8042", "output head", in.getByte(), 0, output.length - 1);
        int count = StateChecks.inRange("i8042", "output count", in.getByte(), 0, output.length);
        int command = in.getByte();
        int port = in.getByte();
        int pending = in.getByte();
        if (pending != 0 && pending != 0x60 && (pending < 0xD1 || pending > 0xD4)) {
            throw new StateFormatException("i8042: pending command " + pending + " takes no data byte");
        }
        System.arraycopy(savedOutput, 0, output, 0, output.length);
        outputHead = head;
        outputCount = count;
        commandByte = command;
        outputPort = port;
        pendingCommand = pending;
        lastWriteWasCommand = in.getBoolean();
        irqLevel = outputCount > 0 && (commandByte & CONFIG_KEYBOARD_IRQ) != 0;
        irq1.setLevel(irqLevel);
    }

    private void updateIrq() {
        boolean level = outputCount > 0 && (commandByte & CONFIG_KEYBOARD_IRQ) != 0;
        if (level != irqLevel) {
            irqLevel = level;
            irq1.setLevel(level);
        }
    }
}
