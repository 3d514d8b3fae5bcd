package dev.vmm.pvtest;

import dev.vmm.cpu.PvFeature;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which test-kernel check decides each feature's row of the matrix. Checks are named only by their
 * generated identifiers ({@link PvCheck}, from the kernel's pvchecks.def), never by copied strings.
 */
public final class CheckedFeatures {
    /** The features the test kernel checks, in the matrix's row order, with the check that decides each. */
    private static final Map<PvFeature, PvCheck> OWN = new LinkedHashMap<>();

    static {
        OWN.put(PvFeature.KVMCLOCK, PvCheck.KVMCLOCK);
        OWN.put(PvFeature.KVMCLOCK_STABLE_BIT, PvCheck.KVMCLOCK_STABLE_BIT);
        OWN.put(PvFeature.ASYNCPF, PvCheck.ASYNCPF);
        OWN.put(PvFeature.STEAL_TIME, PvCheck.STEAL_TIME);
        OWN.put(PvFeature.PV_TLB_FLUSH, PvCheck.PV_TLB_FLUSH);
        OWN.put(PvFeature.PV_EOI, PvCheck.PV_EOI);
        OWN.put(PvFeature.PV_IPI, PvCheck.PV_IPI);
        OWN.put(PvFeature.POLL_CONTROL, PvCheck.POLL_CONTROL);
        OWN.put(PvFeature.PV_SCHED_YIELD, PvCheck.PV_SCHED_YIELD);
        OWN.put(PvFeature.ASYNCPF_INT, PvCheck.ASYNCPF); // one check covers both async PF MSR sets
        OWN.put(PvFeature.PV_UNHALT, PvCheck.PV_UNHALT);
        // a hint with no interface: the proof is the bit itself, present or absent as configured
        OWN.put(PvFeature.NOPIODELAY, PvCheck.CPUID);
        OWN.put(PvFeature.MSI_EXT_DEST_ID, PvCheck.MSI_EXT_DEST_ID); // own machine: ExtDestMachine
    }

    /**
     * Rows whose "on" cell also needs a second TAP line: the feature really doing its job, beyond its
     * MSRs. kvm-asyncpf-int: a real asynchronous page fault, "page not present" then "page ready"
     * with the same token (pv_asyncpf.c; those boots get the page-eviction port). The off columns
     * are judged by the MSR line alone: with the bit off there is nothing more to show.
     */
    private static final Map<PvFeature, PvCheck> REAL = new EnumMap<>(Map.of(PvFeature.ASYNCPF_INT, PvCheck.ASYNCPF_INT_REAL));

    private CheckedFeatures() {
    }

    /** @return every feature with a check, in the matrix's row order */
    public static Set<PvFeature> all() {
        return Collections.unmodifiableSet(OWN.keySet());
    }

    public static boolean has(PvFeature f) {
        return OWN.containsKey(f);
    }

    /** @return the check whose TAP line decides feature {@code f}'s cells */
    public static PvCheck own(PvFeature f) {
        PvCheck c = OWN.get(f);
        if (c == null) throw new IllegalArgumentException("the test kernel has no check for " + f.qemuName());
        return c;
    }

    /** @return the check that must show the feature really working in its "on" cell, if it has one */
    public static Optional<PvCheck> real(PvFeature f) {
        return Optional.ofNullable(REAL.get(f));
    }
}
