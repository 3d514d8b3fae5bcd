package dev.vmm.kvm;

/**
 * {@code KVM_EXIT_IO}: the guest executed IN or OUT (possibly a string instruction, {@link #count()}
 * repetitions). A reusable view over the vCPU's {@code kvm_run}, valid until its next run: for an
 * IN the VMM writes the answer with {@link #setData} before running the vCPU again.
 */
public final class IoExit implements VcpuExit {
    private final KvmRun run;

    IoExit(KvmRun run) {
        this.run = run;
    }

    public int port() {
        return run.ioPort();
    }

    /** Access width in bytes (1, 2 or 4). */
    public int size() {
        return run.ioSize();
    }

    /** Repetitions (string I/O); the data area holds count * size bytes. */
    public int count() {
        return run.ioCount();
    }

    /** OUT (guest writes) rather than IN. */
    public boolean isOut() {
        return run.ioIsOut();
    }

    /** Element {@code i} of an OUT's data, zero-extended from {@link #size()} bytes. */
    public int data(int i) {
        return run.ioData(i);
    }

    /** Answers element {@code i} of an IN. */
    public void setData(int i, int value) {
        run.ioData(i, value);
    }

    @Override
    public String toString() {
        return "IoExit[" + (isOut() ? "out" : "in") + " port=0x" + Integer.toHexString(port()) + " size=" + size()
                + " count=" + count() + "]";
    }
}
