package dev.vmm.kvm;

import dev.vmm.host.LibC;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.vmm.cpu.CpuidEntry;

import java.util.ArrayList;
import java.util.List;

/** A vCPU file descriptor plus its mapped {@link KvmRun} area. */
public final class VcpuFd implements AutoCloseable {
    private final int fd;
    private final int id;
    private final KvmRun run;
    private boolean closed;

    VcpuFd(int fd, int id, int mmapSize) {
        long addr = LibC.mmap(0, mmapSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        if (addr == LibC.MAP_FAILED) {
            throw KvmException.lastError("mmap(kvm_run)");
        }
        this.fd = fd;
        this.id = id;
        this.run = new KvmRun(addr, mmapSize);
    }

    public int fd() { return fd; }
    public int id() { return id; }
    public KvmRun kvmRun() { return run; }

    /**
     * KVM_RUN: runs the guest until it exits and says why. A kick (EINTR from a signal or
     * immediate_exit, or EAGAIN) is {@link VcpuExit.Interrupted}; any other errno throws. Port
     * and MMIO exits are this vCPU's reusable views, valid until the next call, so the hot path
     * allocates nothing.
     */
    public VcpuExit run() {
        if (LibC.ioctl(fd, Ioctls.KVM_RUN, 0L) >= 0) {
            return run.exit();
        }
        int errno = Native.getLastError();
        if (errno == LibC.EINTR || errno == LibC.EAGAIN) {
            return VcpuExit.Interrupted.INSTANCE;
        }
        throw new KvmException("KVM_RUN", errno);
    }

    public Regs getRegs() {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_REGS);
        ioctl("KVM_GET_REGS", Ioctls.KVM_GET_REGS, m);
        return Regs.read(m);
    }

