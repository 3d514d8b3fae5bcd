package dev.vmm.boot;

/**
 * A kernel image cannot be booted. The message is one line meant for the user, e.g.
 * {@code "kernel.elf: not an ELF, PVH, multiboot or Linux bzImage kernel"}. Unchecked so that value
 * constructors (records) can raise it while validating.
 */
public class BootException extends RuntimeException {
    public BootException(String message) {
        super(message);
    }
}
