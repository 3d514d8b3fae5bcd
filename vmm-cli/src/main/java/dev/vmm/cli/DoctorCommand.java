package dev.vmm.cli;

import dev.vmm.cpu.CpuidEntry;
import dev.vmm.cpu.PvFeature;
import dev.vmm.debug.GuestDebugProbe;
import dev.vmm.kvm.Ioctls;
import dev.vmm.kvm.Kvm;
import dev.vmm.kvm.KvmException;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code vmm doctor}: can the VMM run here, and what does this host's KVM offer? Exit 0 when it can
 * run; otherwise the last line on stderr says why (and how to fix it when we know).
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check this host: /dev/kvm access, KVM API version, the capabilities the VMM and the",
                "PV features need, the KVM flavour loaded, and the PV features KVM offers.",
                "Exit status 0 when the VMM can run here."})
public final class DoctorCommand implements Callable<Integer> {

    /** A capability the report lists, and what it is for. */
    record Cap(int number, boolean required, boolean valued, String purpose) {
        String name() {
            return Ioctls.capabilityName(number);
        }
    }

    /** In the order the brief lists them; "valued" capabilities print their number, not yes/no. */
    static final List<Cap> CAPS = List.of(
            new Cap(Ioctls.KVM_CAP_IRQCHIP, true, false, "in-kernel LAPIC/IOAPIC/PIC"),
            new Cap(Ioctls.KVM_CAP_USER_MEMORY, true, false, "guest RAM from our mapping"),
            new Cap(Ioctls.KVM_CAP_SET_TSS_ADDR, true, false, "TSS area Intel VMX needs"),
            new Cap(Ioctls.KVM_CAP_EXT_CPUID, true, false, "KVM_GET_SUPPORTED_CPUID / KVM_SET_CPUID2"),
            new Cap(Ioctls.KVM_CAP_MP_STATE, true, false, "AP bring-up with INIT/SIPI"),
            new Cap(Ioctls.KVM_CAP_PIT2, true, false, "in-kernel PIT"),
            new Cap(Ioctls.KVM_CAP_IMMEDIATE_EXIT, true, false, "kicking vCPUs out of KVM_RUN"),
            new Cap(Ioctls.KVM_CAP_MAX_VCPUS, false, true, "most vCPUs per VM (--smp limit)"),
            new Cap(Ioctls.KVM_CAP_NR_VCPUS, false, true, "recommended vCPUs per VM"),
            new Cap(Ioctls.KVM_CAP_MAX_VCPU_ID, false, true, "APIC IDs stay below this (--apic-ids limit)"),
            new Cap(Ioctls.KVM_CAP_ADJUST_CLOCK, false, true, "kvmclock: KVM_GET_CLOCK/KVM_SET_CLOCK"),
            new Cap(Ioctls.KVM_CAP_SPLIT_IRQCHIP, false, false, "kernel-irqchip=split, kvm-msi-ext-dest-id"),
            new Cap(Ioctls.KVM_CAP_X2APIC_API, false, true, "x2APIC with APIC IDs above 255"),
            new Cap(Ioctls.KVM_CAP_ENFORCE_PV_FEATURE_CPUID, false, false, "kvm-pv-enforce-cpuid"),
            new Cap(Ioctls.KVM_CAP_BINARY_STATS_FD, false, false, "per-vCPU statistics (KVM_GET_STATS_FD)"));

    /** Module directory name, name to print, one line of advice. */
    static final String[][] FLAVOURS = {
            {"kvm_pvm", "kvm-pvm", "guest kernel-mode code is emulated instruction by instruction (~1 µs each);"
                    + " some instructions such as cmpxchg16b and xrstor are not emulated, so stock Linux kernels"
                    + " stop with a KVM internal error: keep guest kernel work small"},
            {"kvm_intel", "kvm-intel", "hardware virtualization (Intel VT-x): guest code runs at native speed"},
            {"kvm_amd", "kvm-amd", "hardware virtualization (AMD-V/SVM): guest code runs at native speed"},
    };

