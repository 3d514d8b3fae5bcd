package dev.vmm.vm;

/**
 * Where a vCPU thread is, as its {@link VcpuMailbox} tracks it. The thread changes state only
 * between two {@code KVM_RUN} calls, by the commands it takes from its mailbox.
 */
enum VcpuRunState {
    /** The thread has not yet taken its first look at the mailbox (not started, or starting). */
    CREATED,
    /** In or about to enter {@code KVM_RUN}. */
    RUNNING,
    /** Parked outside {@code KVM_RUN}: it waits for its next command and still carries out calls. */
    PAUSED,
    /** Left its loop for good (the VM ended, or the thread failed); later commands are refused. */
    STOPPED;

    /** The state after {@code command}: a stop is final, a call changes nothing. */
    VcpuRunState after(VcpuCommand command) {
        if (this == STOPPED) {
            return STOPPED;
        }
        if (command instanceof VcpuCommand.Pause) {
            return PAUSED;
        }
        if (command instanceof VcpuCommand.Resume) {
            return RUNNING;
        }
        if (command instanceof VcpuCommand.Stop) {
            return STOPPED;
        }
        return this;
    }
}
