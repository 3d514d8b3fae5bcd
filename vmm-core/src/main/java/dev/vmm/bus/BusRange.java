package dev.vmm.bus;

/** A claimed range of a bus, for listings such as the monitor's {@code info mtree}: first address, length, the claimant's name. */
public record BusRange(long first, long length, String name) {
}
