package dev.vmm.bus;

/** A level-triggered interrupt line from a device to the interrupt controller (e.g. ISA IRQ 4). */
public interface IrqLine {
    void setLevel(boolean asserted);

    /** A line wired to nothing, for devices used without interrupts (and for unit tests). */
    IrqLine NONE = asserted -> { };
}
