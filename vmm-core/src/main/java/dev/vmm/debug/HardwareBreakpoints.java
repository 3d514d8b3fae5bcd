package dev.vmm.debug;

import java.util.Arrays;

/**
 * The four x86 debug-register slots DR0-DR3 and the DR7 value that arms them (Intel SDM vol. 3,
 * 18.2.4): per slot a global-enable bit (1 + 2n), R/W bits at 16 + 4n (00 execute, 01 write,
 * 11 read or write) and LEN bits at 18 + 4n (00 one byte, 01 two, 11 four, 10 eight). Pure: the
 * debugger hands {@link #debugRegisters()} to KVM_SET_GUEST_DEBUG.
 */
public final class HardwareBreakpoints {
    public static final int SLOTS = 4;

    private record Slot(BreakpointType type, long address, int length) {
    }

    private final Slot[] slots = new Slot[SLOTS];

    /**
     * Arms a free slot. @return false when all four are in use
     * @throws IllegalArgumentException for a length x86 cannot watch, an unaligned address, or a read-only watch
     */
    public boolean insert(BreakpointType type, long address, int length) {
        int len = type == BreakpointType.HARDWARE ? 1 : length;
        if (type == BreakpointType.SOFTWARE || type == BreakpointType.READ_WATCH) {
            throw new IllegalArgumentException(type + " is not a debug-register breakpoint on x86");
        }
        if (len != 1 && len != 2 && len != 4 && len != 8) {
            throw new IllegalArgumentException("a watchpoint covers 1, 2, 4 or 8 bytes, not " + length);
        }
        if ((address & (len - 1)) != 0) {
            throw new IllegalArgumentException(String.format("a %d-byte watchpoint needs an aligned address, not 0x%x", len, address));
        }
        for (int i = 0; i < SLOTS; i++) {
            if (slots[i] == null) {
                slots[i] = new Slot(type, address, len);
                return true;
            }
        }
        return false;
    }

    /** @return false when no slot held that breakpoint */
    public boolean remove(BreakpointType type, long address, int length) {
        int len = type == BreakpointType.HARDWARE ? 1 : length;
        for (int i = 0; i < SLOTS; i++) {
            if (slots[i] != null && slots[i].equals(new Slot(type, address, len))) {
                slots[i] = null;
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return Arrays.stream(slots).allMatch(s -> s == null);
    }

    public void clear() {
        Arrays.fill(slots, null);
    }

    /** Type of slot {@code i} (0-3), or null when it is free. */
    public BreakpointType type(int i) {
        return slots[i] == null ? null : slots[i].type();
    }

    public long address(int i) {
        return slots[i] == null ? 0 : slots[i].address();
    }

    /** DR0-DR7 as kvm_guest_debug wants them: addresses in 0-3, DR7 in 7. */
    public long[] debugRegisters() {
        long[] dr = new long[8];
        long dr7 = 0;
        for (int i = 0; i < SLOTS; i++) {
            Slot s = slots[i];
            if (s == null) {
                continue;
            }
            dr[i] = s.address();
            dr7 |= 2L << (2 * i);
            dr7 |= (long) rwBits(s.type()) << (16 + 4 * i);
            dr7 |= (long) lenBits(s.length()) << (18 + 4 * i);
        }
        dr[7] = dr7;
        return dr;
    }

    private static int rwBits(BreakpointType type) {
        return switch (type) {
            case HARDWARE -> 0b00;
            case WRITE_WATCH -> 0b01;
            default -> 0b11;
        };
    }

    private static int lenBits(int length) {
        return switch (length) {
            case 1 -> 0b00;
            case 2 -> 0b01;
            case 8 -> 0b10;
            default -> 0b11;
        };
    }
}
