package dev.vmm.debug;

/** A debugger request the guest cannot satisfy (unmapped address, no free debug register, KVM refused). */
public final class DebugException extends Exception {
    public DebugException(String message) {
        super(message);
    }
}
