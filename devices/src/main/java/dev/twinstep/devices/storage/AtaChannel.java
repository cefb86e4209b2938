package dev.twinstep.devices.storage;

import static dev.twinstep.devices.storage.AtaProtocol.*;

import dev.twinstep.core.bus.IoBus;
import dev.twinstep.core.bus.IoPortHandler;
import dev.twinstep.core.irq.IrqLine;
import dev.twinstep.core.machine.MachineDevice;
import dev.twinstep.core.memory.GuestMemory;
import dev.twinstep.core.state.StateFormatException;
import dev.twinstep.core.state.StateReader;
import dev.twinstep.core.state.StateWriter;
import dev.twinstep.core.state.Stateful;
import dev.twinstep.devices.state.StateChecks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The primary ATA (IDE) channel of a PC: command block 0x1F0-0x1F7, device control and alternate
 * status at 0x3F6, IRQ 14, a master (device 0) and an optional slave (device 1), transferring data by
 * PIO only.
 *
 * <p>Commands complete at once (the drive is never seen busy, except while SRST is held), and data
 * moves through the data port with 16- or 32-bit accesses. Reads raise the interrupt when each block
 * (one sector, or the multiple count for READ MULTIPLE) is ready; writes raise it when each block's
 * data has been taken and written, the first block being requested by DRQ alone. Reading the status
 * register clears a pending interrupt, the alternate status does not; nIEN masks the line. A missing
 * drive reads as 0 in every register, as in QEMU, and ignores commands. An address range that does
 * not fit inside the image fails with IDNF before a byte moves; a write to a read-only image, an
 * unsupported command or a host I/O error fails with ABRT. Neither ever changes the image.
 *
 * <p>The task file is shared by both drives ({@link AtaTaskFile}); status and error are per drive
 * ({@link AtaDrive}). All state lives in plain fields so that it can be saved and restored later.
 * Machine thread only.
 */
public final class AtaChannel implements MachineDevice, IoPortHandler, Stateful, AutoCloseable {
    /** The primary channel's ports and IRQ. */
    public static final int PRIMARY_COMMAND_PORT = 0x1F0, PRIMARY_CONTROL_PORT = 0x3F6, PRIMARY_IRQ = 14;
    static final int COMMAND_PORT_COUNT = 8;
    /**
     * The error bit for an address past the end. ATA-6 allows IDNF or ABRT; IDNF says more. (QEMU
     * answers ABRT, so a transcript of a guest that prints the error register differs in this bit.)
     */
    static final int OUT_OF_RANGE_ERROR = ERROR_IDNF;

    private static final System.Logger LOG = System.getLogger(AtaChannel.class.getName());
    private static final int NO_TRANSFER = 0, TRANSFER_IN = 1, TRANSFER_OUT = 2;

