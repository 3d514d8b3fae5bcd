package dev.vmm.kvm;

import dev.vmm.host.CHeaderCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every ioctl number, capability, sizeof and offsetof the KVM binding hard-codes, compared one by
 * one with what gcc computes from the real {@code <linux/kvm.h>} ({@link CHeaderCheck}).
 */
class StructLayoutTest {
    private final CHeaderCheck check = new CHeaderCheck("linux/kvm.h");

    private void e(String cExpr, long javaValue) {
        check.expect(cExpr, javaValue);
    }

    private void fillExpectations() {
        // ioctls
        e("KVM_GET_API_VERSION", Ioctls.KVM_GET_API_VERSION);
        e("KVM_CREATE_VM", Ioctls.KVM_CREATE_VM);
        e("KVM_CHECK_EXTENSION", Ioctls.KVM_CHECK_EXTENSION);
        e("KVM_GET_VCPU_MMAP_SIZE", Ioctls.KVM_GET_VCPU_MMAP_SIZE);
        e("KVM_GET_SUPPORTED_CPUID", Ioctls.KVM_GET_SUPPORTED_CPUID);
        e("KVM_CREATE_VCPU", Ioctls.KVM_CREATE_VCPU);
        e("KVM_SET_USER_MEMORY_REGION", Ioctls.KVM_SET_USER_MEMORY_REGION);
        e("KVM_SET_TSS_ADDR", Ioctls.KVM_SET_TSS_ADDR);
        e("KVM_SET_IDENTITY_MAP_ADDR", Ioctls.KVM_SET_IDENTITY_MAP_ADDR);
        e("KVM_CREATE_IRQCHIP", Ioctls.KVM_CREATE_IRQCHIP);
        e("KVM_IRQ_LINE", Ioctls.KVM_IRQ_LINE);
        e("KVM_CREATE_PIT2", Ioctls.KVM_CREATE_PIT2);
        e("KVM_GET_CLOCK", Ioctls.KVM_GET_CLOCK);
        e("KVM_ENABLE_CAP", Ioctls.KVM_ENABLE_CAP);
        e("KVM_SIGNAL_MSI", Ioctls.KVM_SIGNAL_MSI);
        e("KVM_RUN", Ioctls.KVM_RUN);
        e("KVM_GET_REGS", Ioctls.KVM_GET_REGS);
        e("KVM_SET_REGS", Ioctls.KVM_SET_REGS);
        e("KVM_GET_SREGS", Ioctls.KVM_GET_SREGS);
        e("KVM_SET_SREGS", Ioctls.KVM_SET_SREGS);
        e("KVM_GET_MSRS", Ioctls.KVM_GET_MSRS);
        e("KVM_SET_MSRS", Ioctls.KVM_SET_MSRS);
        e("KVM_SET_SIGNAL_MASK", Ioctls.KVM_SET_SIGNAL_MASK);
        e("KVM_GET_FPU", Ioctls.KVM_GET_FPU);
        e("KVM_SET_FPU", Ioctls.KVM_SET_FPU);
        e("KVM_GET_LAPIC", Ioctls.KVM_GET_LAPIC);
        e("KVM_SET_LAPIC", Ioctls.KVM_SET_LAPIC);
        e("KVM_SET_CPUID2", Ioctls.KVM_SET_CPUID2);
        e("KVM_GET_CPUID2", Ioctls.KVM_GET_CPUID2);
        e("KVM_GET_MP_STATE", Ioctls.KVM_GET_MP_STATE);
        e("KVM_SET_MP_STATE", Ioctls.KVM_SET_MP_STATE);
        e("KVM_GET_DEBUGREGS", Ioctls.KVM_GET_DEBUGREGS);
        e("KVM_GET_STATS_FD", Ioctls.KVM_GET_STATS_FD);
        e("KVM_GET_IRQCHIP", Ioctls.KVM_GET_IRQCHIP);
        e("KVM_SET_IRQCHIP", Ioctls.KVM_SET_IRQCHIP);
        e("sizeof(struct kvm_irqchip)", Ioctls.SIZEOF_KVM_IRQCHIP);
        e("KVM_IRQCHIP_PIC_MASTER", VmFd.IRQCHIP_PIC_MASTER);
        e("KVM_IRQCHIP_PIC_SLAVE", VmFd.IRQCHIP_PIC_SLAVE);
        e("KVM_IRQCHIP_IOAPIC", VmFd.IRQCHIP_IOAPIC);
        e("sizeof(__u64)", Ioctls.SIZEOF_U64);
        e("sizeof(struct kvm_stats_header)", KvmStats.HEADER_SIZE);
        e("sizeof(struct kvm_stats_desc)", KvmStats.DESC_FIXED_SIZE);
        e("KVMIO", Ioctls.KVMIO);
        e("KVM_SET_GUEST_DEBUG", Ioctls.KVM_SET_GUEST_DEBUG);
        e("sizeof(struct kvm_guest_debug)", GuestDebug.SIZE);
        e("offsetof(struct kvm_guest_debug, control)", GuestDebug.OFF_CONTROL);
        e("offsetof(struct kvm_guest_debug, arch.debugreg)", GuestDebug.OFF_DEBUGREG);
        e("KVM_GUESTDBG_ENABLE", GuestDebug.ENABLE);
        e("KVM_GUESTDBG_SINGLESTEP", GuestDebug.SINGLESTEP);
        e("KVM_GUESTDBG_USE_SW_BP", GuestDebug.USE_SW_BP);
        e("KVM_GUESTDBG_USE_HW_BP", GuestDebug.USE_HW_BP);
        e("KVM_GUESTDBG_BLOCKIRQ", GuestDebug.BLOCKIRQ);
        e("KVM_CAP_SET_GUEST_DEBUG", Ioctls.KVM_CAP_SET_GUEST_DEBUG);
        e("KVM_CAP_SET_GUEST_DEBUG2", Ioctls.KVM_CAP_SET_GUEST_DEBUG2);
        e("sizeof(struct kvm_debug_exit_arch)", 32);
        e("KVM_API_VERSION", Ioctls.KVM_API_VERSION);
        // capabilities
        e("KVM_CAP_IRQCHIP", Ioctls.KVM_CAP_IRQCHIP);
        e("KVM_CAP_USER_MEMORY", Ioctls.KVM_CAP_USER_MEMORY);
        e("KVM_CAP_SET_TSS_ADDR", Ioctls.KVM_CAP_SET_TSS_ADDR);
        e("KVM_CAP_EXT_CPUID", Ioctls.KVM_CAP_EXT_CPUID);
        e("KVM_CAP_NR_VCPUS", Ioctls.KVM_CAP_NR_VCPUS);
        e("KVM_CAP_MP_STATE", Ioctls.KVM_CAP_MP_STATE);
        e("KVM_CAP_PIT2", Ioctls.KVM_CAP_PIT2);
        e("KVM_CAP_ADJUST_CLOCK", Ioctls.KVM_CAP_ADJUST_CLOCK);
        e("KVM_CAP_MAX_VCPUS", Ioctls.KVM_CAP_MAX_VCPUS);
        e("KVM_CAP_SPLIT_IRQCHIP", Ioctls.KVM_CAP_SPLIT_IRQCHIP);
        e("KVM_CAP_X2APIC_API", Ioctls.KVM_CAP_X2APIC_API);
        e("KVM_CAP_MAX_VCPU_ID", Ioctls.KVM_CAP_MAX_VCPU_ID);
        e("KVM_X2APIC_API_USE_32BIT_IDS", Ioctls.KVM_X2APIC_API_USE_32BIT_IDS);
        e("KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK", Ioctls.KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK);
        e("KVM_CAP_IMMEDIATE_EXIT", Ioctls.KVM_CAP_IMMEDIATE_EXIT);
        e("KVM_CAP_ENFORCE_PV_FEATURE_CPUID", Ioctls.KVM_CAP_ENFORCE_PV_FEATURE_CPUID);
        e("KVM_CAP_BINARY_STATS_FD", Ioctls.KVM_CAP_BINARY_STATS_FD);
        // sizes
        e("sizeof(struct kvm_regs)", Ioctls.SIZEOF_KVM_REGS);
        e("sizeof(struct kvm_sregs)", Ioctls.SIZEOF_KVM_SREGS);
        e("sizeof(struct kvm_fpu)", Ioctls.SIZEOF_KVM_FPU);
        e("sizeof(struct kvm_fpu) ", Fpu.SIZE);
        e("sizeof(struct kvm_lapic_state)", Ioctls.SIZEOF_KVM_LAPIC_STATE);
        e("sizeof(struct kvm_msrs)", Ioctls.SIZEOF_KVM_MSRS);
        e("sizeof(struct kvm_msr_entry)", Ioctls.SIZEOF_KVM_MSR_ENTRY);
        e("sizeof(struct kvm_msr_entry) ", Msr.SIZE);
        e("sizeof(struct kvm_cpuid2)", Ioctls.SIZEOF_KVM_CPUID2);
        e("sizeof(struct kvm_cpuid_entry2)", Ioctls.SIZEOF_KVM_CPUID_ENTRY2);
        e("sizeof(struct kvm_mp_state)", Ioctls.SIZEOF_KVM_MP_STATE);
        e("sizeof(struct kvm_debugregs)", Ioctls.SIZEOF_KVM_DEBUGREGS);
        e("sizeof(struct kvm_userspace_memory_region)", Ioctls.SIZEOF_KVM_USERSPACE_MEMORY_REGION);
        e("sizeof(struct kvm_irq_level)", Ioctls.SIZEOF_KVM_IRQ_LEVEL);
        e("sizeof(struct kvm_pit_config)", Ioctls.SIZEOF_KVM_PIT_CONFIG);
        e("sizeof(struct kvm_clock_data)", Ioctls.SIZEOF_KVM_CLOCK_DATA);
        e("sizeof(struct kvm_msi)", Ioctls.SIZEOF_KVM_MSI);
        e("sizeof(struct kvm_enable_cap)", Ioctls.SIZEOF_KVM_ENABLE_CAP);
        e("sizeof(struct kvm_signal_mask)", Ioctls.SIZEOF_KVM_SIGNAL_MASK);
        e("sizeof(struct kvm_segment)", Segment.SIZE);
        e("sizeof(struct kvm_dtable)", Dtable.SIZE);
        // kvm_regs: 18 consecutive u64
        for (int i = 0; i < Regs.NAMES.length; i++) {
            e("offsetof(struct kvm_regs, " + Regs.NAMES[i] + ")", 8L * i);
        }
        // kvm_segment
        e("offsetof(struct kvm_segment, base)", 0);
        e("offsetof(struct kvm_segment, limit)", 8);
        e("offsetof(struct kvm_segment, selector)", 12);
        e("offsetof(struct kvm_segment, type)", 14);
        e("offsetof(struct kvm_segment, present)", 15);
        e("offsetof(struct kvm_segment, dpl)", 16);
        e("offsetof(struct kvm_segment, db)", 17);
        e("offsetof(struct kvm_segment, s)", 18);
        e("offsetof(struct kvm_segment, l)", 19);
        e("offsetof(struct kvm_segment, g)", 20);
        e("offsetof(struct kvm_segment, avl)", 21);
        e("offsetof(struct kvm_segment, unusable)", 22);
        e("offsetof(struct kvm_dtable, base)", 0);
        e("offsetof(struct kvm_dtable, limit)", 8);
        // kvm_sregs
        e("offsetof(struct kvm_sregs, cs)", Sregs.OFF_CS);
        e("offsetof(struct kvm_sregs, ds)", Sregs.OFF_DS);
        e("offsetof(struct kvm_sregs, es)", Sregs.OFF_ES);
        e("offsetof(struct kvm_sregs, fs)", Sregs.OFF_FS);
        e("offsetof(struct kvm_sregs, gs)", Sregs.OFF_GS);
        e("offsetof(struct kvm_sregs, ss)", Sregs.OFF_SS);
        e("offsetof(struct kvm_sregs, tr)", Sregs.OFF_TR);
        e("offsetof(struct kvm_sregs, ldt)", Sregs.OFF_LDT);
        e("offsetof(struct kvm_sregs, gdt)", Sregs.OFF_GDT);
        e("offsetof(struct kvm_sregs, idt)", Sregs.OFF_IDT);
        e("offsetof(struct kvm_sregs, cr0)", Sregs.OFF_CR0);
        e("offsetof(struct kvm_sregs, cr2)", Sregs.OFF_CR2);
        e("offsetof(struct kvm_sregs, cr3)", Sregs.OFF_CR3);
        e("offsetof(struct kvm_sregs, cr4)", Sregs.OFF_CR4);
        e("offsetof(struct kvm_sregs, cr8)", Sregs.OFF_CR8);
        e("offsetof(struct kvm_sregs, efer)", Sregs.OFF_EFER);
        e("offsetof(struct kvm_sregs, apic_base)", Sregs.OFF_APIC_BASE);
        e("offsetof(struct kvm_sregs, interrupt_bitmap)", Sregs.OFF_INTERRUPT_BITMAP);
        // kvm_fpu
        e("offsetof(struct kvm_fpu, fcw)", Fpu.OFF_FCW);
        e("offsetof(struct kvm_fpu, mxcsr)", Fpu.OFF_MXCSR);
        // kvm_msr_entry / kvm_msrs / kvm_cpuid_entry2
        e("offsetof(struct kvm_msrs, entries)", Ioctls.SIZEOF_KVM_MSRS);
        e("offsetof(struct kvm_msr_entry, index)", 0);
        e("offsetof(struct kvm_msr_entry, data)", 8);
        e("offsetof(struct kvm_cpuid2, entries)", Ioctls.SIZEOF_KVM_CPUID2);
        e("offsetof(struct kvm_cpuid_entry2, function)", 0);
        e("offsetof(struct kvm_cpuid_entry2, index)", 4);
        e("offsetof(struct kvm_cpuid_entry2, flags)", 8);
        e("offsetof(struct kvm_cpuid_entry2, eax)", 12);
        e("offsetof(struct kvm_cpuid_entry2, ebx)", 16);
        e("offsetof(struct kvm_cpuid_entry2, ecx)", 20);
        e("offsetof(struct kvm_cpuid_entry2, edx)", 24);
        e("KVM_CPUID_FLAG_SIGNIFCANT_INDEX", dev.vmm.cpu.CpuidEntry.FLAG_SIGNIFICANT_INDEX);
        // others used by VmFd / VcpuFd
        e("offsetof(struct kvm_userspace_memory_region, slot)", 0);
        e("offsetof(struct kvm_userspace_memory_region, flags)", 4);
        e("offsetof(struct kvm_userspace_memory_region, guest_phys_addr)", 8);
        e("offsetof(struct kvm_userspace_memory_region, memory_size)", 16);
        e("offsetof(struct kvm_userspace_memory_region, userspace_addr)", 24);
        e("offsetof(struct kvm_irq_level, irq)", 0);
        e("offsetof(struct kvm_irq_level, level)", 4);
        e("offsetof(struct kvm_clock_data, clock)", 0);
        e("offsetof(struct kvm_clock_data, flags)", 8);
        e("offsetof(struct kvm_clock_data, realtime)", 16);
        e("offsetof(struct kvm_clock_data, host_tsc)", 24);
        e("offsetof(struct kvm_msi, address_lo)", 0);
        e("offsetof(struct kvm_msi, address_hi)", 4);
        e("offsetof(struct kvm_msi, data)", 8);
        e("offsetof(struct kvm_enable_cap, cap)", 0);
        e("offsetof(struct kvm_enable_cap, args)", 8);
        e("offsetof(struct kvm_signal_mask, sigset)", 4);
        e("KVM_MP_STATE_RUNNABLE", MpState.RUNNABLE);
        e("KVM_MP_STATE_UNINITIALIZED", MpState.UNINITIALIZED);
        e("KVM_MP_STATE_INIT_RECEIVED", MpState.INIT_RECEIVED);
        e("KVM_MP_STATE_HALTED", MpState.HALTED);
        e("KVM_MP_STATE_SIPI_RECEIVED", MpState.SIPI_RECEIVED);
        // kvm_run
        e("offsetof(struct kvm_run, request_interrupt_window)", KvmRun.OFF_REQUEST_INTERRUPT_WINDOW);
        e("offsetof(struct kvm_run, immediate_exit)", KvmRun.OFF_IMMEDIATE_EXIT);
        e("offsetof(struct kvm_run, exit_reason)", KvmRun.OFF_EXIT_REASON);
        e("offsetof(struct kvm_run, ready_for_interrupt_injection)", KvmRun.OFF_READY_FOR_INTERRUPT_INJECTION);
        e("offsetof(struct kvm_run, if_flag)", KvmRun.OFF_IF_FLAG);
        e("offsetof(struct kvm_run, flags)", KvmRun.OFF_FLAGS);
        e("offsetof(struct kvm_run, cr8)", KvmRun.OFF_CR8);
        e("offsetof(struct kvm_run, apic_base)", KvmRun.OFF_APIC_BASE);
        e("offsetof(struct kvm_run, io)", KvmRun.OFF_UNION);
        e("offsetof(struct kvm_run, io.direction)", KvmRun.OFF_IO_DIRECTION);
        e("offsetof(struct kvm_run, io.size)", KvmRun.OFF_IO_SIZE);
        e("offsetof(struct kvm_run, io.port)", KvmRun.OFF_IO_PORT);
        e("offsetof(struct kvm_run, io.count)", KvmRun.OFF_IO_COUNT);
        e("offsetof(struct kvm_run, io.data_offset)", KvmRun.OFF_IO_DATA_OFFSET);
        e("offsetof(struct kvm_run, mmio.phys_addr)", KvmRun.OFF_MMIO_PHYS_ADDR);
        e("offsetof(struct kvm_run, mmio.data)", KvmRun.OFF_MMIO_DATA);
        e("offsetof(struct kvm_run, mmio.len)", KvmRun.OFF_MMIO_LEN);
        e("offsetof(struct kvm_run, mmio.is_write)", KvmRun.OFF_MMIO_IS_WRITE);
        e("offsetof(struct kvm_run, internal.suberror)", KvmRun.OFF_INTERNAL_SUBERROR);
        e("offsetof(struct kvm_run, internal.ndata)", KvmRun.OFF_INTERNAL_NDATA);
        e("offsetof(struct kvm_run, internal.data)", KvmRun.OFF_INTERNAL_DATA);
        e("offsetof(struct kvm_run, fail_entry.hardware_entry_failure_reason)", KvmRun.OFF_FAIL_ENTRY_REASON);
        e("offsetof(struct kvm_run, fail_entry.cpu)", KvmRun.OFF_FAIL_ENTRY_CPU);
        e("offsetof(struct kvm_run, system_event.type)", KvmRun.OFF_SYSTEM_EVENT_TYPE);
        e("offsetof(struct kvm_run, system_event.ndata)", KvmRun.OFF_SYSTEM_EVENT_NDATA);
        e("offsetof(struct kvm_run, system_event.data)", KvmRun.OFF_SYSTEM_EVENT_DATA);
        e("offsetof(struct kvm_run, debug.arch.exception)", KvmRun.OFF_DEBUG_EXCEPTION);
        e("offsetof(struct kvm_run, debug.arch.pc)", KvmRun.OFF_DEBUG_PC);
        e("offsetof(struct kvm_run, debug.arch.dr6)", KvmRun.OFF_DEBUG_DR6);
        e("offsetof(struct kvm_run, debug.arch.dr7)", KvmRun.OFF_DEBUG_DR7);
        e("sizeof(((struct kvm_run *) 0)->internal.data) / 8", KvmRun.MAX_EXIT_DATA);
        e("sizeof(((struct kvm_run *) 0)->system_event.data) / 8", KvmRun.MAX_EXIT_DATA);
        e("KVM_EXIT_IO_IN", KvmRun.IO_IN);
        e("KVM_EXIT_IO_OUT", KvmRun.IO_OUT);
        e("KVM_SYSTEM_EVENT_SHUTDOWN", KvmRun.SYSTEM_EVENT_SHUTDOWN);
        e("KVM_SYSTEM_EVENT_RESET", KvmRun.SYSTEM_EVENT_RESET);
        e("KVM_SYSTEM_EVENT_CRASH", KvmRun.SYSTEM_EVENT_CRASH);
        String[] exits = {"UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO", "IRQ_WINDOW_OPEN",
            "SHUTDOWN", "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS", "NMI", "INTERNAL_ERROR", "SYSTEM_EVENT",
            "IOAPIC_EOI", "HYPERV", "DIRTY_RING_FULL", "NOTIFY"};
        int[] values = {KvmRun.EXIT_UNKNOWN, KvmRun.EXIT_EXCEPTION, KvmRun.EXIT_IO, KvmRun.EXIT_HYPERCALL,
            KvmRun.EXIT_DEBUG, KvmRun.EXIT_HLT, KvmRun.EXIT_MMIO, KvmRun.EXIT_IRQ_WINDOW_OPEN, KvmRun.EXIT_SHUTDOWN,
            KvmRun.EXIT_FAIL_ENTRY, KvmRun.EXIT_INTR, KvmRun.EXIT_SET_TPR, KvmRun.EXIT_TPR_ACCESS, KvmRun.EXIT_NMI,
            KvmRun.EXIT_INTERNAL_ERROR, KvmRun.EXIT_SYSTEM_EVENT, KvmRun.EXIT_IOAPIC_EOI, KvmRun.EXIT_HYPERV,
            KvmRun.EXIT_DIRTY_RING_FULL, KvmRun.EXIT_NOTIFY};
        for (int i = 0; i < exits.length; i++) {
            e("KVM_EXIT_" + exits[i], values[i]);
            assertEquals("KVM_EXIT_" + exits[i], KvmRun.exitReasonName(values[i]));
        }
    }

    @Test
    void javaConstantsMatchLinuxKvmHeader(@TempDir Path dir) throws Exception {
        fillExpectations();
        check.assertAllMatch(dir);
    }
}
