package dev.vmm.cli.monitor;

/** A QMP error reply: QEMU's error class ("GenericError", "CommandNotFound", …) and description. */
public final class QmpError extends RuntimeException {
    private final String errorClass;

    public QmpError(String errorClass, String desc) {
        super(desc);
        this.errorClass = errorClass;
    }

    public static QmpError generic(String desc) {
        return new QmpError("GenericError", desc);
    }

    public String errorClass() {
        return errorClass;
    }
}
