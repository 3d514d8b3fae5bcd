package dev.vmm.kvm;

import dev.vmm.host.Errno;
/**
 * A failed KVM (or libc) call. The message names the operation and the errno, e.g.
 * {@code "KVM_CREATE_VCPU failed: EINVAL (22, Invalid argument)"}, because "ioctl failed"
 * alone is useless when debugging a VMM.
 */
public class KvmException extends RuntimeException {
    private final String operation;
    private final int errno;

    public KvmException(String operation, int errno) {
        super(operation + " failed: " + Errno.describe(errno));
        this.operation = operation;
        this.errno = errno;
    }

    /** For conditions that are not a failed call (missing capability, bad API version...). */
    public KvmException(String message) {
        super(message);
        this.operation = null;
        this.errno = 0;
    }

    /** Builds the exception from the errno JNA saved for the current thread. */
    /** Returns {@code rc}, or throws naming {@code operation} and errno when the call failed (rc &lt; 0). */
    static int check(String operation, int rc) {
        if (rc < 0) {
            throw lastError(operation);
        }
        return rc;
    }

    static KvmException lastError(String operation) {
        return new KvmException(operation, com.sun.jna.Native.getLastError());
    }

    /** The ioctl / libc function name, or null. */
    public String operation() {
        return operation;
    }

    /** The errno, or 0 when not from a failed call. */
    public int errno() {
        return errno;
    }
}
