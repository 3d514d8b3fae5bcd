package dev.vmm.pvtest;

/**
 * How one cell of {@code vmm test} boots the test kernel: its CPU model, what that model means
 * for the feature under test (bit on or off, kvm-pv-enforce-cpuid or not), extra kernel
 * command-line words and the vCPU count. The matrix's three columns are settings
 * ({@link Column}), and so is each cell of a user's {@code --config} file, whose
 * meaning is read from the CPU model it resolves to.
 *
 * @param label   the column (on, off, off+enforce) or the user's name for the cell
 * @param cpu     the -cpu string, QEMU spelling
 * @param on      the feature's CPUID bit is given to the guest
 * @param enforce kvm-pv-enforce-cpuid: KVM refuses what the CPUID does not offer
 * @param append  extra guest command-line words ("" for none)
 * @param smp     vCPUs
 */
public record CellSetting(String label, String cpu, boolean on, boolean enforce, String append, int smp) {
}
