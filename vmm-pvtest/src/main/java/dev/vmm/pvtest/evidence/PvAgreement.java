package dev.vmm.pvtest.evidence;

import dev.vmm.pv.PvClockInfo;
import dev.vmm.pv.PvMsr;
import dev.vmm.pv.PvReport;
import dev.vmm.cpu.PvFeature;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host's half of a PV feature check. After the test kernel has run its checks and left the
 * feature's MSRs as they ended (pvtest.leave-msrs=1), the host reads the BSP's PV MSRs
 * ({@link PvReport}) and asks: does what KVM holds agree with what the guest says happened?
 *
 * <ul>
 *   <li>feature expected to work: the guest's last write landed (enable bit set, or
 *       poll-control at the 0 the guest left), and the structure it points to is one KVM has
 *       filled (even version, time or steal recorded);</li>
 * </ul>
 * A refused feature (off with kvm-pv-enforce-cpuid) has no host-side evidence in its MSRs: KVM
 * refuses the host's KVM_GET_MSRS of such an MSR too and, since Linux 5.x, answers a refused
 * host read of an MSR it advertises with 0 (measured: poll-control reads 0 there, not its reset
 * value 1), so "0" cannot tell "refused" from "written 0". The guest's #GP is the evidence then.
 * Features whose evidence is not an MSR (hypercalls, CPUID hints) have no host check here.
 */
public final class PvAgreement {
    /** What the guest was told to expect, computed the way the test kernel's mode() does. */
    public enum Expect { WORKS, REFUSED, NOT_ASSERTED }

    /** ASYNC_PF_EN bit 3: "deliver page-ready as an interrupt" (kvm-asyncpf-int). */
    private static final long APF_DELIVERY_AS_INT = 1L << 3;

    private PvAgreement() {
    }

    /**
     * What KVM does with a PV hypercall or MSR of feature {@code f} in a boot whose guest CPUID
     * 0x40000001 EAX is {@code guestEax}, the way the test kernel's mode() decides it: the bit set
     * works; clear under enforcement is refused; clear without it works where the host has the
     * feature (KVM then ignores CPUID), and is not asserted where it does not.
     */
    public static Expect expect(PvFeature f, int guestEax, boolean enforce, int hostPv) {
        if ((guestEax & f.mask()) == f.mask()) return Expect.WORKS;
        if (enforce) return Expect.REFUSED;
        return (hostPv & f.mask()) == f.mask() ? Expect.WORKS : Expect.NOT_ASSERTED;
    }

    /** Whether the host has evidence to compare for this feature at all. */
    public static boolean hasEvidence(PvFeature f) {
        return switch (f) {
            case KVMCLOCK, KVMCLOCK_STABLE_BIT, STEAL_TIME, PV_EOI, POLL_CONTROL, ASYNCPF, ASYNCPF_INT -> true;
            default -> false;
        };
    }

    /**
     * @param bsp          the BSP's PV MSRs after the run
     * @param hostStable   KVM_GET_CLOCK reported a stable (master) clock
     * @return empty when the host agrees (or has nothing to compare); else why it does not
     */
    public static Optional<String> check(PvFeature f, Expect expect, List<PvReport.Entry> bsp, boolean hostStable) {
        if (expect != Expect.WORKS || !hasEvidence(f)) return Optional.empty();
        return switch (f) {
            case KVMCLOCK -> kvmclockFilled(bsp);
            case KVMCLOCK_STABLE_BIT -> hostStable ? stableFlag(bsp) : Optional.empty();
            case STEAL_TIME -> stealFilled(bsp);
            case PV_EOI -> enabled(bsp, PvMsr.PV_EOI_EN);
            case POLL_CONTROL -> value(bsp, PvMsr.POLL_CONTROL, 0, "the guest's last write (0) did not land");
            case ASYNCPF -> enabled(bsp, PvMsr.ASYNC_PF_EN);
            case ASYNCPF_INT -> asyncPfInt(bsp);
            default -> Optional.empty();
        };
    }

