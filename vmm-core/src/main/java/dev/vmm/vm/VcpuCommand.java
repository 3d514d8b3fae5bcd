package dev.vmm.vm;

/**
 * What other threads ask of a vCPU thread, through its one {@link VcpuMailbox}: the thread takes
 * commands in order between two {@code KVM_RUN} calls, after a kick brought it out of the guest.
 */
sealed interface VcpuCommand {
    /** Park outside {@code KVM_RUN} (pause, a debugger's stop, a reset, a register dump). */
    record Pause() implements VcpuCommand {
    }

    /** Run the guest again. */
    record Resume() implements VcpuCommand {
    }

    /** Leave the loop for good: the VM ended. */
    record Stop() implements VcpuCommand {
    }

    /**
     * Carry out {@code task} on the vCPU thread (a register or MSR read, a piece of a reset): vCPU
     * ioctls from any other thread would wait for {@code KVM_RUN} to return anyway. The state stays.
     */
    record Call(Runnable task) implements VcpuCommand {
    }

    VcpuCommand PAUSE = new Pause();
    VcpuCommand RESUME = new Resume();
    VcpuCommand STOP = new Stop();
}
