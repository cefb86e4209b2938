package dev.twinstep.devices.pic;

import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.devices.state.StateChecks;

/**
 * One Intel 8259A programmable interrupt controller: the initialization sequence (ICW1-ICW4), the
 * operation commands (OCW1 mask, OCW2 EOI/rotation, OCW3 register select, poll, special mask), the
 * rotating priority, and edge or level triggering as chosen by the chipset's ELCR. Two of these make
 * the PC's pair; {@link PicPair} wires the cascade and the CPU side.
 */
final class Pic8259 {
    /** Which IRQ of this chip has the highest priority (0 until a rotation changes it). */
    int highestPriority;
    int irr, isr, imr;
    int vectorBase;
    /** Line levels last seen, for edge detection. */
    int lineLevels;
    /** Level-triggered inputs (the ELCR byte for this chip). */
    int levelTriggered;
    /** Bits of the ELCR that may be set (IRQ 0, 1, 2, 8, 13 are edge only on a PC). */
    final int levelCapable;
    final boolean master;
    /**
     * Inputs that follow their line's level whatever the ELCR says: the master's cascade input, so a
     * slave request withdrawn before INTA leaves no stale IRR bit (and no spurious IRQ 15).
     */
    private final int internalLevelInputs;
    boolean readIsr;
    boolean pollPending;
    boolean specialMask;
    boolean autoEoi;
    boolean rotateOnAutoEoi;
    boolean specialFullyNested;
    boolean expectIcw4;
    boolean singleMode;
    /** 0: operational; 2, 3, 4: waiting for that ICW. */
    int initStep;

    Pic8259(boolean master, int levelCapable) {
        this.master = master;
        this.levelCapable = levelCapable;
        this.internalLevelInputs = master ? 1 << 2 : 0;
    }

    void reset() {
        highestPriority = 0;
        irr = 0;
        isr = 0;
        imr = 0;
        vectorBase = 0;
        lineLevels = 0;
        levelTriggered = 0;
        readIsr = false;
        pollPending = false;
        specialMask = false;
        autoEoi = false;
        rotateOnAutoEoi = false;
        specialFullyNested = false;
        expectIcw4 = false;
        singleMode = false;
        initStep = 0;
    }

    /** Drives input {@code irq} (0-7). */
    void setLine(int irq, boolean high) {
        int bit = 1 << irq;
        if (((levelTriggered | internalLevelInputs) & bit) != 0) {
            if (high) {
                irr |= bit;
            } else {
                irr &= ~bit;
            }
        } else if (high && (lineLevels & bit) == 0) {
            irr |= bit;
        }
        // An edge-triggered request stays latched in IRR after the line falls, as on QEMU's model.
        lineLevels = high ? lineLevels | bit : lineLevels & ~bit;
    }

    /** The rank (0 = highest) of the best-priority bit in {@code bits}, or 8 for none. */
    private int rank(int bits) {
        if (bits == 0) {
            return 8;
        }
        for (int rank = 0; rank < 8; rank++) {
            if ((bits & (1 << ((rank + highestPriority) & 7))) != 0) {
                return rank;
            }
        }
        return 8;
    }

    /** The IRQ this chip would present to its INT output now, or -1. */
    int pendingIrq() {
        int requestRank = rank(irr & ~imr);
        if (requestRank == 8) {
            return -1;
        }
        int inService = isr;
        if (specialMask) {
            // Special mask mode: masked in-service levels do not block lower priorities.
            inService &= ~imr;
        }
        if (specialFullyNested && master) {
            // The slave may interrupt again while its cascade input is in service.
            inService &= ~(1 << 2);
        }
        int serviceRank = rank(inService);
        return requestRank < serviceRank ? (requestRank + highestPriority) & 7 : -1;
    }

    /** The INTA cycle for {@code irq}: moves it from IRR to ISR (or not, with auto-EOI). */
    void acknowledge(int irq) {
        int bit = 1 << irq;
        if (((levelTriggered | internalLevelInputs) & bit) == 0) {
            irr &= ~bit;
        }
        if (autoEoi) {
            if (rotateOnAutoEoi) {
                highestPriority = (irq + 1) & 7;
            }
        } else {
            isr |= bit;
        }
    }

    void writeCommand(int value) {
        if ((value & 0x10) != 0) {
            initialize(value);
        } else if ((value & 0x08) != 0) {
            operationCommand3(value);
        } else {
            operationCommand2(value);
        }
    }

