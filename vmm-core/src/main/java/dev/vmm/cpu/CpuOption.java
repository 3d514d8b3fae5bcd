package dev.vmm.cpu;

/**
 * One token after the model name in a {@code -cpu} string.
 *
 * @param name  normalised option name ('_' replaced by '-'), e.g. "kvm-pv-ipi", "x2apic", "kvm"
 * @param kind  how it was written
 * @param on    the requested state
 * @param text  the token as written, for messages
 */
public record CpuOption(String name, Kind kind, boolean on, String text) {
    /** QEMU applies PLUS/MINUS after every ASSIGN, so they win; bare "feat" is ASSIGN "feat=on". */
    public enum Kind { PLUS, MINUS, ASSIGN }
}
