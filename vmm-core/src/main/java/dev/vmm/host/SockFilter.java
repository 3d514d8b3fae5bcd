package dev.vmm.host;

/**
 * One classic-BPF instruction, the kernel's {@code struct sock_filter}: a 16-bit opcode, the two
 * 8-bit jump offsets of a conditional jump (counted from the next instruction) and a 32-bit operand.
 * The opcodes are built from the {@code BPF_*} parts below (values of linux/filter.h and
 * linux/bpf_common.h, checked by HostConstantsTest), only the ones a seccomp filter needs.
 */
public record SockFilter(int code, int jt, int jf, int k) {
    /** sizeof(struct sock_filter). */
    public static final int SIZE = 8;

    public static final int BPF_LD = 0x00;
    public static final int BPF_JMP = 0x05;
    public static final int BPF_RET = 0x06;
    public static final int BPF_W = 0x00;
    public static final int BPF_ABS = 0x20;
    public static final int BPF_JEQ = 0x10;
    public static final int BPF_JGE = 0x30;
    public static final int BPF_JSET = 0x40;
    public static final int BPF_K = 0x00;

    public SockFilter {
        if ((code & ~0xffff) != 0 || (jt & ~0xff) != 0 || (jf & ~0xff) != 0) {
            throw new IllegalArgumentException("BPF instruction out of range: " + code + " " + jt + " " + jf);
        }
    }

    /** A = the 32-bit word at {@code offset} of the input (struct seccomp_data). */
    public static SockFilter loadWord(int offset) {
        return new SockFilter(BPF_LD | BPF_W | BPF_ABS, 0, 0, offset);
    }

    /** if (A == k) skip jt instructions else skip jf. */
    public static SockFilter jumpIfEqual(int k, int jt, int jf) {
        return new SockFilter(BPF_JMP | BPF_JEQ | BPF_K, jt, jf, k);
    }

    /** if (A >= k, unsigned) skip jt else skip jf. */
    public static SockFilter jumpIfAtLeast(int k, int jt, int jf) {
        return new SockFilter(BPF_JMP | BPF_JGE | BPF_K, jt, jf, k);
    }

    /** if (A &amp; k) skip jt else skip jf. */
    public static SockFilter jumpIfAnySet(int k, int jt, int jf) {
        return new SockFilter(BPF_JMP | BPF_JSET | BPF_K, jt, jf, k);
    }

    /** Ends the filter with verdict {@code k}. */
    public static SockFilter ret(int k) {
        return new SockFilter(BPF_RET | BPF_K, 0, 0, k);
    }
}
