package dev.vmm.machine;

/** The machine could not be built or started: the message is one line for the user. */
public final class MachineException extends RuntimeException {
    public MachineException(String message) {
        super(message);
    }

    public MachineException(String message, Throwable cause) {
        super(message, cause);
    }
}