    Path sysModule = Path.of("/sys/module");
    String devKvm = Kvm.DEFAULT_PATH;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        printFlavours(out, flavours(sysModule));
        Kvm kvm;
        try {
            kvm = Kvm.open(devKvm);
        } catch (KvmException e) {
            out.println(devKvm + ": not accessible");
            out.flush();
            throw new UserError(e.getMessage(), 1);
        }
        try (kvm) {
            out.println(devKvm + ": accessible (read/write)");
            out.println("KVM API version: " + Ioctls.KVM_API_VERSION);
            out.println("capabilities:");
            List<String> missing = new ArrayList<>();
            for (Cap cap : CAPS) {
                int value = kvm.checkExtension(cap.number());
                if (cap.required() && value <= 0) missing.add(cap.name());
                out.println(capLine(cap, value));
            }
            int hostEax = 0;
            for (CpuidEntry e : kvm.supportedCpuid()) {
                if (e.function() == PvFeature.KVM_CPUID_FEATURES) hostEax |= e.eax();
            }
            printPvFeatures(out, hostEax);
            printGuestDebug(out, kvm);
            printSeccomp(out);
            out.flush();
            if (!missing.isEmpty()) {
                throw new UserError("the VMM cannot run here: KVM lacks " + String.join(", ", missing), 1);
            }
            out.println("verdict: the VMM can run here");
            out.flush();
            return 0;
        } catch (KvmException e) {
            out.flush();
            throw new UserError(e.getMessage(), 1);
        }
    }

    static String capLine(Cap cap, int value) {
        String state = value <= 0 ? "no" : cap.valued() ? "yes (" + value + ")" : "yes";
        return String.format("  %-34s %-4d %-10s %-8s %s", cap.name(), cap.number(), state,
                cap.required() ? "required" : "optional", cap.purpose());
    }

    /** Loaded KVM vendor modules, as {name, advice} pairs, in the order of {@link #FLAVOURS}. */
    static List<String[]> flavours(Path sysModule) {
        List<String[]> found = new ArrayList<>();
        for (String[] f : FLAVOURS) {
            if (Files.isDirectory(sysModule.resolve(f[0]))) found.add(new String[] {f[1], f[2]});
        }
        return found;
    }

    static void printFlavours(PrintStream out, List<String[]> found) {
        out.println("KVM flavour:");
        if (found.isEmpty()) {
            out.println("  none loaded (no kvm_intel, kvm_amd or kvm_pvm in /sys/module):"
                    + " load the module for this CPU or enable virtualization in the firmware");
        }
        for (String[] f : found) {
            out.println("  " + f[0] + ": " + f[1]);
        }
    }

    /** What KVM_SET_GUEST_DEBUG does here (the gdb stub's -s/-gdb), found by running each kind of stop. */
    static void printGuestDebug(PrintStream out, Kvm kvm) {
        out.println("guest debugging (KVM_SET_GUEST_DEBUG, for -s/-gdb), tried in a throwaway VM:");
        try {
            for (GuestDebugProbe.Result r : GuestDebugProbe.run(kvm)) {
                out.println(String.format("  %-52s %-3s %s", r.feature().description(), r.works() ? "yes" : "no", r.evidence()));
            }
        } catch (RuntimeException e) {
            out.println("  not tried: " + e.getMessage());
        }
    }

    /** Leaf 0x40000001 EAX as KVM_GET_SUPPORTED_CPUID reports it, by name. */
    static void printSeccomp(PrintStream out) {
        try {
            out.println("vCPU seccomp filter: " + dev.vmm.vm.VcpuSeccomp.probe());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("vCPU seccomp filter: not tried (interrupted)");
        }
    }

    static void printPvFeatures(PrintStream out, int eax) {
        out.println(String.format("PV features offered by KVM_GET_SUPPORTED_CPUID (leaf 0x%08x EAX = 0x%08x):",
                PvFeature.KVM_CPUID_FEATURES, eax));
        for (PvFeature f : PvFeature.values()) {
            if (f.register() != PvFeature.Register.EAX) continue;
            boolean on = (eax & f.mask()) == f.mask();
            String note = f == PvFeature.MSI_EXT_DEST_ID ? " (never reported by KVM: the VMM offers it with kernel-irqchip=split)" : "";
            out.println(String.format("  %-22s bit %-5s %s%s", f.qemuName(), f.bitList(), on ? "yes" : "no", note));
        }
        for (int b = 0; b < 32; b++) {
            if ((eax & (1 << b)) != 0 && PvFeature.byBit(PvFeature.Register.EAX, b).isEmpty()) {
                out.println(String.format("  %-22s bit %-5d yes", "(unknown)", b));
            }
        }
    }
}
