package dev.vmm.cli.monitor;

/** A human-monitor command that failed: {@link #getMessage()} is the text QEMU's monitor prints for it. */
final class HmpException extends RuntimeException {
    HmpException(String text) {
        super(text);
    }
}
