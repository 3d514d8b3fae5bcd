package dev.vmm.kvm;

import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * View of a vCPU's mmapped {@code struct kvm_run}. Reads go through a direct ByteBuffer over
 * the mapping, so inspecting an exit allocates nothing. Offsets (checked by StructLayoutTest):
 * request_interrupt_window u8@0, immediate_exit u8@1, exit_reason u32@8,
 * ready_for_interrupt_injection u8@12, if_flag u8@13, flags u16@14, cr8 u64@16,
 * apic_base u64@24, exit union @32.
 */
public final class KvmRun {
    // ---- exit reasons (KVM_EXIT_*) ----
    public static final int EXIT_UNKNOWN = 0;
    public static final int EXIT_EXCEPTION = 1;
    public static final int EXIT_IO = 2;
    public static final int EXIT_HYPERCALL = 3;
    public static final int EXIT_DEBUG = 4;
    public static final int EXIT_HLT = 5;
    public static final int EXIT_MMIO = 6;
    public static final int EXIT_IRQ_WINDOW_OPEN = 7;
    public static final int EXIT_SHUTDOWN = 8;
    public static final int EXIT_FAIL_ENTRY = 9;
    public static final int EXIT_INTR = 10;
    public static final int EXIT_SET_TPR = 11;
    public static final int EXIT_TPR_ACCESS = 12;
    public static final int EXIT_NMI = 16;
    public static final int EXIT_INTERNAL_ERROR = 17;
    public static final int EXIT_SYSTEM_EVENT = 24;
    public static final int EXIT_IOAPIC_EOI = 26;
    public static final int EXIT_HYPERV = 27;
    public static final int EXIT_DIRTY_RING_FULL = 31;
    public static final int EXIT_NOTIFY = 37;

    public static final int IO_IN = 0;
    public static final int IO_OUT = 1;

    public static final int SYSTEM_EVENT_SHUTDOWN = 1;
    public static final int SYSTEM_EVENT_RESET = 2;
    public static final int SYSTEM_EVENT_CRASH = 3;

    // ---- offsets ----
    public static final int OFF_REQUEST_INTERRUPT_WINDOW = 0;
    public static final int OFF_IMMEDIATE_EXIT = 1;
    public static final int OFF_EXIT_REASON = 8;
    public static final int OFF_READY_FOR_INTERRUPT_INJECTION = 12;
    public static final int OFF_IF_FLAG = 13;
    public static final int OFF_FLAGS = 14;
    public static final int OFF_CR8 = 16;
    public static final int OFF_APIC_BASE = 24;
    /** The exit union. */
    public static final int OFF_UNION = 32;
    public static final int OFF_IO_DIRECTION = 32, OFF_IO_SIZE = 33, OFF_IO_PORT = 34, OFF_IO_COUNT = 36,
            OFF_IO_DATA_OFFSET = 40;
    public static final int OFF_MMIO_PHYS_ADDR = 32, OFF_MMIO_DATA = 40, OFF_MMIO_LEN = 48, OFF_MMIO_IS_WRITE = 52;
    public static final int OFF_INTERNAL_SUBERROR = 32, OFF_INTERNAL_NDATA = 36, OFF_INTERNAL_DATA = 40;
    public static final int OFF_FAIL_ENTRY_REASON = 32, OFF_FAIL_ENTRY_CPU = 40;
    /** KVM_EXIT_DEBUG: struct kvm_debug_exit_arch (x86). */
    public static final int OFF_DEBUG_EXCEPTION = 32, OFF_DEBUG_PC = 40, OFF_DEBUG_DR6 = 48, OFF_DEBUG_DR7 = 56;
    public static final int OFF_SYSTEM_EVENT_TYPE = 32, OFF_SYSTEM_EVENT_NDATA = 36, OFF_SYSTEM_EVENT_DATA = 40;

    private final long address;
    private final int size;
    private final ByteBuffer buf;

    KvmRun(long address, int size) {
        this.address = address;
        this.size = size;
        this.buf = new Pointer(address).getByteBuffer(0, size).order(ByteOrder.LITTLE_ENDIAN);
    }

