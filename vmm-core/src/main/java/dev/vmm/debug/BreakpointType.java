package dev.vmm.debug;

/** The kinds of breakpoint a debugger can ask for, in the gdb protocol's Z0-Z4 order. */
public enum BreakpointType {
    /** An int3 written into guest memory (Z0). */
    SOFTWARE,
    /** A debug register matching instruction fetch (Z1). */
    HARDWARE,
    /** A debug register matching writes (Z2). */
    WRITE_WATCH,
    /** Reads only (Z3): x86 debug registers cannot tell reads from writes, so this is refused. */
    READ_WATCH,
    /** A debug register matching reads and writes (Z4). */
    ACCESS_WATCH;

    public static BreakpointType ofGdbType(int z) {
        BreakpointType[] all = values();
        if (z < 0 || z >= all.length) {
            throw new IllegalArgumentException("breakpoint type " + z + " (0..4)");
        }
        return all[z];
    }

    public boolean isWatchpoint() {
        return this == WRITE_WATCH || this == READ_WATCH || this == ACCESS_WATCH;
    }
}