    private void initialize(int icw1) {
        irr &= levelTriggered | internalLevelInputs;
        isr = 0;
        imr = 0;
        lineLevels = 0;
        highestPriority = 0;
        readIsr = false;
        pollPending = false;
        specialMask = false;
        autoEoi = false;
        rotateOnAutoEoi = false;
        specialFullyNested = false;
        singleMode = (icw1 & 0x02) != 0;
        expectIcw4 = (icw1 & 0x01) != 0;
        initStep = 2;
    }

    private void operationCommand3(int value) {
        if ((value & 0x04) != 0) {
            pollPending = true;
        }
        if ((value & 0x02) != 0) {
            readIsr = (value & 0x01) != 0;
        }
        if ((value & 0x40) != 0) {
            specialMask = (value & 0x20) != 0;
        }
    }

    private void operationCommand2(int value) {
        int command = value >>> 5;
        switch (command) {
            case 0: // rotate in automatic EOI mode: clear
                rotateOnAutoEoi = false;
                break;
            case 4: // rotate in automatic EOI mode: set
                rotateOnAutoEoi = true;
                break;
            case 1: // non-specific EOI
            case 5: { // rotate on non-specific EOI
                int serviceRank = rank(isr);
                if (serviceRank != 8) {
                    int irq = (serviceRank + highestPriority) & 7;
                    isr &= ~(1 << irq);
                    if (command == 5) {
                        highestPriority = (irq + 1) & 7;
                    }
                }
                break;
            }
            case 3: // specific EOI
                isr &= ~(1 << (value & 7));
                break;
            case 6: // set priority: the given IRQ becomes the lowest
                highestPriority = (value + 1) & 7;
                break;
            case 7: // rotate on specific EOI
                isr &= ~(1 << (value & 7));
                highestPriority = ((value & 7) + 1) & 7;
                break;
            default: // 2: no operation
                break;
        }
    }

    void writeData(int value) {
        switch (initStep) {
            case 2:
                vectorBase = value & 0xF8;
                initStep = singleMode ? (expectIcw4 ? 4 : 0) : 3;
                break;
            case 3: // ICW3: the cascade wiring is fixed on a PC
                initStep = expectIcw4 ? 4 : 0;
                break;
            case 4:
                autoEoi = (value & 0x02) != 0;
                specialFullyNested = (value & 0x10) != 0;
                initStep = 0;
                break;
            default:
                imr = value;
                break;
        }
    }

    /** Reads port 0 (IRR or ISR, as OCW3 selected) when no poll is pending. */
    /** Writes every register and mode bit; {@code levelCapable} is wiring, not state. */
    void save(StateWriter out) {
        out.putByte(highestPriority);
        out.putByte(irr);
        out.putByte(isr);
        out.putByte(imr);
        out.putByte(vectorBase);
        out.putByte(lineLevels);
        out.putByte(levelTriggered);
        out.putBoolean(readIsr);
        out.putBoolean(pollPending);
        out.putBoolean(specialMask);
        out.putBoolean(autoEoi);
        out.putBoolean(rotateOnAutoEoi);
        out.putBoolean(specialFullyNested);
        out.putBoolean(expectIcw4);
        out.putBoolean(singleMode);
        out.putByte(initStep);
    }

    /** Reads what {@link #save} wrote, refusing values no guest write could produce. */
    void load(StateReader in, String section) {
        highestPriority = StateChecks.inRange(section, "priority", in.getByte(), 0, 7);
        irr = in.getByte();
        isr = in.getByte();
        imr = in.getByte();
        vectorBase = in.getByte();
        if ((vectorBase & 7) != 0) {
            throw new StateFormatException(section + ": vector base " + vectorBase + " is not a multiple of 8");
        }
        lineLevels = in.getByte();
        levelTriggered = in.getByte();
        if ((levelTriggered & ~levelCapable) != 0) {
            throw new StateFormatException(section + ": level-triggered inputs " + levelTriggered
                    + " not allowed by this chip");
        }
        readIsr = in.getBoolean();
        pollPending = in.getBoolean();
        specialMask = in.getBoolean();
        autoEoi = in.getBoolean();
        rotateOnAutoEoi = in.getBoolean();
        specialFullyNested = in.getBoolean();
        expectIcw4 = in.getBoolean();
        singleMode = in.getBoolean();
        initStep = in.getByte();
        if (initStep == 1 || initStep > 4) {
            throw new StateFormatException(section + ": initialisation step " + initStep + " does not exist");
        }
    }

    int readStatus() {
        return readIsr ? isr : irr;
    }

    void writeElcr(int value) {
        levelTriggered = value & levelCapable;
    }
}
