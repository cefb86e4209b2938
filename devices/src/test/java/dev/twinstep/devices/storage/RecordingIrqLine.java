package dev.twinstep.devices.storage;

import dev.twinstep.core.irq.IrqLine;

/** An interrupt line that remembers its level and counts rising edges, as an edge-triggered PIC input sees them. */
final class RecordingIrqLine implements IrqLine {
    private boolean level;
    private int risingEdges;

    @Override
    public void setLevel(boolean high) {
        if (high && !level) {
            risingEdges++;
        }
        level = high;
    }

    boolean isHigh() {
        return level;
    }

    /** Rising edges since the last call. */
    int takeRisingEdges() {
        int edges = risingEdges;
        risingEdges = 0;
        return edges;
    }
}
