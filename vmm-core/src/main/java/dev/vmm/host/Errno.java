package dev.vmm.host;

/** Symbolic names for the errno values KVM and libc plausibly return (Linux x86-64 numbering). */
public final class Errno {
    private Errno() {}

    private static final String[] NAMES = new String[134];

    static {
        String[] pairs = {
            "1 EPERM", "2 ENOENT", "3 ESRCH", "4 EINTR", "5 EIO", "6 ENXIO", "7 E2BIG", "8 ENOEXEC",
            "9 EBADF", "10 ECHILD", "11 EAGAIN", "12 ENOMEM", "13 EACCES", "14 EFAULT", "16 EBUSY",
            "17 EEXIST", "19 ENODEV", "20 ENOTDIR", "21 EISDIR", "22 EINVAL", "23 ENFILE", "24 EMFILE",
            "25 ENOTTY", "27 EFBIG", "28 ENOSPC", "34 ERANGE", "38 ENOSYS", "61 ENODATA",
            "75 EOVERFLOW", "95 EOPNOTSUPP", "110 ETIMEDOUT", "125 ECANCELED"
        };
        for (String p : pairs) {
            int sp = p.indexOf(' ');
            NAMES[Integer.parseInt(p.substring(0, sp))] = p.substring(sp + 1);
        }
    }

    /** e.g. {@code "EINVAL"}; {@code "errno 99"} for values not in the table. */
    public static String name(int errno) {
        if (errno > 0 && errno < NAMES.length && NAMES[errno] != null) {
            return NAMES[errno];
        }
        return "errno " + errno;
    }

    /** e.g. {@code "EINVAL (22, Invalid argument)"}. */
    public static String describe(int errno) {
        return name(errno) + " (" + errno + ", " + LibC.strerror(errno) + ")";
    }
}
