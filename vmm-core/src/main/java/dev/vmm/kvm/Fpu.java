package dev.vmm.kvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct kvm_fpu} (416 bytes) kept raw: a VMM mostly needs to reset FCW and MXCSR,
 * so only those get accessors (fcw u16@128, mxcsr u32@408).
 */
public final class Fpu {
    public static final int SIZE = 416;
    public static final int OFF_FCW = 128;
    public static final int OFF_MXCSR = 408;
    /** Power-on defaults (all exceptions masked). */
    public static final int DEFAULT_FCW = 0x37f;
    public static final int DEFAULT_MXCSR = 0x1f80;

    private final ByteBuffer raw;

    public Fpu() {
        this(new byte[SIZE]);
    }

    public Fpu(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("kvm_fpu is " + SIZE + " bytes, got " + bytes.length);
        }
        raw = ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN);
    }

    public int fcw() { return raw.getShort(OFF_FCW) & 0xffff; }
    public Fpu fcw(int v) { raw.putShort(OFF_FCW, (short) v); return this; }
    public int mxcsr() { return raw.getInt(OFF_MXCSR); }
    public Fpu mxcsr(int v) { raw.putInt(OFF_MXCSR, v); return this; }

    /** Copy of the raw struct bytes. */
    public byte[] bytes() {
        return raw.array().clone();
    }

    byte[] array() {
        return raw.array();
    }
}