    long address() { return address; }
    int size() { return size; }

    public boolean requestInterruptWindow() { return buf.get(OFF_REQUEST_INTERRUPT_WINDOW) != 0; }
    public void requestInterruptWindow(boolean v) { buf.put(OFF_REQUEST_INTERRUPT_WINDOW, (byte) (v ? 1 : 0)); }
    public boolean immediateExit() { return buf.get(OFF_IMMEDIATE_EXIT) != 0; }
    /** Makes the next (or current, when combined with a signal) KVM_RUN return EINTR at once. */
    public void immediateExit(boolean v) { buf.put(OFF_IMMEDIATE_EXIT, (byte) (v ? 1 : 0)); }
    public int exitReason() { return buf.getInt(OFF_EXIT_REASON); }
    public boolean readyForInterruptInjection() { return buf.get(OFF_READY_FOR_INTERRUPT_INJECTION) != 0; }
    public boolean ifFlag() { return buf.get(OFF_IF_FLAG) != 0; }
    public int flags() { return buf.getShort(OFF_FLAGS) & 0xffff; }
    public long cr8() { return buf.getLong(OFF_CR8); }
    public long apicBase() { return buf.getLong(OFF_APIC_BASE); }

    // ---- KVM_EXIT_IO ----
    public int ioDirection() { return buf.get(OFF_IO_DIRECTION) & 0xff; }
    public boolean ioIsOut() { return ioDirection() == IO_OUT; }
    /** Access width in bytes (1, 2 or 4). */
    public int ioSize() { return buf.get(OFF_IO_SIZE) & 0xff; }
    public int ioPort() { return buf.getShort(OFF_IO_PORT) & 0xffff; }
    /** Repetitions (string I/O); data holds count * size bytes. */
    public int ioCount() { return buf.getInt(OFF_IO_COUNT); }
    /** Offset of the data bytes from the start of the kvm_run mapping. */
    public long ioDataOffset() { return buf.getLong(OFF_IO_DATA_OFFSET); }

    /** Reads element {@code i} of the I/O data (zero-extended, ioSize() bytes). */
    public int ioData(int i) {
        int off = (int) ioDataOffset() + i * ioSize();
        switch (ioSize()) {
            case 1: return buf.get(off) & 0xff;
            case 2: return buf.getShort(off) & 0xffff;
            default: return buf.getInt(off);
        }
    }

    /** Writes element {@code i} of the I/O data (answer to an IN). */
    public void ioData(int i, int value) {
        int off = (int) ioDataOffset() + i * ioSize();
        switch (ioSize()) {
            case 1: buf.put(off, (byte) value); break;
            case 2: buf.putShort(off, (short) value); break;
            default: buf.putInt(off, value); break;
        }
    }

    /** Copies the data area (count * size bytes) into {@code dst}. */
    public void ioDataBytes(byte[] dst, int dstOff, int len) {
        buf.get((int) ioDataOffset(), dst, dstOff, len);
    }

    // ---- KVM_EXIT_MMIO ----
    public long mmioPhysAddr() { return buf.getLong(OFF_MMIO_PHYS_ADDR); }
    public int mmioLen() { return buf.getInt(OFF_MMIO_LEN); }
    public boolean mmioIsWrite() { return buf.get(OFF_MMIO_IS_WRITE) != 0; }
    /** The up-to-8 data bytes as a little-endian value (only {@link #mmioLen()} bytes are meaningful). */
    public long mmioData() { return buf.getLong(OFF_MMIO_DATA); }
    /** Sets the value returned to the guest for an MMIO read. */
    public void mmioData(long v) { buf.putLong(OFF_MMIO_DATA, v); }

