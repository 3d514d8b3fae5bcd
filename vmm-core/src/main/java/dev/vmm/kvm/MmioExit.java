package dev.vmm.kvm;

/**
 * {@code KVM_EXIT_MMIO}: the guest touched guest-physical memory that no slot backs. A reusable
 * view over the vCPU's {@code kvm_run}, valid until its next run: for a read the VMM writes the
 * value with {@link #setData} before running the vCPU again.
 */
public final class MmioExit implements VcpuExit {
    private final KvmRun run;

    MmioExit(KvmRun run) {
        this.run = run;
    }

    public long address() {
        return run.mmioPhysAddr();
    }

    /** Access width in bytes (1 to 8). */
    public int length() {
        return run.mmioLen();
    }

    public boolean isWrite() {
        return run.mmioIsWrite();
    }

    /** A write's value: the {@link #length()} data bytes, little-endian, zero-extended. */
    public long data() {
        int len = length();
        long raw = run.mmioData();
        return len >= 8 ? raw : raw & ((1L << (8 * len)) - 1);
    }

    /** Answers a read (only {@link #length()} bytes reach the guest). */
    public void setData(long value) {
        run.mmioData(value);
    }

    @Override
    public String toString() {
        return "MmioExit[" + (isWrite() ? "write" : "read") + " 0x" + Long.toHexString(address()) + " len=" + length()
                + "]";
    }
}
