package dev.vmm.pvtest;

import dev.vmm.cpu.PvFeature;
import dev.vmm.tap.TapReport;
import dev.vmm.tap.TapResult;
import dev.vmm.vm.VmOutcome;

import java.util.List;
import java.util.Optional;

/**
 * The guest's half of a cell's verdict: its TAP, read by the one TAP parser ({@link TapReport}).
 * The feature's own line decides; any other failed line fails the cell too, as does a VM that did
 * not end by powering off.
 */
final class CellJudge {
    /** How the test kernel's kvm-pv-tlb-flush skip begins when it never saw the byte on kvm-pvm (pv_steal.c). */
    static final String NO_PREEMPTION_SKIP = "kvm-pvm never marks a vCPU preempted";

    private CellJudge() {
    }

    /**
     * @param outcome    how the VM ended (null when unknown)
     * @param hypercalls the hypercall mode the guest was given
     * @param kvmPvm     the host is kvm-pvm (a hypercall skip then says why they were not tried)
     */
    static Cell judge(PvFeature f, CellSetting setting, String log, VmOutcome outcome, HypercallMode hypercalls,
                      boolean kvmPvm) {
        String c = setting.label();
        String cpu = setting.cpu();
        PvCheck ownCheck = CheckedFeatures.own(f);
        Optional<PvCheck> realCheck = setting.on() ? CheckedFeatures.real(f) : Optional.empty();
        List<TapResult> results = TapReport.parse(log).results();
        Optional<TapResult> own = lastOf(results, ownCheck);
        Optional<TapResult> otherFailure = results.stream()
                .filter(r -> !r.ok() && !r.todo() && !r.description().startsWith(ownCheck.description())).findFirst();
        if (outcome != null && !outcome.isPowerOff()) {
            return new Cell(f, c, cpu, Verdict.FAIL, "VM did not end normally: "
                    + outcome.report().lines().findFirst().orElse(""), log);
        }
        if (own.isEmpty()) {
            return new Cell(f, c, cpu, Verdict.FAIL, "the guest printed no '" + ownCheck.description() + "' line", log);
        }
        if (!own.get().ok()) {
            return new Cell(f, c, cpu, Verdict.FAIL, own.get().toString(), log);
        }
        if (otherFailure.isPresent()) {
            return new Cell(f, c, cpu, Verdict.FAIL, "other test failed: " + otherFailure.get(), log);
        }
        if (realCheck.isPresent()) {
            Optional<TapResult> real = lastOf(results, realCheck.get());
            if (real.isEmpty()) {
                return new Cell(f, c, cpu, Verdict.FAIL, "the guest printed no '" + realCheck.get().description() + "' line", log);
            }
            // the MSR line passed; the feature's real effect was not shown: say why
            if (real.get().skipped() && !own.get().skipped()) {
                return new Cell(f, c, cpu, Verdict.SKIP, "MSRs work, but no real async page fault: "
                        + real.get().directive().orElseThrow().reason(), log);
            }
        }
        if (own.get().skipped()) {
            String reason = own.get().directive().orElseThrow().reason();
            if (kvmPvm && hypercalls == HypercallMode.NONE && reason.startsWith("hypercalls not enabled")) {
                reason = "hypercalls not tried: VMCALL/VMMCALL never return under kvm-pvm (--hypercalls auto to force)";
            }
            return new Cell(f, c, cpu, Verdict.SKIP, reason, log);
        }
        return new Cell(f, c, cpu, Verdict.PASS, "", log);
    }

    /** The last result of that check (a check's description may be followed by a note). */
    private static Optional<TapResult> lastOf(List<TapResult> results, PvCheck check) {
        TapResult found = null;
        for (TapResult r : results) if (r.description().startsWith(check.description())) found = r;
        return Optional.ofNullable(found);
    }
}
