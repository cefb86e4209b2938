package dev.twinstep.core.cpu;

/**
 * A guest-visible CPU exception (#DE, #GP, #PF...) raised while executing an instruction. One
 * preallocated, stackless instance per CPU is reused: raising an exception allocates nothing.
 * The machine loop catches it at the instruction boundary and delivers the vector to the guest.
 */
public final class CpuException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8,
            TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18;

    /** The vector (0-31). */
    public int vector;
    /** The error code, valid when {@link #hasErrorCode}. */
    public int errorCode;
    public boolean hasErrorCode;

    CpuException() {
        super(null, null, false, false);
    }

    /** Fills this instance and returns it, for {@code throw ex.set(...)}. */
    public CpuException set(int vector, int errorCode, boolean hasErrorCode) {
        this.vector = vector;
        this.errorCode = errorCode;
        this.hasErrorCode = hasErrorCode;
        return this;
    }

    public static boolean vectorHasErrorCode(int vector) {
        return vector == DF || vector == TS || vector == NP || vector == SS || vector == GP
                || vector == PF || vector == AC;
    }

    @Override
    public String getMessage() {
        return "vector " + vector + (hasErrorCode ? " error " + Integer.toHexString(errorCode) : "");
    }
}