    private final AtaDrive[] drives = new AtaDrive[2];
    private final IrqLine irq;
    /** One block of PIO data; direct, so that the image's file I/O needs no copy. */
    private final ByteBuffer buffer =
            ByteBuffer.allocateDirect(MAX_MULTIPLE_SECTORS * DiskImage.SECTOR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final IoPortHandler controlPort = new ControlPort();

    private final AtaTaskFile taskFile = new AtaTaskFile();
    private int control;
    private boolean irqPending;

    // The PIO transfer in progress.
    private int transfer;
    private int transferDrive;
    private long nextSector;
    private long sectorsLeft;
    private int blockSectors;
    private int bufferPosition, bufferEnd;

    /**
     * Creates the channel. It takes ownership of the images: {@link #close()} closes them.
     *
     * @param master device 0's image, or null for none
     * @param slave device 1's image, or null for none (a missing slave reads as no device)
     * @param irq the channel's interrupt line (IRQ 14 on the PIC), or {@link IrqLine#NONE}
     */
    public AtaChannel(DiskImage master, DiskImage slave, IrqLine irq) {
        this.irq = irq;
        if (master != null) {
            drives[0] = new AtaDrive(master, "TWINSTEP HARDDISK", "TS0001", "1.0");
        }
        if (slave != null) {
            drives[1] = new AtaDrive(slave, "TWINSTEP HARDDISK", "TS0002", "1.0");
        }
        reset();
    }

    @Override
    public String name() {
        return "ide0";
    }

    @Override
    public void attach(IoBus io, GuestMemory memory) {
        io.register(PRIMARY_COMMAND_PORT, COMMAND_PORT_COUNT, this, "ide0");
        io.register(PRIMARY_CONTROL_PORT, 1, controlPort, "ide0-control");
    }

    /** The image of device {@code index} (0 master, 1 slave), or null if there is none. */
    public DiskImage image(int index) {
        AtaDrive drive = drives[index];
        return drive == null ? null : drive.image;
    }

    /** Power-on reset: both drives ready with their signature, multiple mode at its default. */
    @Override
    public void reset() {
        for (AtaDrive drive : drives) {
            if (drive != null) {
                drive.powerOn();
            }
        }
        taskFile.clear();
        control = 0;
        endTransfer();
        irqPending = false;
        updateIrq();
    }

    /** Forces written data of every image to stable storage, as at the end of a run. */
    @Override
    public void flush() {
        for (AtaDrive drive : drives) {
            if (drive != null) {
                try {
                    drive.image.flush();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot flush disk image: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Flushes and closes every image. Failures are logged, not thrown: the run is over and each image
     * must still get its chance to close.
     */
    @Override
    public void close() {
        for (AtaDrive drive : drives) {
            if (drive != null) {
                try {
                    drive.image.close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot close disk image: " + e.getMessage());
                }
            }
        }
    }

    @Override
    public int ioRead(int offset, int size) {
        if (offset == REG_DATA) {
            return readData(size);
        }
        int value = 0;
        for (int i = 0; i < size && offset + i < COMMAND_PORT_COUNT; i++) {
            value |= readRegister(offset + i) << (8 * i);
        }
        return value;
    }

    @Override
    public void ioWrite(int offset, int size, int value) {
        if (offset == REG_DATA) {
            writeData(size, value);
            return;
        }
        for (int i = 0; i < size && offset + i < COMMAND_PORT_COUNT; i++) {
            writeRegister(offset + i, (value >>> (8 * i)) & 0xFF);
        }
    }

    private int readRegister(int offset) {
        AtaDrive drive = drives[taskFile.selectedIndex()];
        if (offset == REG_STATUS_COMMAND) {
            irqPending = false; // the host's interrupt acknowledge
            updateIrq();
            return drive == null ? 0 : drive.status;
        }
        if (drive == null) {
            // As QEMU: the device register still reads back when the other drive is present.
            return offset == REG_DEVICE && (drives[0] != null || drives[1] != null) ? taskFile.device : 0;
        }
        if (offset == REG_ERROR_FEATURES) {
            return (control & CONTROL_HOB) != 0 ? taskFile.hobFeatures : drive.error;
        }
        return taskFile.read(offset, (control & CONTROL_HOB) != 0);
    }

    private void writeRegister(int offset, int value) {
        if (resetHeld()) {
            return;
        }
        control &= ~CONTROL_HOB; // a write to any command block register clears HOB
        if (offset == REG_STATUS_COMMAND) {
            execute(value);
        } else {
            taskFile.write(offset, value);
        }
    }

    private boolean resetHeld() {
        return (control & CONTROL_SRST) != 0;
    }

    private void writeControl(int value) {
        boolean wasHeld = resetHeld();
        control = value & (CONTROL_NIEN | CONTROL_SRST | CONTROL_HOB);
        if (!wasHeld && resetHeld()) {
            endTransfer();
            for (AtaDrive drive : drives) {
                if (drive != null) {
                    drive.status = STATUS_BSY | STATUS_DSC;
                }
            }
            irqPending = false;
        } else if (wasHeld && !resetHeld()) {
            for (AtaDrive drive : drives) {
                if (drive != null) {
                    drive.afterReset();
                }
            }
            taskFile.setSignature();
        }
        updateIrq();
    }

    private int alternateStatus() {
        AtaDrive drive = drives[taskFile.selectedIndex()];
        return drive == null ? 0 : drive.status;
    }

    private void execute(int command) {
        int index = taskFile.selectedIndex();
        AtaDrive drive = drives[index];
        if (drive == null) {
            return; // nothing answers on the cable; QEMU ignores it too
        }
        endTransfer();
        drive.error = 0;
        switch (command) {
            case CMD_IDENTIFY_DEVICE:
                AtaIdentify.write(drive, buffer);
                beginTransfer(TRANSFER_IN, index, 0, 1, 1);
                bufferEnd = DiskImage.SECTOR_SIZE;
                completeWithData(drive);
                break;
            case CMD_READ_SECTORS:
            case CMD_READ_SECTORS_NO_RETRY:
            case CMD_READ_SECTORS_EXT:
                startRead(index, drive, command == CMD_READ_SECTORS_EXT, 1);
                break;
            case CMD_READ_MULTIPLE:
            case CMD_READ_MULTIPLE_EXT:
                if (drive.multipleSectors == 0) {
                    abort(drive, ERROR_ABRT);
                } else {
                    startRead(index, drive, command == CMD_READ_MULTIPLE_EXT, drive.multipleSectors);
                }
                break;
            case CMD_WRITE_SECTORS:
            case CMD_WRITE_SECTORS_NO_RETRY:
            case CMD_WRITE_SECTORS_EXT:
                startWrite(index, drive, command == CMD_WRITE_SECTORS_EXT, 1);
                break;
            case CMD_WRITE_MULTIPLE:
            case CMD_WRITE_MULTIPLE_EXT:
                if (drive.multipleSectors == 0) {
                    abort(drive, ERROR_ABRT);
                } else {
                    startWrite(index, drive, command == CMD_WRITE_MULTIPLE_EXT, drive.multipleSectors);
                }
                break;
            case CMD_SET_MULTIPLE_MODE:
                setMultipleMode(drive);
                break;
            case CMD_READ_VERIFY:
            case CMD_READ_VERIFY_NO_RETRY:
            case CMD_READ_VERIFY_EXT:
                if (checkedStart(drive, command == CMD_READ_VERIFY_EXT) >= 0) {
                    complete(drive);
                }
                break;
            case CMD_FLUSH_CACHE:
            case CMD_FLUSH_CACHE_EXT:
                flushCache(drive);
                break;
            case CMD_SET_FEATURES:
                setFeatures(drive);
                break;
            case CMD_INITIALIZE_DEVICE_PARAMETERS:
                if (taskFile.sectorCount == 0) {
                    abort(drive, ERROR_ABRT);
                } else {
                    drive.heads = taskFile.head() + 1;
                    drive.sectorsPerTrack = taskFile.sectorCount;
                    complete(drive);
                }
                break;
            case CMD_CHECK_POWER_MODE:
                taskFile.sectorCount = 0xFF; // active or idle
                complete(drive);
                break;
            case CMD_EXECUTE_DEVICE_DIAGNOSTIC:
                for (AtaDrive each : drives) {
                    if (each != null) {
                        each.afterReset();
                    }
                }
                taskFile.setSignature();
                raiseIrq();
                break;
            default:
                if ((command & 0xF0) == CMD_RECALIBRATE) {
                    complete(drive);
                } else {
                    abort(drive, ERROR_ABRT);
                }
                break;
        }
    }

    private void startRead(int index, AtaDrive drive, boolean lba48, int block) {
        long first = checkedStart(drive, lba48);
        if (first >= 0) {
            beginTransfer(TRANSFER_IN, index, first, taskFile.transferCount(lba48), block);
            loadBlock(drive);
        }
    }

    private void startWrite(int index, AtaDrive drive, boolean lba48, int block) {
        if (drive.image.isReadOnly()) {
            abort(drive, ERROR_ABRT);
            return;
        }
        long first = checkedStart(drive, lba48);
        if (first >= 0) {
            beginTransfer(TRANSFER_OUT, index, first, taskFile.transferCount(lba48), block);
            expectBlock(drive); // the first block is requested by DRQ alone: the host polls for it
        }
    }

    /**
     * The first sector the task file addresses, or -1 after failing the command when the address or
     * the whole range is not inside the image.
     */
    private long checkedStart(AtaDrive drive, boolean lba48) {
        long first;
        if (lba48) {
            first = taskFile.lba48();
        } else if (taskFile.isLbaMode()) {
            first = taskFile.lba28();
        } else {
            first = drive.chsToLba(taskFile.cylinder(), taskFile.head(), taskFile.lbaLow);
        }
        if (first < 0 || first + taskFile.transferCount(lba48) > drive.sectorCount()) {
            abort(drive, OUT_OF_RANGE_ERROR);
            return -1;
        }
        return first;
    }

    private void beginTransfer(int direction, int index, long first, long count, int block) {
        transfer = direction;
        transferDrive = index;
        nextSector = first;
        sectorsLeft = count;
        blockSectors = block;
        bufferPosition = 0;
    }

    /** Reads the next block from the image and offers it on the data port. */
    private void loadBlock(AtaDrive drive) {
        int bytes = (int) Math.min(blockSectors, sectorsLeft) * DiskImage.SECTOR_SIZE;
        buffer.clear().limit(bytes);
        try {
            drive.image.read(nextSector, buffer);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "disk read failed at sector " + nextSector + ": " + e);
            endTransfer();
            abort(drive, ERROR_ABRT);
            return;
        }
        bufferPosition = 0;
        bufferEnd = bytes;
        completeWithData(drive);
    }

    /** Asks the host for the next block of write data. */
    private void expectBlock(AtaDrive drive) {
        bufferPosition = 0;
        bufferEnd = (int) Math.min(blockSectors, sectorsLeft) * DiskImage.SECTOR_SIZE;
        drive.status = STATUS_READY | STATUS_DRQ;
    }

    private int readData(int size) {
        if (transfer != TRANSFER_IN) {
            return 0; // QEMU's answer; real hardware floats
        }
        if (bufferPosition + size > bufferEnd) {
            return readDataAcrossBlocks(size);
        }
        int value = size == 2 ? buffer.getShort(bufferPosition) & 0xFFFF
                : size == 4 ? buffer.getInt(bufferPosition)
                : buffer.get(bufferPosition) & 0xFF;
        bufferPosition += size;
        if (bufferPosition == bufferEnd) {
            dataInBlockDone();
        }
        return value;
    }

    /** The rare access that straddles two blocks (a mix of 16- and 32-bit reads): byte by byte. */
    private int readDataAcrossBlocks(int size) {
        int value = 0;
        for (int i = 0; i < size && transfer == TRANSFER_IN; i++) {
            value |= (buffer.get(bufferPosition++) & 0xFF) << (8 * i);
            if (bufferPosition == bufferEnd) {
                dataInBlockDone();
            }
        }
        return value;
    }

    private void writeData(int size, int value) {
        if (transfer != TRANSFER_OUT) {
            return; // no DRQ: the data goes nowhere, and never to the image
        }
        if (bufferPosition + size <= bufferEnd && size != 1) {
            if (size == 2) {
                buffer.putShort(bufferPosition, (short) value);
            } else {
                buffer.putInt(bufferPosition, value);
            }
            bufferPosition += size;
            if (bufferPosition == bufferEnd) {
                dataOutBlockDone();
            }
            return;
        }
        for (int i = 0; i < size && transfer == TRANSFER_OUT; i++) {
            buffer.put(bufferPosition++, (byte) (value >>> (8 * i)));
            if (bufferPosition == bufferEnd) {
                dataOutBlockDone();
            }
        }
    }

    private void dataInBlockDone() {
        AtaDrive drive = drives[transferDrive];
        int sectors = bufferEnd / DiskImage.SECTOR_SIZE;
        sectorsLeft -= sectors;
        nextSector += sectors;
        if (sectorsLeft > 0) {
            loadBlock(drive);
        } else {
            endTransfer();
            drive.status = STATUS_READY; // no interrupt: the last one announced this block
        }
    }

    private void dataOutBlockDone() {
        AtaDrive drive = drives[transferDrive];
        int sectors = bufferEnd / DiskImage.SECTOR_SIZE;
        buffer.clear().limit(bufferEnd);
        try {
            drive.image.write(nextSector, buffer);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "disk write failed at sector " + nextSector + ": " + e);
            endTransfer();
            abort(drive, ERROR_ABRT);
            return;
        }
        sectorsLeft -= sectors;
        nextSector += sectors;
        if (sectorsLeft > 0) {
            expectBlock(drive);
            raiseIrq();
        } else {
            endTransfer();
            complete(drive);
        }
    }

    private void endTransfer() {
        transfer = NO_TRANSFER;
        bufferPosition = 0;
        bufferEnd = 0;
        sectorsLeft = 0;
    }

    private void setMultipleMode(AtaDrive drive) {
        int count = taskFile.sectorCount;
        if (count > MAX_MULTIPLE_SECTORS || (count & (count - 1)) != 0) {
            abort(drive, ERROR_ABRT);
        } else {
            drive.multipleSectors = count; // 0 turns multiple mode off
            complete(drive);
        }
    }

    private void setFeatures(AtaDrive drive) {
        switch (taskFile.features) {
            case FEATURE_ENABLE_WRITE_CACHE:
                drive.writeCacheEnabled = true;
                complete(drive);
                break;
            case FEATURE_DISABLE_WRITE_CACHE:
                drive.writeCacheEnabled = false;
                complete(drive);
                break;
            case FEATURE_SET_TRANSFER_MODE:
                // PIO default and PIO flow-control modes are what this channel does; DMA modes are not.
                int mode = taskFile.sectorCount & 0xF8;
                if (mode == 0x00 || mode == 0x08) {
                    complete(drive);
                } else {
                    abort(drive, ERROR_ABRT);
                }
                break;
            default:
                abort(drive, ERROR_ABRT);
                break;
        }
    }

    private void flushCache(AtaDrive drive) {
        try {
            drive.image.flush();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "disk flush failed: " + e.getMessage());
            abort(drive, ERROR_ABRT);
            return;
        }
        complete(drive);
    }

    private void completeWithData(AtaDrive drive) {
        drive.status = STATUS_READY | STATUS_DRQ;
        raiseIrq();
    }

    private void complete(AtaDrive drive) {
        drive.status = STATUS_READY;
        raiseIrq();
    }

    private void abort(AtaDrive drive, int error) {
        drive.error = error;
        drive.status = STATUS_READY | STATUS_ERR;
        raiseIrq();
    }

    private void raiseIrq() {
        irqPending = true;
        updateIrq();
    }

    @Override
    public String sectionName() {
        return AtaStateCodec.SECTION;
    }

    @Override
    public int sectionVersion() {
        return 1;
    }

    /**
     * Saves the task file, device control, the pending interrupt, both drives (with their images'
     * dirty-sector logs) and a PIO transfer in progress with its block buffer. Image contents are
     * not saved: the disk is a host resource, replicated by its own dirty log.
     */
    @Override
    public void save(StateWriter out) {
        AtaStateCodec.saveTaskFile(out, taskFile);
        out.putByte(control);
        out.putBoolean(irqPending);
        AtaStateCodec.saveDrive(out, drives[0]);
        AtaStateCodec.saveDrive(out, drives[1]);
        out.putByte(transfer);
        out.putByte(transferDrive);
        out.putLong(nextSector);
        out.putLong(sectorsLeft);
        out.putInt(blockSectors);
        out.putInt(bufferEnd);
        out.putInt(bufferPosition);
        byte[] block = new byte[transfer == NO_TRANSFER ? 0 : bufferEnd];
        buffer.get(0, block);
        out.putBytes(block);
    }

    /** Restores this channel alone (mid-transfer included) and re-drives IRQ 14. */
    @Override
    public void load(StateReader in, int version) {
        AtaStateCodec.loadTaskFile(in, taskFile);
        control = in.getByte();
        if ((control & ~(CONTROL_NIEN | CONTROL_SRST | CONTROL_HOB)) != 0) {
            throw new StateFormatException(sectionName() + ": device control " + control + " has unknown bits");
        }
        irqPending = in.getBoolean();
        AtaStateCodec.loadDrive(in, drives[0], 0);
        AtaStateCodec.loadDrive(in, drives[1], 1);
        int direction = StateChecks.inRange(sectionName(), "transfer", in.getByte(), NO_TRANSFER, TRANSFER_OUT);
        int driveIndex = StateChecks.inRange(sectionName(), "transfer drive", in.getByte(), 0, 1);
        long next = StateChecks.nonNegative(sectionName(), "next sector", in.getLong());
        long left = StateChecks.nonNegative(sectionName(), "sectors left", in.getLong());
        int blockCount = StateChecks.inRange(sectionName(), "block sectors", in.getInt(), 0, MAX_MULTIPLE_SECTORS);
        int end = StateChecks.inRange(sectionName(), "buffer end", in.getInt(), 0, buffer.capacity());
        int position = StateChecks.inRange(sectionName(), "buffer position", in.getInt(), 0, end);
        byte[] block = in.getBytes();
        if (direction != NO_TRANSFER) {
            AtaDrive drive = drives[driveIndex];
            if (drive == null || next + left > drive.sectorCount() || block.length != end) {
                throw new StateFormatException(sectionName() + ": transfer state does not fit drive " + driveIndex);
            }
        } else if (block.length != 0) {
            throw new StateFormatException(sectionName() + ": block data without a transfer");
        }
        transfer = direction;
        transferDrive = driveIndex;
        nextSector = next;
        sectorsLeft = left;
        blockSectors = blockCount;
        bufferPosition = position;
        bufferEnd = end;
        buffer.clear();
        buffer.put(0, block);
        updateIrq();
    }

    private void updateIrq() {
        irq.setLevel(irqPending && (control & CONTROL_NIEN) == 0);
    }

    /** 0x3F6: alternate status on read (no interrupt acknowledge), device control on write. */
    private final class ControlPort implements IoPortHandler {
        @Override
        public int ioRead(int offset, int size) {
            return alternateStatus();
        }

        @Override
        public void ioWrite(int offset, int size, int value) {
            writeControl(value & 0xFF);
        }
    }
}
