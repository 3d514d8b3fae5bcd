package dev.vmm.api;

import dev.vmm.testkernel.TestKernel;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * What to boot and on what machine; {@link #start()} boots it. Get one from {@link Guest#builder()}.
 * Every setter checks its value at once ({@link IllegalArgumentException}, {@link NullPointerException});
 * what only the host can judge (the kernel's format, the {@code -cpu} string's features) is checked
 * by {@link #start()}.
 *
 * <p>Defaults, as the {@code vmm run} command has them: 128 MiB, 1 vCPU, {@code -cpu host},
 * {@code kernel-irqchip=on}, anonymous RAM, no test devices, and the kernel's default command line.
 * Not thread-safe; a builder may start several guests one after the other.
 */
public final class GuestBuilder {
    private Path kernel;
    private MemorySize memory = MemorySize.ofMiB(128);
    private int cpus = 1;
    private String cpu = "host";
    private Optional<String> append = Optional.empty();
    private Optional<Path> initrd = Optional.empty();
    private Irqchip irqchip = Irqchip.IN_KERNEL;
    private Optional<Path> memPath = Optional.empty();
    private boolean evictPort;
    private boolean hostContention;
    private Optional<List<Integer>> apicIds = Optional.empty();
    private boolean noReboot;

    GuestBuilder() {
    }

    /**
     * The kernel to boot: a PVH or multiboot ELF, a Linux bzImage or vmlinux.
     *
     * @param file the kernel file
     * @return this builder
     */
    public GuestBuilder kernel(Path file) {
        this.kernel = Objects.requireNonNull(file, "kernel");
        return this;
    }

    /**
     * Boots the bundled test kernel ({@code pvtest.elf}, from the {@code guest-images} artifact),
     * which prints TAP on the serial console and exits 0 when every check passed.
     *
     * @return this builder
     */
    public GuestBuilder testKernel() {
        return kernel(TestKernel.path());
    }

    /**
     * @param size guest RAM (QEMU's {@code -m}); at least 2 MiB, a multiple of 4 KiB
     * @return this builder
     */
    public GuestBuilder memory(MemorySize size) {
        Objects.requireNonNull(size, "memory");
        if (size.bytes() < (2L << 20) || size.bytes() % 4096 != 0) {
            throw new IllegalArgumentException("memory size " + size + " must be at least 2M and a multiple of 4K");
        }
        this.memory = size;
        return this;
    }

    /**
     * @param count the number of vCPUs (QEMU's {@code -smp}), 1 to 255
     * @return this builder
     */
    public GuestBuilder cpus(int count) {
        if (count < 1 || count > 255) {
            throw new IllegalArgumentException("vCPU count " + count + " is not between 1 and 255");
        }
        this.cpus = count;
        return this;
    }

    /**
     * The CPU model in QEMU's {@code -cpu} spelling: a model ({@code host}, {@code max} or one of
     * QEMU's named models such as {@code kvm64}, {@code IvyBridge}, {@code EPYC-Rome}) and
     * comma-separated switches and properties such as {@code +kvmclock}, {@code vendor=GenuineIntel},
     * {@code -kvm-pv-eoi}, {@code kvm-pv-unhalt=off}, {@code -x2apic}, {@code enforce}.
     *
     * @param spec for example {@code "host,-kvm-steal-time"}
     * @return this builder
     */
    public GuestBuilder cpu(String spec) {
        Objects.requireNonNull(spec, "cpu");
        if (spec.isBlank()) {
            throw new IllegalArgumentException("the -cpu string is empty: give a model such as host");
        }
        this.cpu = spec;
        return this;
    }

    /**
     * The kernel command line, exactly as given ({@code ""} is an empty command line). Without a
     * call the kernel gets its format's default: {@code console=ttyS0 reboot=k panic=-1} for Linux
     * kernels (and PVH kernels given an initrd), nothing for the others.
     *
     * @param commandLine the whole command line
     * @return this builder
     */
    public GuestBuilder append(String commandLine) {
        this.append = Optional.of(Objects.requireNonNull(commandLine, "append"));
        return this;
    }

    /**
     * @param file an initial RAM disk (Linux and PVH kernels only)
     * @return this builder
     */
    public GuestBuilder initrd(Path file) {
        this.initrd = Optional.of(Objects.requireNonNull(file, "initrd"));
        return this;
    }

    /**
     * @param mode where the interrupt controllers live
     * @return this builder
     */
    public GuestBuilder irqchip(Irqchip mode) {
        this.irqchip = Objects.requireNonNull(mode, "irqchip");
        return this;
    }

    /**
     * Maps guest RAM from a file (QEMU's {@code -mem-path}, always shared): a new file in a
     * directory, unlinked at once, or the given file, created if missing. The guest then also has
     * the page-eviction test port 0x530.
     *
     * @param directoryOrFile a directory, or a file in an existing directory
     * @return this builder
     */
    public GuestBuilder memPath(Path directoryOrFile) {
        this.memPath = Optional.of(Objects.requireNonNull(directoryOrFile, "memPath"));
        return this;
    }

    /**
     * Gives the guest the page-eviction test port 0x530 with anonymous RAM (userfaultfd); {@link #start()}
     * fails with a {@link VmmException} where userfaultfd is not allowed.
     *
     * @return this builder
     */
    public GuestBuilder evictPort() {
        this.evictPort = true;
        return this;
    }

    /**
     * Adds the host-contention test device on ports 0x5e0-0x5e7, with which a vCPU can make the host
     * take its CPU away (steal-time checks).
     *
     * @return this builder
     */
    public GuestBuilder hostContention() {
        this.hostContention = true;
        return this;
    }

    /**
     * The vCPUs' APIC IDs, one per vCPU, the first 0 (default 0..n-1). IDs from 255 up need
     * {@link Irqchip#SPLIT} and x2APIC; the count must match {@link #cpus(int)} when started.
     *
     * @param ids the APIC ID of vCPU 0, 1, ...
     * @return this builder
     */
    public GuestBuilder apicIds(int... ids) {
        this.apicIds = Optional.of(IntStream.of(ids).boxed().toList());
        return this;
    }

    /**
     * A guest reset ends the run ({@link GuestExit.PowerOff} with 0) instead of rebooting in place
     * (QEMU's {@code -no-reboot}).
     *
     * @return this builder
     */
    public GuestBuilder noReboot() {
        this.noReboot = true;
        return this;
    }

    /**
     * Builds the machine, loads the kernel and starts the vCPUs. Close the returned guest (e.g.
     * with try-with-resources) to free the VM.
     *
     * @return the running guest
     * @throws VmmException if the machine cannot be built (see its message)
     * @throws IllegalStateException if no kernel was given
     */
    public Guest start() {
        if (kernel == null) {
            throw new IllegalStateException("no kernel: call kernel(Path) or testKernel() first");
        }
        return Guest.start(this);
    }

    // Read by the package's bridge to the machine layer.
    Path kernelFile() { return kernel; }
    MemorySize memorySize() { return memory; }
    int cpuCount() { return cpus; }
    String cpuSpec() { return cpu; }
    Optional<String> commandLine() { return append; }
    Optional<Path> initrdFile() { return initrd; }
    Irqchip irqchipMode() { return irqchip; }
    Optional<Path> memPathFile() { return memPath; }
    boolean wantsEvictPort() { return evictPort; }
    boolean wantsHostContention() { return hostContention; }
    Optional<List<Integer>> apicIdList() { return apicIds; }
    boolean wantsNoReboot() { return noReboot; }
}
