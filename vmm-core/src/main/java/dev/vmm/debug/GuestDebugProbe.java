package dev.vmm.debug;

import dev.vmm.kvm.GuestDebug;
import dev.vmm.kvm.Kvm;
import dev.vmm.kvm.KvmException;
import dev.vmm.kvm.KvmRun;
import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Segment;
import dev.vmm.kvm.Sregs;
import dev.vmm.kvm.VcpuExit;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.kvm.VcpuKicker;
import dev.vmm.kvm.VmFd;
import dev.vmm.memory.GuestMemory;
import dev.vmm.memory.MemoryRegion;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds out what KVM_SET_GUEST_DEBUG does on this host by trying it: a throwaway VM with one vCPU
 * in 64-bit mode (one identity-mapped 2 MiB page) runs three bytes of code per probe and must come
 * back with KVM_EXIT_DEBUG of the right kind. Nothing is assumed from the KVM flavour: a host
 * whose KVM cannot emulate int3 in guest kernel mode (kvm-pvm) answers the software-breakpoint
 * probe with a KVM internal error, and the probe says so. {@code vmm doctor} prints the result;
 * the gdb stub refuses what the host cannot do instead of letting the guest die.
 */
public final class GuestDebugProbe {
    /** @return whether {@code feature} worked in {@code results} (false when it was not probed) */
    public static boolean works(List<Result> results, Feature feature) {
        return results.stream().anyMatch(r -> r.feature() == feature && r.works());
    }

    /** What was probed, in the order printed. */
    public enum Feature {
        SOFTWARE_BREAKPOINT_KERNEL("software breakpoints (int3) in guest kernel mode", 0, new byte[] {(byte) 0xcc, (byte) 0xf4, (byte) 0xf4}),
        HARDWARE_BREAKPOINT_KERNEL("hardware breakpoints (DR0-DR3) in guest kernel mode", 0, new byte[] {(byte) 0x90, (byte) 0x90, (byte) 0xf4}),
        SINGLE_STEP_KERNEL("single step in guest kernel mode", 0, new byte[] {(byte) 0x90, (byte) 0x90, (byte) 0xf4}),
        SOFTWARE_BREAKPOINT_USER("software breakpoints (int3) in guest user mode", 3, new byte[] {(byte) 0xcc, (byte) 0xeb, (byte) 0xfe}),
        HARDWARE_BREAKPOINT_USER("hardware breakpoints (DR0-DR3) in guest user mode", 3, new byte[] {(byte) 0x90, (byte) 0x90, (byte) 0xeb, (byte) 0xfc}),
        SINGLE_STEP_USER("single step in guest user mode", 3, new byte[] {(byte) 0x90, (byte) 0x90, (byte) 0xeb, (byte) 0xfc});

        final String description;
        final int ring;
        final byte[] code;

        Feature(String description, int ring, byte[] code) {
            this.description = description;
            this.ring = ring;
            this.code = code;
        }

        public String description() {
            return description;
        }
    }

    /** @param works whether KVM stopped the guest as asked; {@code evidence} what it did instead, or the exit it gave */
    public record Result(Feature feature, boolean works, String evidence) {
    }

    private static final long CODE = 0x1000;
    private static final long PML4 = 0x2000, PDPT = 0x3000, PD = 0x4000;
    private static final long PAGE_PRESENT_RW_USER = 0x7, PAGE_LARGE = 0x80;
    private static final int MAX_RUNS = 100;
    private static final long TIMEOUT_MILLIS = 500;

    private GuestDebugProbe() {
    }

    /** Runs every probe; throws only when no VM can be created at all. */
    public static List<Result> run(Kvm kvm) {
        List<Result> out = new ArrayList<>();
        for (Feature f : Feature.values()) {
            out.add(probe(kvm, f));
        }
        return out;
    }

    /** One probe in a VM of its own, so that a guest that died in one probe cannot spoil the next. */
    public static Result probe(Kvm kvm, Feature f) {
        try (VmFd vm = kvm.createVm(); GuestMemory mem = GuestMemory.create(2L << 20)) {
            vm.setTssAddr(0xfffbd000L);
            int slot = 0;
            for (MemoryRegion r : mem.regions()) {
                vm.setUserMemoryRegion(slot++, 0, r.gpa(), r.size(), r.hostAddress());
            }
            try (VcpuFd cpu = vm.createVcpu(0)) {
                return run(cpu, mem, f);
            }
        } catch (KvmException e) {
            return new Result(f, false, e.getMessage());
        }
    }

