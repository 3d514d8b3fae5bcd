package dev.vmm.cpu;

import java.util.List;

/** A {@code -cpu} string that cannot be honoured; the message is one line for the user. */
public class CpuModelException extends RuntimeException {
    private final List<String> warnings;

    public CpuModelException(String message) {
        this(message, List.of());
    }

    /** @param warnings the warnings gathered before the failure (e.g. each missing bit) */
    public CpuModelException(String message, List<String> warnings) {
        super(message);
        this.warnings = List.copyOf(warnings);
    }

    public List<String> warnings() { return warnings; }
}
