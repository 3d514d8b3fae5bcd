package dev.vmm.host;

import java.util.List;

/**
 * Runs a seccomp classic-BPF program over one struct seccomp_data, the way the kernel would, for
 * the instructions {@link SockFilter} can build; anything else fails the test instead of being
 * guessed at. Also enforces what the kernel's checker does: jumps only forward and inside the
 * program, and every path ends in a return.
 */
final class BpfInterpreter {
    private BpfInterpreter() {}

    /** @param args the six syscall arguments */
    static int run(List<SockFilter> program, int arch, int nr, long... args) {
        byte[] data = new byte[64];
        putInt(data, Seccomp.OFF_NR, nr);
        putInt(data, Seccomp.OFF_ARCH, arch);
        for (int i = 0; i < args.length; i++) {
            putInt(data, Seccomp.OFF_ARGS + 8 * i, (int) args[i]);
            putInt(data, Seccomp.OFF_ARGS + 8 * i + 4, (int) (args[i] >>> 32));
        }
        int a = 0;
        int pc = 0;
        while (true) {
            if (pc >= program.size()) {
                throw new AssertionError("ran off the end of the program");
            }
            SockFilter f = program.get(pc++);
            switch (f.code()) {
                case SockFilter.BPF_LD | SockFilter.BPF_W | SockFilter.BPF_ABS -> {
                    if (f.k() < 0 || f.k() + 4 > data.length || f.k() % 4 != 0) {
                        throw new AssertionError("bad load offset " + f.k());
                    }
                    a = getInt(data, f.k());
                }
                case SockFilter.BPF_JMP | SockFilter.BPF_JEQ | SockFilter.BPF_K ->
                        pc += a == f.k() ? f.jt() : f.jf();
                case SockFilter.BPF_JMP | SockFilter.BPF_JGE | SockFilter.BPF_K ->
                        pc += Integer.compareUnsigned(a, f.k()) >= 0 ? f.jt() : f.jf();
                case SockFilter.BPF_JMP | SockFilter.BPF_JSET | SockFilter.BPF_K ->
                        pc += (a & f.k()) != 0 ? f.jt() : f.jf();
                case SockFilter.BPF_RET | SockFilter.BPF_K -> {
                    return f.k();
                }
                default -> throw new AssertionError("opcode not understood: 0x" + Integer.toHexString(f.code()));
            }
        }
    }

    private static void putInt(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    private static int getInt(byte[] b, int off) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (b[off + i] & 0xff) << (8 * i);
        }
        return v;
    }
}
