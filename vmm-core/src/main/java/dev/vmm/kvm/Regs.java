package dev.vmm.kvm;

import com.sun.jna.Pointer;

/**
 * {@code struct kvm_regs}: 18 little-endian u64 in this order. Mutable: a VMM typically
 * reads, changes a couple of registers, and writes back.
 */
public final class Regs {
    public static final int RAX = 0, RBX = 1, RCX = 2, RDX = 3, RSI = 4, RDI = 5, RSP = 6, RBP = 7,
            R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15, RIP = 16, RFLAGS = 17;
    /** Offsets are index * 8; names in header order (checked by StructLayoutTest). */
    public static final String[] NAMES = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};

    private final long[] r = new long[18];

    public long get(int index) {
        return r[index];
    }

    public Regs set(int index, long value) {
        r[index] = value;
        return this;
    }

    public long rax() { return r[RAX]; }
    public long rbx() { return r[RBX]; }
    public long rcx() { return r[RCX]; }
    public long rdx() { return r[RDX]; }
    public long rsi() { return r[RSI]; }
    public long rdi() { return r[RDI]; }
    public long rsp() { return r[RSP]; }
    public long rip() { return r[RIP]; }
    public long rflags() { return r[RFLAGS]; }

    public Regs rax(long v) { return set(RAX, v); }
    public Regs rbx(long v) { return set(RBX, v); }
    public Regs rcx(long v) { return set(RCX, v); }
    public Regs rdx(long v) { return set(RDX, v); }
    public Regs rsi(long v) { return set(RSI, v); }
    public Regs rdi(long v) { return set(RDI, v); }
    public Regs rsp(long v) { return set(RSP, v); }
    public Regs rip(long v) { return set(RIP, v); }
    public Regs rflags(long v) { return set(RFLAGS, v); }

    static Regs read(Pointer p) {
        Regs regs = new Regs();
        for (int i = 0; i < 18; i++) {
            regs.r[i] = p.getLong(8L * i);
        }
        return regs;
    }

    void write(Pointer p) {
        for (int i = 0; i < 18; i++) {
            p.setLong(8L * i, r[i]);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Regs{");
        for (int i = 0; i < 18; i++) {
            sb.append(i == 0 ? "" : " ").append(NAMES[i]).append('=').append(Long.toHexString(r[i]));
        }
        return sb.append('}').toString();
    }
}
