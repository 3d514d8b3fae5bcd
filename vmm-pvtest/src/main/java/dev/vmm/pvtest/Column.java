package dev.vmm.pvtest;

import dev.vmm.cpu.PvFeature;

/**
 * The matrix's three standard columns for a feature F: on ({@code host,+F}), off ({@code host,-F})
 * and off with enforcement ({@code host,-F,kvm-pv-enforce-cpuid}), where KVM must refuse it.
 */
public enum Column {
    ON("on", "host,+%s", false), OFF("off", "host,-%s", false),
    ENFORCE("off+enforce", "host,-%s,kvm-pv-enforce-cpuid", true);

    private final String label;
    private final String cpuFormat;
    private final boolean enforce;

    Column(String label, String cpuFormat, boolean enforce) {
        this.label = label;
        this.cpuFormat = cpuFormat;
        this.enforce = enforce;
    }

    /** @return the column's heading and the cells' {@code config} */
    public String label() {
        return label;
    }

    /** This column for feature {@code f}: host with the feature on or off, enforced or not. */
    public CellSetting setting(PvFeature f, int smp) {
        return new CellSetting(label, String.format(cpuFormat, f.qemuName()), this == ON, enforce, "", smp);
    }
}
