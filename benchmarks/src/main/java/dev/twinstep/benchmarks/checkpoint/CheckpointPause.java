package dev.twinstep.benchmarks.checkpoint;

import dev.twinstep.colo.state.EpochCapture;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The primary's checkpoint pause as {@code ColoPrimary} takes it: a task the machine runs at an
 * instruction-block boundary ({@link dev.twinstep.core.machine.Machine#atBoundary}), which closes the
 * output epoch and stages the epoch ({@link EpochCapture#capture()}); the guest stands still only
 * while it runs. One instance is reused, so taking a pause allocates nothing here.
 */
final class CheckpointPause implements Runnable {
    private final CheckpointPc pc;
    private final EpochCapture capture;
    private long epoch;

    CheckpointPause(CheckpointPc pc, EpochCapture capture) {
        this.pc = pc;
        this.capture = capture;
    }

    /**
     * Takes the pause and returns the epoch it closed.
     *
     * @throws UncheckedIOException when the capture fails (as in {@code ColoPrimary})
     */
    long take() throws InterruptedException {
        pc.machine().atBoundary(this);
        return epoch;
    }

    /** The boundary task itself; not for direct calls. */
    @Override
    public void run() {
        epoch = pc.output().closeEpoch();
        try {
            capture.capture();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
