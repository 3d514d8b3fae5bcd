package dev.vmm.cli.gdb;

import dev.vmm.debug.BreakpointType;
import dev.vmm.debug.DebugException;

/**
 * What the gdb command handler needs from a stopped guest. Threads are vCPU indices (gdb's
 * thread ids are these plus one). {@link GuestDebuggerTarget} is the real one, over KVM.
 */
public interface GdbTarget {
    int threadCount();

    X86RegisterFile.State registers(int thread);

    void setRegisters(int thread, X86RegisterFile.State state);

    byte[] readMemory(int thread, long address, int length) throws DebugException;

    void writeMemory(int thread, long address, byte[] data) throws DebugException;

    /** @return false when this kind of breakpoint is not supported at all (gdb then gets an empty reply) */
    boolean insertBreakpoint(int thread, BreakpointType type, long address, int kind) throws DebugException;

    boolean removeBreakpoint(int thread, BreakpointType type, long address, int kind) throws DebugException;

    /** Lets the guest run: all vCPUs, or only {@code stepThread} for one instruction (>= 0). */
    void resume(int stepThread) throws DebugException;

    /** A {@code monitor} command's output (qRcmd). */
    String monitor(String command);

    void detach();

    void kill();
}