    // ---- KVM_EXIT_DEBUG ----
    /** The exception vector that stopped the guest: 1 (#DB: single step, hardware breakpoint) or 3 (#BP: int3). */
    public int debugException() { return buf.getInt(OFF_DEBUG_EXCEPTION); }
    /** Linear address of the instruction (RIP plus CS base). */
    public long debugPc() { return buf.getLong(OFF_DEBUG_PC); }
    /** DR6 at the exit: bits 0-3 say which hardware breakpoint fired, bit 14 (BS) a single step. */
    public long debugDr6() { return buf.getLong(OFF_DEBUG_DR6); }
    public long debugDr7() { return buf.getLong(OFF_DEBUG_DR7); }

    // ---- KVM_EXIT_INTERNAL_ERROR ----
    public int internalSuberror() { return buf.getInt(OFF_INTERNAL_SUBERROR); }
    public int internalNdata() { return buf.getInt(OFF_INTERNAL_NDATA); }
    public long internalData(int i) { return buf.getLong(OFF_INTERNAL_DATA + 8 * checkIndex(i)); }

    // ---- KVM_EXIT_FAIL_ENTRY ----
    public long failEntryHardwareReason() { return buf.getLong(OFF_FAIL_ENTRY_REASON); }
    public int failEntryCpu() { return buf.getInt(OFF_FAIL_ENTRY_CPU); }

    // ---- KVM_EXIT_SYSTEM_EVENT ----
    public int systemEventType() { return buf.getInt(OFF_SYSTEM_EVENT_TYPE); }
    public int systemEventNdata() { return buf.getInt(OFF_SYSTEM_EVENT_NDATA); }
    public long systemEventData(int i) { return buf.getLong(OFF_SYSTEM_EVENT_DATA + 8 * checkIndex(i)); }

    private static int checkIndex(int i) {
        if (i < 0 || i >= 16) {
            throw new IndexOutOfBoundsException("data index " + i + " (0..15)");
        }
        return i;
    }

    /** e.g. "KVM_EXIT_IO"; "KVM_EXIT_<n>" for unknown numbers. */
    /** Name of a KVM_SYSTEM_EVENT_* type. */
    public static String systemEventName(int type) {
        return switch (type) {
            case SYSTEM_EVENT_SHUTDOWN -> "shutdown";
            case SYSTEM_EVENT_RESET -> "reset";
            case SYSTEM_EVENT_CRASH -> "crash";
            default -> "type " + type;
        };
    }

    public static String exitReasonName(int reason) {
        switch (reason) {
            case EXIT_UNKNOWN: return "KVM_EXIT_UNKNOWN";
            case EXIT_EXCEPTION: return "KVM_EXIT_EXCEPTION";
            case EXIT_IO: return "KVM_EXIT_IO";
            case EXIT_HYPERCALL: return "KVM_EXIT_HYPERCALL";
            case EXIT_DEBUG: return "KVM_EXIT_DEBUG";
            case EXIT_HLT: return "KVM_EXIT_HLT";
            case EXIT_MMIO: return "KVM_EXIT_MMIO";
            case EXIT_IRQ_WINDOW_OPEN: return "KVM_EXIT_IRQ_WINDOW_OPEN";
            case EXIT_SHUTDOWN: return "KVM_EXIT_SHUTDOWN";
            case EXIT_FAIL_ENTRY: return "KVM_EXIT_FAIL_ENTRY";
            case EXIT_INTR: return "KVM_EXIT_INTR";
            case EXIT_SET_TPR: return "KVM_EXIT_SET_TPR";
            case EXIT_TPR_ACCESS: return "KVM_EXIT_TPR_ACCESS";
            case EXIT_NMI: return "KVM_EXIT_NMI";
            case EXIT_INTERNAL_ERROR: return "KVM_EXIT_INTERNAL_ERROR";
            case EXIT_SYSTEM_EVENT: return "KVM_EXIT_SYSTEM_EVENT";
            case EXIT_IOAPIC_EOI: return "KVM_EXIT_IOAPIC_EOI";
            case EXIT_HYPERV: return "KVM_EXIT_HYPERV";
            case EXIT_DIRTY_RING_FULL: return "KVM_EXIT_DIRTY_RING_FULL";
            case EXIT_NOTIFY: return "KVM_EXIT_NOTIFY";
            default: return "KVM_EXIT_" + reason;
        }
    }
}