    public void setRegs(Regs regs) {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_REGS);
        regs.write(m);
        ioctl("KVM_SET_REGS", Ioctls.KVM_SET_REGS, m);
    }

    public Sregs getSregs() {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_SREGS);
        ioctl("KVM_GET_SREGS", Ioctls.KVM_GET_SREGS, m);
        return Sregs.read(m);
    }

    public void setSregs(Sregs sregs) {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_SREGS);
        m.clear();
        sregs.write(m);
        ioctl("KVM_SET_SREGS", Ioctls.KVM_SET_SREGS, m);
    }

    public Fpu getFpu() {
        Memory m = new Memory(Fpu.SIZE);
        ioctl("KVM_GET_FPU", Ioctls.KVM_GET_FPU, m);
        return new Fpu(m.getByteArray(0, Fpu.SIZE));
    }

    public void setFpu(Fpu fpu) {
        Memory m = new Memory(Fpu.SIZE);
        m.write(0, fpu.array(), 0, Fpu.SIZE);
        ioctl("KVM_SET_FPU", Ioctls.KVM_SET_FPU, m);
    }

    /** KVM_GET_MSRS for the given indices; returns the MSRs KVM could read (stops at the first failure). */
    public List<Msr> getMsrs(int... indices) {
        Memory m = msrBuffer(indices.length);
        for (int i = 0; i < indices.length; i++) {
            m.setInt(Ioctls.SIZEOF_KVM_MSRS + (long) i * Msr.SIZE, indices[i]);
        }
        int n = ioctl("KVM_GET_MSRS", Ioctls.KVM_GET_MSRS, m);
        List<Msr> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long o = Ioctls.SIZEOF_KVM_MSRS + (long) i * Msr.SIZE;
            out.add(new Msr(m.getInt(o), m.getLong(o + 8)));
        }
        return out;
    }

    /** KVM_SET_MSRS; throws if KVM did not accept all of them (it returns how many it set). */
    public void setMsrs(List<Msr> msrs) {
        int n = setMsrsUntilRejected(msrs);
        if (n != msrs.size()) {
            throw new KvmException("KVM_SET_MSRS set only " + n + " of " + msrs.size()
                    + " MSRs; rejected MSR 0x" + Integer.toHexString(msrs.get(n).index()));
        }
    }

    /**
     * KVM_SET_MSRS as KVM does it: sets the MSRs in order and stops at the first one the host does
     * not know or lets be written. Returns how many were set; throws only when the ioctl fails.
     */
    public int setMsrsUntilRejected(List<Msr> msrs) {
        Memory m = msrBuffer(msrs.size());
        for (int i = 0; i < msrs.size(); i++) {
            long o = Ioctls.SIZEOF_KVM_MSRS + (long) i * Msr.SIZE;
            m.setInt(o, msrs.get(i).index());
            m.setLong(o + 8, msrs.get(i).value());
        }
        return ioctl("KVM_SET_MSRS", Ioctls.KVM_SET_MSRS, m);
    }

    private static Memory msrBuffer(int n) {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_MSRS + (long) Math.max(n, 1) * Msr.SIZE);
        m.clear();
        m.setInt(0, n);
        return m;
    }

    public void setCpuid2(List<CpuidEntry> entries) {
        ioctl("KVM_SET_CPUID2", Ioctls.KVM_SET_CPUID2, Cpuid2.write(entries));
    }

    public List<CpuidEntry> getCpuid2() {
        for (int n = 100; n <= 4096; n *= 2) {
            Memory buf = Cpuid2.allocate(n);
            if (LibC.ioctl(fd, Ioctls.KVM_GET_CPUID2, buf) == 0) {
                return Cpuid2.read(buf);
            }
            int errno = Native.getLastError();
            if (errno != LibC.E2BIG) {
                throw new KvmException("KVM_GET_CPUID2", errno);
            }
        }
        throw new KvmException("KVM_GET_CPUID2: more than 4096 entries");
    }

    /** The 1024-byte local APIC register page. */
    public byte[] getLapic() {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_LAPIC_STATE);
        ioctl("KVM_GET_LAPIC", Ioctls.KVM_GET_LAPIC, m);
        return m.getByteArray(0, Ioctls.SIZEOF_KVM_LAPIC_STATE);
    }

    public void setLapic(byte[] regs) {
        if (regs.length != Ioctls.SIZEOF_KVM_LAPIC_STATE) {
            throw new IllegalArgumentException("LAPIC state is 1024 bytes, got " + regs.length);
        }
        Memory m = new Memory(Ioctls.SIZEOF_KVM_LAPIC_STATE);
        m.write(0, regs, 0, regs.length);
        ioctl("KVM_SET_LAPIC", Ioctls.KVM_SET_LAPIC, m);
    }

    public MpState getMpState() {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_MP_STATE);
        ioctl("KVM_GET_MP_STATE", Ioctls.KVM_GET_MP_STATE, m);
        return new MpState(m.getInt(0));
    }

    /** KVM_GET_DEBUGREGS: DR0-DR3, DR6, DR7, in that order. */
    public long[] getDebugRegs() {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_DEBUGREGS);
        ioctl("KVM_GET_DEBUGREGS", Ioctls.KVM_GET_DEBUGREGS, m);
        return m.getLongArray(0, 6);
    }

    public void setMpState(MpState state) {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_MP_STATE);
        m.setInt(0, state.state());
        ioctl("KVM_SET_MP_STATE", Ioctls.KVM_SET_MP_STATE, m);
    }

    /**
     * KVM_SET_SIGNAL_MASK: the signal mask in force while this vCPU is inside KVM_RUN.
     * {@code kernelSigset} is the kernel's 64-bit sigset (bit n-1 = signal n).
     */
    public void setSignalMask(long kernelSigset) {
        Memory m = new Memory(Ioctls.SIZEOF_KVM_SIGNAL_MASK + 8);
        m.setInt(0, 8);
        m.setLong(4, kernelSigset);
        ioctl("KVM_SET_SIGNAL_MASK", Ioctls.KVM_SET_SIGNAL_MASK, m);
    }

    /** KVM_SET_GUEST_DEBUG: breakpoints, single step and #BP interception for a debugger (not while in KVM_RUN). */
    public void setGuestDebug(GuestDebug debug) {
        ioctl("KVM_SET_GUEST_DEBUG", Ioctls.KVM_SET_GUEST_DEBUG, debug.toMemory());
    }

    /** KVM_ENABLE_CAP on this vCPU. */
    public void enableCap(int cap, long... args) {
        ioctl("KVM_ENABLE_CAP(" + Ioctls.capabilityName(cap) + ")", Ioctls.KVM_ENABLE_CAP,
                VmFd.enableCapStruct(cap, args));
    }

    /** KVM_GET_STATS_FD (needs KVM_CAP_BINARY_STATS_FD); caller owns the fd. */
    public int statsFd() {
        int rc = LibC.ioctl(fd, Ioctls.KVM_GET_STATS_FD, 0L);
        if (rc < 0) {
            throw KvmException.lastError("KVM_GET_STATS_FD");
        }
        return rc;
    }

    /** Raw ioctl with a pointer argument, for requests this class does not wrap. */
    public int ioctl(String name, long request, Pointer arg) {
        return KvmException.check(name, LibC.ioctl(fd, request, arg));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.munmap(run.address(), run.size());
            LibC.close(fd);
        }
    }
}
