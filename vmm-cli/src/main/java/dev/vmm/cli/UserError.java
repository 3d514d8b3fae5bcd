package dev.vmm.cli;

/** A mistake in what the user asked for: printed as one line, no stack trace. */
public final class UserError extends RuntimeException {
    private final int status;

    public UserError(String message) {
        this(message, Main.USAGE_STATUS);
    }

    public UserError(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
