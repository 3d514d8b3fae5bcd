package dev.vmm.kvm;

import dev.vmm.host.LibC;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** A KVM virtual machine file descriptor: memory slots, in-kernel devices, vCPU creation. */
public final class VmFd implements AutoCloseable {
    private final Kvm kvm;
    private final int fd;
    private boolean closed;

    VmFd(Kvm kvm, int fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    public int fd() {
        return fd;
    }

    /** KVM_CHECK_EXTENSION on the VM fd (some answers, e.g. MAX_VCPUS, are per VM type). */
    public int checkExtension(int cap) {
        return ioctl("KVM_CHECK_EXTENSION", Ioctls.KVM_CHECK_EXTENSION, cap);
    }

    /** KVM_SET_TSS_ADDR: three pages of guest-physical space Intel VMX needs for real mode. */
    public void setTssAddr(long gpa) {
        ioctl("KVM_SET_TSS_ADDR", Ioctls.KVM_SET_TSS_ADDR, gpa);
    }

    /** KVM_SET_IDENTITY_MAP_ADDR: one page for the EPT identity map (the argument is a pointer to u64). */
    public void setIdentityMapAddr(long gpa) {
        Memory m = new Memory(8);
        m.setLong(0, gpa);
        ioctl("KVM_SET_IDENTITY_MAP_ADDR", Ioctls.KVM_SET_IDENTITY_MAP_ADDR, m);
    }

    /** KVM_CREATE_IRQCHIP: in-kernel PIC + IOAPIC + per-vCPU LAPIC. */
    public void createIrqchip() {
        ioctl("KVM_CREATE_IRQCHIP", Ioctls.KVM_CREATE_IRQCHIP, 0);
    }

    /** KVM_CREATE_PIT2 with default flags (needs an in-kernel irqchip). */
    public void createPit2() {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_PIT_CONFIG);
        m.clear();
        ioctl("KVM_CREATE_PIT2", Ioctls.KVM_CREATE_PIT2, m);
    }

    /** KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): LAPICs in kernel, IOAPIC/PIC in user space. */
    public void enableSplitIrqchip(int ioapicPins) {
        enableCap(Ioctls.KVM_CAP_SPLIT_IRQCHIP, ioapicPins);
    }

    /** KVM_ENABLE_CAP on this VM with up to four arguments. */
    public void enableCap(int cap, long... args) {
        ioctl("KVM_ENABLE_CAP(" + Ioctls.capabilityName(cap) + ")", Ioctls.KVM_ENABLE_CAP, enableCapStruct(cap, args));
    }

    static Memory enableCapStruct(int cap, long... args) {
        if (args.length > 4) {
            throw new IllegalArgumentException("KVM_ENABLE_CAP takes at most 4 arguments");
        }
        Memory m = new Memory(Ioctls.SIZEOF_KVM_ENABLE_CAP);
        m.clear();
        m.setInt(0, cap);
        for (int i = 0; i < args.length; i++) {
            m.setLong(8 + 8L * i, args[i]);
        }
        return m;
    }

    /** KVM_SET_USER_MEMORY_REGION; size 0 deletes the slot. */
    public void setUserMemoryRegion(int slot, int flags, long gpa, long size, long hostAddr) {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_USERSPACE_MEMORY_REGION);
        m.setInt(0, slot);
        m.setInt(4, flags);
        m.setLong(8, gpa);
        m.setLong(16, size);
        m.setLong(24, hostAddr);
        ioctl("KVM_SET_USER_MEMORY_REGION", Ioctls.KVM_SET_USER_MEMORY_REGION, m);
    }

    /** KVM_CREATE_VCPU and mapping of its kvm_run area. */
    public VcpuFd createVcpu(int id) {
        int vcpuFd = ioctl("KVM_CREATE_VCPU", Ioctls.KVM_CREATE_VCPU, id);
        try {
            return new VcpuFd(vcpuFd, id, kvm.vcpuMmapSize());
        } catch (RuntimeException e) {
            LibC.close(vcpuFd);
            throw e;
        }
    }

    /** KVM_IRQ_LINE: drive a GSI of the in-kernel irqchip. */
    public void irqLine(int irq, boolean level) {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_IRQ_LEVEL);
        m.setInt(0, irq);
        m.setInt(4, level ? 1 : 0);
        ioctl("KVM_IRQ_LINE", Ioctls.KVM_IRQ_LINE, m);
    }

    /** KVM_GET_CLOCK result. @param clock kvmclock nanoseconds @param flags KVM_CLOCK_* */
    public record Clock(long clock, int flags, long realtime, long hostTsc) {}

    public Clock getClock() {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_CLOCK_DATA);
        m.clear();
        ioctl("KVM_GET_CLOCK", Ioctls.KVM_GET_CLOCK, m);
        return new Clock(m.getLong(0), m.getInt(8), m.getLong(16), m.getLong(24));
    }

    /** KVM_IRQCHIP_PIC_MASTER, _PIC_SLAVE, _IOAPIC: the chip ids of KVM_GET/SET_IRQCHIP. */
    public static final int IRQCHIP_PIC_MASTER = 0, IRQCHIP_PIC_SLAVE = 1, IRQCHIP_IOAPIC = 2;

    /** KVM_GET_IRQCHIP: the whole struct kvm_irqchip (chip id included) of one in-kernel chip. */
    public byte[] getIrqchip(int chipId) {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_IRQCHIP);
        m.clear();
        m.setInt(0, chipId);
        ioctl("KVM_GET_IRQCHIP", Ioctls.KVM_GET_IRQCHIP, m);
        return m.getByteArray(0, Ioctls.SIZEOF_KVM_IRQCHIP);
    }

    /** KVM_SET_IRQCHIP with a struct from {@link #getIrqchip}. */
    public void setIrqchip(byte[] chip) {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_IRQCHIP);
        m.write(0, chip, 0, Ioctls.SIZEOF_KVM_IRQCHIP);
        ioctl("KVM_SET_IRQCHIP", Ioctls.KVM_SET_IRQCHIP, m);
    }

    /** KVM_SIGNAL_MSI; returns &gt;0 delivered, 0 blocked by the guest. */
    public int signalMsi(long address, int data) {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_MSI);
        m.clear();
        m.setInt(0, (int) address);
        m.setInt(4, (int) (address >>> 32));
        m.setInt(8, data);
        return ioctl("KVM_SIGNAL_MSI", Ioctls.KVM_SIGNAL_MSI, m);
    }

    /** KVM_GET_STATS_FD on the VM (binary stats); caller owns the returned fd. */
    public int statsFd() {
        return ioctl("KVM_GET_STATS_FD", Ioctls.KVM_GET_STATS_FD, 0);
    }

    /** Raw ioctl with an integer argument, for requests this class does not wrap. */
    public int ioctl(String name, long request, long arg) {
        int rc = LibC.ioctl(fd, request, arg);
        if (rc < 0) {
            throw KvmException.lastError(name);
        }
        return rc;
    }

    int ioctl(String name, long request, Pointer arg) {
        return KvmException.check(name, LibC.ioctl(fd, request, arg));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.close(fd);
        }
    }
}
