package dev.vmm.pvtest.evidence;

import java.util.Map;
import java.util.Optional;

/**
 * The host's half of the kvm-pv-unhalt check: AP 1 brackets its own HLT (test kernel,
 * pvfeatures.c halt_once: a stats window from just before HLT to just after it woke), and the BSP
 * sends KICK_CPU to it. KVM's kick (kvm_pv_kick_cpu_op) delivers no interrupt: it marks the vCPU
 * pv_unhalted and wakes it, so a halted vCPU becomes runnable with nothing injected. Nothing else
 * sends that AP interrupts; where the kick was refused the guest wakes it with an IPI.
 *
 * <p>So over the window, vCPU 1's counters must show one HLT exit ({@code halt_exits}) and:
 * taken kick — no interrupt injected ({@code irq_injections} 0; how it left the halt,
 * {@code halt_wakeup} from a blocked wait or {@code halt_successful_poll} while KVM still polled,
 * is reported but not required: a kick that lands before the HLT is seen at once and counts
 * neither); refused kick — the guest's IPI injected ({@code irq_injections} at least 1). With APIC
 * virtualization (APICv/AVIC) interrupts are posted, not injected, so there is no verdict.
 */
public final class KickEvidence {
    /** The test kernel's stats window around AP 1's HLT (pvfeatures.h STATS_WINDOW_KICK). */
    public static final int WINDOW = 1;
    public static final String HALT_EXITS = "halt_exits";
    public static final String INJECTIONS = "irq_injections";
    public static final String WAKEUP = "halt_wakeup";
    public static final String POLLED = "halt_successful_poll";

    private KickEvidence() {
    }

    /**
     * @param expect  what KVM was to do with the KICK_CPU (WORKS or REFUSED; NOT_ASSERTED: no verdict)
     * @param window  vCPU 1's counter changes over its HLT window, empty when the host has no
     *                binary stats or the guest did not bracket it
     * @param apicv   the host uses APIC virtualization (interrupts not counted as injections)
     * @return empty when the host agrees or cannot tell; else why it does not
     */
    public static Optional<String> check(PvAgreement.Expect expect, Optional<Map<String, Long>> window, boolean apicv) {
        if (apicv || expect == PvAgreement.Expect.NOT_ASSERTED) return Optional.empty();
        if (window.isEmpty()) return Optional.of("AP 1's HLT was not measured (no stats window 1 from the guest)");
        Map<String, Long> w = window.get();
        if (!w.containsKey(HALT_EXITS) || !w.containsKey(INJECTIONS)) return Optional.empty(); // not this KVM's stats
        long halts = w.get(HALT_EXITS), injected = w.get(INJECTIONS);
        String seen = "over AP 1's HLT window KVM counted " + HALT_EXITS + " " + halts + ", " + INJECTIONS + " "
                + injected + ", " + WAKEUP + " " + w.getOrDefault(WAKEUP, 0L) + ", " + POLLED + " "
                + w.getOrDefault(POLLED, 0L);
        if (halts < 1) return Optional.of(seen + ": the AP never halted there");
        if (expect == PvAgreement.Expect.WORKS && injected != 0) {
            return Optional.of(seen + ": the kick was taken, yet the AP needed an interrupt to wake");
        }
        if (expect == PvAgreement.Expect.REFUSED && injected == 0) {
            return Optional.of(seen + ": the kick was refused, yet the AP woke without an interrupt");
        }
        return Optional.empty();
    }
}
