package dev.vmm.host;

/**
 * The kernel's ioctl request encoding ({@code asm-generic/ioctl.h}, used by x86):
 * {@code dir << 30 | size << 16 | type << 8 | nr}. Request numbers are computed from the struct
 * sizes, as the C macros do, so a wrong size shows up as a wrong number in the header tests.
 */
public final class IoctlNumber {
    private IoctlNumber() {}

    private static final int IOC_NONE = 0;
    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;

    private static long ioc(int dir, int type, int nr, int size) {
        return ((long) dir << 30) | ((long) size << 16) | ((long) type << 8) | nr;
    }

    /** {@code _IO(type, nr)}: no argument struct. */
    public static long io(int type, int nr) {
        return ioc(IOC_NONE, type, nr, 0);
    }

    /** {@code _IOR(type, nr, struct)}: the kernel writes the struct. */
    public static long ior(int type, int nr, int size) {
        return ioc(IOC_READ, type, nr, size);
    }

    /** {@code _IOW(type, nr, struct)}: the kernel reads the struct. */
    public static long iow(int type, int nr, int size) {
        return ioc(IOC_WRITE, type, nr, size);
    }

    /** {@code _IOWR(type, nr, struct)}: both. */
    public static long iowr(int type, int nr, int size) {
        return ioc(IOC_READ | IOC_WRITE, type, nr, size);
    }
}
