package dev.vmm.cli.gdb;

import dev.vmm.debug.BreakpointType;
import dev.vmm.debug.DebugException;
import dev.vmm.debug.GuestDebugger;

import java.util.HexFormat;

/** {@link GdbTarget} over KVM: registers through KVM_GET/SET_(S)REGS, memory through the guest's page tables. */
final class GuestDebuggerTarget implements GdbTarget {
    private static final int MAX_DUMP = 4096;
    private final GuestDebugger debugger;

    GuestDebuggerTarget(GuestDebugger debugger) {
        this.debugger = debugger;
    }

    @Override
    public int threadCount() {
        return debugger.cpuCount();
    }

    @Override
    public X86RegisterFile.State registers(int thread) {
        return new X86RegisterFile.State(debugger.regs(thread), debugger.sregs(thread), debugger.fpu(thread));
    }

    @Override
    public void setRegisters(int thread, X86RegisterFile.State state) {
        debugger.setSregs(thread, state.sregs());
        debugger.setRegs(thread, state.regs());
    }

    @Override
    public byte[] readMemory(int thread, long address, int length) throws DebugException {
        return debugger.readVirtual(thread, address, length);
    }

    @Override
    public void writeMemory(int thread, long address, byte[] data) throws DebugException {
        debugger.writeVirtual(thread, address, data);
    }

    @Override
    public boolean insertBreakpoint(int thread, BreakpointType type, long address, int kind) throws DebugException {
        return debugger.insertBreakpoint(thread, type, address, kind);
    }

    @Override
    public boolean removeBreakpoint(int thread, BreakpointType type, long address, int kind) {
        return debugger.removeBreakpoint(type, address, kind);
    }

    @Override
    public void resume(int stepThread) throws DebugException {
        debugger.resume(stepThread);
    }

    /**
     * {@code monitor xp ADDR [LEN]}: guest physical memory as hex lines (gdb's own {@code x} reads
     * virtual addresses); {@code monitor gva2gpa ADDR}: the translation through the current page tables.
     */
    @Override
    public String monitor(String command) {
        String[] w = command.trim().split("\\s+");
        try {
            switch (w[0]) {
                case "xp" -> {
                    long gpa = Long.decode(w[1]);
                    int len = w.length > 2 ? Integer.decode(w[2]) : 16;
                    if (len <= 0 || len > MAX_DUMP) {
                        return "xp: length 1.." + MAX_DUMP + "\n";
                    }
                    return hexDump(gpa, debugger.readPhysical(gpa, len));
                }
                case "gva2gpa" -> {
                    long gva = Long.decode(w[1]);
                    return String.format("gpa: 0x%x%n", debugger.translate(0, gva));
                }
                default -> {
                    return "vmm gdb monitor commands:\n  xp ADDR [LEN]   guest physical memory (hex)\n"
                            + "  gva2gpa ADDR    translate a guest virtual address (vCPU 0's page tables)\n";
                }
            }
        } catch (DebugException e) {
            return e.getMessage() + "\n";
        } catch (RuntimeException e) {
            return "bad arguments: " + command + "\n";
        }
    }

    static String hexDump(long base, byte[] data) {
        StringBuilder sb = new StringBuilder();
        for (int off = 0; off < data.length; off += 16) {
            sb.append(String.format("%016x:", base + off));
            for (int i = off; i < Math.min(off + 16, data.length); i++) {
                sb.append(' ').append(HexFormat.of().toHexDigits(data[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override
    public void detach() {
        debugger.detach();
    }

    @Override
    public void kill() {
        debugger.kill();
    }
}
