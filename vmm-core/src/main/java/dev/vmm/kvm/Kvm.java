package dev.vmm.kvm;

import dev.vmm.host.LibC;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.vmm.cpu.CpuidEntry;

import java.util.List;

/** The KVM system handle ({@code /dev/kvm}): capability queries and VM creation. */
public final class Kvm implements AutoCloseable {
    public static final String DEFAULT_PATH = "/dev/kvm";

    private final int fd;
    private boolean closed;

    private Kvm(int fd) {
        this.fd = fd;
    }

    /** Opens {@code /dev/kvm} and checks the API version. */
    public static Kvm open() {
        return open(DEFAULT_PATH);
    }

    /** Opens a KVM device node; the path is a parameter so that the error paths are testable. */
    public static Kvm open(String path) {
        int fd = LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0) {
            int errno = Native.getLastError();
            if (errno == LibC.ENOENT) {
                throw new KvmException("no " + path + ": KVM is not available on this machine"
                        + " (load kvm-intel/kvm-amd or enable virtualization)");
            }
            if (errno == LibC.EACCES) {
                // the advice depends on the node's owner, group and mode (not every host has a kvm group on it)
                throw new KvmException("permission denied on " + path + ": "
                        + DeviceAccessAdvice.forNode(java.nio.file.Path.of(path)));
            }
            throw new KvmException("open " + path, errno);
        }
        Kvm kvm = new Kvm(fd);
        try {
            int version = kvm.ioctl("KVM_GET_API_VERSION", Ioctls.KVM_GET_API_VERSION, 0);
            if (version != Ioctls.KVM_API_VERSION) {
                throw new KvmException("unsupported KVM API version " + version + " (expected "
                        + Ioctls.KVM_API_VERSION + ")");
            }
        } catch (RuntimeException e) {
            kvm.close();
            throw e;
        }
        return kvm;
    }

    public int fd() {
        return fd;
    }

    /**
     * What the VMM relies on for every VM: user memory slots, the TSS address Intel needs, the
     * in-kernel irqchip and PIT, MP state for AP bring-up, and immediate_exit for kicks.
     */
    public static final int[] REQUIRED_CAPABILITIES = {
            Ioctls.KVM_CAP_USER_MEMORY, Ioctls.KVM_CAP_SET_TSS_ADDR, Ioctls.KVM_CAP_IRQCHIP, Ioctls.KVM_CAP_PIT2,
            Ioctls.KVM_CAP_MP_STATE, Ioctls.KVM_CAP_EXT_CPUID, Ioctls.KVM_CAP_IMMEDIATE_EXIT};

    /** The most vCPUs one VM may have (KVM_CAP_MAX_VCPUS, falling back to NR_VCPUS, then 4 as the API says). */
    public int maxVcpus() {
        int max = checkExtension(Ioctls.KVM_CAP_MAX_VCPUS);
        if (max <= 0) {
            max = checkExtension(Ioctls.KVM_CAP_NR_VCPUS);
        }
        return max > 0 ? max : 4;
    }

    /** KVM_CHECK_EXTENSION: 0 when unsupported, else 1 or a capability-specific value. */
    public int checkExtension(int cap) {
        return ioctl("KVM_CHECK_EXTENSION", Ioctls.KVM_CHECK_EXTENSION, cap);
    }

    /** Fails with a message naming the first missing capability. */
    public void requireCapabilities(int... caps) {
        for (int cap : caps) {
            if (checkExtension(cap) <= 0) {
                throw new KvmException("KVM lacks required capability " + Ioctls.capabilityName(cap)
                        + " (" + cap + ")");
            }
        }
    }

    /** Size of the per-vCPU kvm_run mapping. */
    public int vcpuMmapSize() {
        return ioctl("KVM_GET_VCPU_MMAP_SIZE", Ioctls.KVM_GET_VCPU_MMAP_SIZE, 0);
    }

    /** KVM_GET_SUPPORTED_CPUID; grows the buffer while the kernel answers E2BIG. */
    public List<CpuidEntry> supportedCpuid() {
        for (int n = 100; n <= 4096; n *= 2) {
            Memory buf = Cpuid2.allocate(n);
            if (LibC.ioctl(fd, Ioctls.KVM_GET_SUPPORTED_CPUID, buf) == 0) {
                return Cpuid2.read(buf);
            }
            int errno = Native.getLastError();
            if (errno != LibC.E2BIG) {
                throw new KvmException("KVM_GET_SUPPORTED_CPUID", errno);
            }
        }
        throw new KvmException("KVM_GET_SUPPORTED_CPUID: more than 4096 entries");
    }

    /** KVM_CREATE_VM (default machine type). */
    public VmFd createVm() {
        int vmFd = ioctl("KVM_CREATE_VM", Ioctls.KVM_CREATE_VM, 0);
        return new VmFd(this, vmFd);
    }

    int ioctl(String name, long request, long arg) {
        int rc = LibC.ioctl(fd, request, arg);
        if (rc < 0) {
            throw KvmException.lastError(name);
        }
        return rc;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.close(fd);
        }
    }
}