    private static Result run(VcpuFd cpu, GuestMemory mem, Feature f) {
        mem.write(CODE, f.code);
        // 64-bit mode with paging, as the guests a debugger looks at run: one 2 MiB identity page,
        // user-accessible so that the ring-3 probe runs from the same code page
        mem.writeU64(PML4, PDPT | PAGE_PRESENT_RW_USER);
        mem.writeU64(PDPT, PD | PAGE_PRESENT_RW_USER);
        mem.writeU64(PD, PAGE_PRESENT_RW_USER | PAGE_LARGE);
        Sregs s = cpu.getSregs();
        int dpl = f.ring;
        s.cs = new Segment(0, 0xffffffff, 0x08 | dpl, 11, true, dpl, false, true, true, true, false, false);
        s.setDataSegments(new Segment(0, 0xffffffff, 0x10 | dpl, 3, true, dpl, true, true, false, true, false, false));
        s.cr0 = Sregs.CR0_PE | Sregs.CR0_PG;
        s.cr3 = PML4;
        s.cr4 = Sregs.CR4_PAE;
        s.efer = Sregs.EFER_LME | Sregs.EFER_LMA;
        cpu.setSregs(s);
        Regs r = new Regs().rip(CODE).rflags(2).rsp(0x8000);
        cpu.setRegs(r);
        long[] dr = new long[8];
        int control = GuestDebug.ENABLE;
        switch (f) {
            case SOFTWARE_BREAKPOINT_KERNEL, SOFTWARE_BREAKPOINT_USER -> control |= GuestDebug.USE_SW_BP;
            case SINGLE_STEP_KERNEL, SINGLE_STEP_USER -> control |= GuestDebug.SINGLESTEP;
            default -> {
                control |= GuestDebug.USE_HW_BP;
                dr[0] = CODE + 1;
                dr[7] = 0x2; // G0: execute, one byte
            }
        }
        try {
            cpu.setGuestDebug(new GuestDebug(control, dr));
        } catch (KvmException e) {
            return new Result(f, false, "KVM_SET_GUEST_DEBUG failed: " + e.getMessage());
        }
        // a breakpoint that never fires leaves the vCPU in its loop: kick it out after a while, and
        // again every TIMEOUT_MILLIS, because one kick can be lost (nested KVM under QEMU TCG lost
        // the signal's interrupt once, and `vmm doctor` then waited for ever in KVM_RUN)
        VcpuKicker kicker = new VcpuKicker(cpu);
        kicker.arm();
        Thread watchdog = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(TIMEOUT_MILLIS);
                    kicker.kick();
                }
            } catch (InterruptedException done) {
                // the probe ended
            }
        }, "debug-probe-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            return runProbe(cpu, f, kicker);
        } finally {
            watchdog.interrupt();
            kicker.disarm();
        }
    }

    private static Result runProbe(VcpuFd cpu, Feature f, VcpuKicker kicker) {
        long start = System.nanoTime();
        for (int i = 0; i < MAX_RUNS; i++) {
            VcpuExit exit = cpu.run();
            if (exit instanceof VcpuExit.Debug debug) {
                return judge(f, debug);
            }
            if (exit instanceof VcpuExit.Interrupted) {
                kicker.acknowledge();
                if (System.nanoTime() - start >= TIMEOUT_MILLIS * 1_000_000L) { // the watchdog's kick
                    return new Result(f, false, "no KVM_EXIT_DEBUG within " + TIMEOUT_MILLIS + " ms: the guest ran past the breakpoint");
                }
                continue;
            }
            String what = KvmRun.exitReasonName(exit.reason());
            if (exit instanceof VcpuExit.InternalError error) {
                what += " (suberror " + error.suberror() + (error.suberror() == 1 ? ": emulation failure" : "") + ")";
            }
            return new Result(f, false, "the guest got " + what + " instead of KVM_EXIT_DEBUG");
        }
        return new Result(f, false, "no KVM_EXIT_DEBUG after " + MAX_RUNS + " runs");
    }

    private static Result judge(Feature f, VcpuExit.Debug exit) {
        int exception = exit.exception();
        long pc = exit.pc();
        long dr6 = exit.dr6();
        String evidence = String.format("KVM_EXIT_DEBUG exception %d pc 0x%x dr6 0x%x", exception, pc, dr6);
        boolean ok = switch (f) {
            // RIP at the int3, or just after it on a host that reports the trap that way (GuestDebugger rewinds it)
            case SOFTWARE_BREAKPOINT_KERNEL, SOFTWARE_BREAKPOINT_USER -> exception == VcpuExit.Debug.BP_VECTOR
                    && (pc == CODE || pc == CODE + 1);
            case SINGLE_STEP_KERNEL, SINGLE_STEP_USER -> exception == VcpuExit.Debug.DB_VECTOR
                    && (dr6 & VcpuExit.Debug.DR6_SINGLE_STEP) != 0 && pc == CODE + 1;
            default -> exception == VcpuExit.Debug.DB_VECTOR && exit.hardwareSlot() == 0 && pc == CODE + 1;
        };
        return new Result(f, ok, evidence);
    }
}