    private static Optional<PvReport.Entry> find(List<PvReport.Entry> bsp, PvMsr m) {
        return bsp.stream().filter(e -> e.msr() == m).findFirst();
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static Optional<String> value(List<PvReport.Entry> bsp, PvMsr m, long want, String why) {
        Optional<PvReport.Entry> e = find(bsp, m);
        if (e.isEmpty() || !e.get().supported()) return Optional.of("host cannot read " + m.linuxName());
        long v = e.get().value();
        return v == want ? Optional.empty()
                : Optional.of("host reads " + m.linuxName() + "=" + hex(v) + ", expected " + hex(want) + ": " + why);
    }

    private static Optional<String> enabled(List<PvReport.Entry> bsp, PvMsr m) {
        Optional<PvReport.Entry> e = find(bsp, m);
        if (e.isEmpty() || !e.get().supported()) return Optional.of("host cannot read " + m.linuxName());
        if (!Boolean.TRUE.equals(e.get().decoded().get("enabled"))) {
            return Optional.of("host reads " + m.linuxName() + "=" + hex(e.get().value())
                    + ": not enabled although the guest enabled it");
        }
        if (e.get().decoded().containsKey("error")) {
            return Optional.of(m.linuxName() + " points outside guest RAM: " + e.get().decoded().get("error"));
        }
        return Optional.empty();
    }

    private static Optional<String> kvmclockFilled(List<PvReport.Entry> bsp) {
        for (PvMsr m : List.of(PvMsr.SYSTEM_TIME_NEW, PvMsr.SYSTEM_TIME)) {
            Optional<PvReport.Entry> e = find(bsp, m);
            if (e.isEmpty() || !(e.get().decoded().get("kvmclock") instanceof PvClockInfo clock)) continue;
            if (clock.updating()) return Optional.of(m.linuxName() + ": structure version odd (" + clock.version() + ")");
            if (clock.version() == 0 || clock.systemTime() == 0) {
                return Optional.of(m.linuxName() + ": structure never filled by KVM (" + clock + ")");
            }
            return Optional.empty();
        }
        return Optional.of("host sees no enabled system-time MSR although the guest registered kvmclock");
    }

    private static Optional<String> stableFlag(List<PvReport.Entry> bsp) {
        for (PvMsr m : List.of(PvMsr.SYSTEM_TIME_NEW, PvMsr.SYSTEM_TIME)) {
            Optional<PvReport.Entry> e = find(bsp, m);
            if (e.isPresent() && e.get().decoded().get("kvmclock") instanceof PvClockInfo clock) {
                return clock.tscStable() ? Optional.empty()
                        : Optional.of("host clock is stable but " + m.linuxName() + "'s structure lacks PVCLOCK_TSC_STABLE_BIT");
            }
        }
        return Optional.of("host sees no enabled system-time MSR to read the stable flag from");
    }

    private static Optional<String> stealFilled(List<PvReport.Entry> bsp) {
        Optional<String> off = enabled(bsp, PvMsr.STEAL_TIME);
        if (off.isPresent()) return off;
        Map<String, Object> d = find(bsp, PvMsr.STEAL_TIME).orElseThrow().decoded();
        long version = ((Number) d.get("version")).longValue();
        if (version == 0 || (version & 1) != 0) {
            return Optional.of("steal-time structure version " + version + ": KVM has not (or not completely) filled it");
        }
        return Optional.empty();
    }

    private static Optional<String> asyncPfInt(List<PvReport.Entry> bsp) {
        Optional<PvReport.Entry> vec = find(bsp, PvMsr.ASYNC_PF_INT);
        if (vec.isEmpty() || !vec.get().supported() || vec.get().value() == 0) {
            return Optional.of("host reads no page-ready vector in MSR_KVM_ASYNC_PF_INT");
        }
        Optional<PvReport.Entry> en = find(bsp, PvMsr.ASYNC_PF_EN);
        if (en.isEmpty() || !en.get().supported() || (en.get().value() & APF_DELIVERY_AS_INT) == 0) {
            return Optional.of("host reads MSR_KVM_ASYNC_PF_EN without the delivery-as-interrupt bit");
        }
        return Optional.empty();
    }
}
