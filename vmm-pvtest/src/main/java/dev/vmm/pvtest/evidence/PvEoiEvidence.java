package dev.vmm.pvtest.evidence;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's half of the kvm-pv-eoi check: the test kernel takes 20 LAPIC timer ticks on the BSP
 * acked with the APIC EOI register (MSR off; stats window {@link #APIC_WINDOW}), then 20 more with
 * the MSR on, acking through the PV-EOI bit wherever KVM set it (window {@link #PV_WINDOW}), and
 * prints how many of those were PV acks. An APIC ack (the handler's ISR read and EOI write) is an
 * access KVM has to emulate on a host without APIC virtualization, counted in the vCPU's
 * {@code insn_emulation} (xAPIC MMIO: both accesses on AMD, the read on Intel, whose EOI write
 * takes a fast path); a PV ack is a plain memory write KVM only notices at the vCPU's next exit
 * (apic_sync_pv_eoi_from_guest). So every PV ack must have saved at least one emulated access:
 * {@code insn_emulation} over the APIC window minus that over the PV window is at least the number
 * of PV acks. Where the APIC window shows fewer emulations than ticks (x2APIC MSR accesses, APICv,
 * AVIC) this stat cannot show it: no verdict.
 */
public final class PvEoiEvidence {
    public static final int APIC_WINDOW = 4;
    public static final int PV_WINDOW = 5;
    /** The number of ticks in each window (pv_eoi.c TICKS_WANTED). */
    public static final int TICKS = 20;
    public static final String EMULATED = "insn_emulation";
    /** pv_eoi.c's line after the PV window. */
    private static final Pattern PV_ACKS = Pattern.compile(
            "^# pv-eoi stats window " + PV_WINDOW + ": (\\d+) interrupts, (\\d+) acked through the PV-EOI bit$",
            Pattern.MULTILINE);

    private PvEoiEvidence() {
    }

    /** The guest's count of ticks acked through the PV-EOI bit in the PV window, from its serial log. */
    public static OptionalInt pvAcks(String log) {
        Matcher m = PV_ACKS.matcher(log);
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(2))) : OptionalInt.empty();
    }

    /**
     * @param bitSeen    the guest passed with the MSR on: it saw the bit and acked through it
     * @param apicWindow the BSP's counter changes over the APIC-ack ticks (empty: not measured)
     * @param pvWindow   ... over the PV ticks
     * @param pvAcks     the guest's count of PV acks in the PV window (empty: it printed none)
     * @param haveStats  the host has binary stats (else no verdict)
     * @return empty when the host agrees or cannot tell; else why it does not
     */
    public static Optional<String> check(boolean bitSeen, Optional<Map<String, Long>> apicWindow,
                                         Optional<Map<String, Long>> pvWindow, OptionalInt pvAcks, boolean haveStats) {
        if (!bitSeen || !haveStats) return Optional.empty();
        if (apicWindow.isEmpty() || pvWindow.isEmpty() || pvAcks.isEmpty()) {
            return Optional.of("the BSP's timer ticks were not measured (stats windows " + APIC_WINDOW + " and "
                    + PV_WINDOW + " and the guest's count of PV acks)");
        }
        Long apic = apicWindow.get().get(EMULATED), pv = pvWindow.get().get(EMULATED);
        if (apic == null || pv == null || apic < TICKS) return Optional.empty(); // APIC accesses not emulated here
        long saved = apic - pv, acks = pvAcks.getAsInt();
        if (saved < acks) {
            return Optional.of("the guest acked " + acks + " of " + TICKS + " ticks through the PV-EOI bit, but KVM emulated "
                    + pv + " instructions over them against " + apic + " for " + TICKS
                    + " APIC EOIs: fewer than one exit saved per PV ack");
        }
        return Optional.empty();
    }
}
