package dev.vmm.api;

/**
 * A guest could not be built or started (unreadable or unknown kernel, a {@code -cpu} string the
 * host cannot give, a VM KVM refuses, no {@code /dev/kvm}), or waiting on it failed. Unchecked, as
 * every exception of this API; the message is one line meant for a person.
 */
public class VmmException extends RuntimeException {
    /** @param message one line saying what went wrong */
    public VmmException(String message) {
        super(message);
    }

    /**
     * @param message one line saying what went wrong
     * @param cause   the underlying failure
     */
    public VmmException(String message, Throwable cause) {
        super(message, cause);
    }
}
