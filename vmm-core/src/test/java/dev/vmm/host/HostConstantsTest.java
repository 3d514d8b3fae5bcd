package dev.vmm.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Every libc and userfaultfd number the host layer hard-codes (flags, syscall numbers, errno
 * values, ioctl requests, struct sizes and offsets), compared with what gcc computes from the C
 * headers ({@link CHeaderCheck}).
 */
class HostConstantsTest {
    @Test
    void libcConstantsMatchTheCHeaders(@TempDir Path dir) throws Exception {
        new CHeaderCheck("fcntl.h", "sys/mman.h", "sys/eventfd.h", "signal.h", "sys/syscall.h", "errno.h")
                .expect("O_RDWR", LibC.O_RDWR)
                .expect("O_CLOEXEC", LibC.O_CLOEXEC)
                .expect("PROT_READ", LibC.PROT_READ)
                .expect("PROT_WRITE", LibC.PROT_WRITE)
                .expect("MAP_SHARED", LibC.MAP_SHARED)
                .expect("MAP_PRIVATE", LibC.MAP_PRIVATE)
                .expect("MAP_ANONYMOUS", LibC.MAP_ANONYMOUS)
                .expect("MAP_NORESERVE", LibC.MAP_NORESERVE)
                .expect("MAP_FAILED", LibC.MAP_FAILED)
                .expect("MADV_DONTNEED", LibC.MADV_DONTNEED)
                .expect("MADV_MERGEABLE", LibC.MADV_MERGEABLE)
                .expect("MADV_HUGEPAGE", LibC.MADV_HUGEPAGE)
                .expect("MS_SYNC", LibC.MS_SYNC)
                .expect("POSIX_FADV_DONTNEED", LibC.POSIX_FADV_DONTNEED)
                .expect("EFD_CLOEXEC", LibC.EFD_CLOEXEC)
                .expect("EFD_NONBLOCK", LibC.EFD_NONBLOCK)
                .expect("SIG_BLOCK", LibC.SIG_BLOCK)
                .expect("SIG_UNBLOCK", LibC.SIG_UNBLOCK)
                .expect("SIG_SETMASK", LibC.SIG_SETMASK)
                .expect("sizeof(sigset_t)", LibC.SIGSET_T_SIZE)
                .expect("SYS_gettid", LibC.SYS_GETTID)
                .expect("SYS_tgkill", LibC.SYS_TGKILL)
                .expect("SYS_userfaultfd", LibC.SYS_USERFAULTFD)
                .expect("ENOENT", LibC.ENOENT)
                .expect("EINTR", LibC.EINTR)
                .expect("E2BIG", LibC.E2BIG)
                .expect("EAGAIN", LibC.EAGAIN)
                .expect("EACCES", LibC.EACCES)
                .assertAllMatch(dir);
    }

    @Test
    void errnoNamesMatchTheCHeaders(@TempDir Path dir) throws Exception {
        CHeaderCheck check = new CHeaderCheck("errno.h");
        for (int errno = 1; errno < 200; errno++) {
            String name = Errno.name(errno);
            if (!name.startsWith("errno ")) {
                check.expect(name, errno);
            }
        }
        check.assertAllMatch(dir);
    }

    @Test
    void userfaultfdNumbersMatchLinuxUserfaultfdHeader(@TempDir Path dir) throws Exception {
        new CHeaderCheck("sys/ioctl.h", "linux/userfaultfd.h")
                .expect("UFFDIO", Userfaultfd.UFFDIO)
                .expect("UFFD_API", Userfaultfd.UFFD_API)
                .expect("UFFDIO_API", Userfaultfd.UFFDIO_API)
                .expect("UFFDIO_REGISTER", Userfaultfd.UFFDIO_REGISTER)
                .expect("UFFDIO_UNREGISTER", Userfaultfd.UFFDIO_UNREGISTER)
                .expect("UFFDIO_COPY", Userfaultfd.UFFDIO_COPY)
                .expect("UFFDIO_REGISTER_MODE_MISSING", Userfaultfd.UFFDIO_REGISTER_MODE_MISSING)
                .expect("UFFD_EVENT_PAGEFAULT", Userfaultfd.UFFD_EVENT_PAGEFAULT)
                .expect("sizeof(struct uffdio_api)", Userfaultfd.SIZEOF_UFFDIO_API)
                .expect("sizeof(struct uffdio_range)", Userfaultfd.SIZEOF_UFFDIO_RANGE)
                .expect("sizeof(struct uffdio_register)", Userfaultfd.SIZEOF_UFFDIO_REGISTER)
                .expect("sizeof(struct uffdio_copy)", Userfaultfd.SIZEOF_UFFDIO_COPY)
                .expect("sizeof(struct uffd_msg)", Userfaultfd.SIZEOF_UFFD_MSG)
                .expect("offsetof(struct uffd_msg, arg.pagefault.address)", Userfaultfd.OFF_MSG_PAGEFAULT_ADDRESS)
                // the fields the binding writes, at the offsets it writes them
                .expect("offsetof(struct uffdio_api, api)", 0)
                .expect("offsetof(struct uffdio_register, range.start)", 0)
                .expect("offsetof(struct uffdio_register, range.len)", 8)
                .expect("offsetof(struct uffdio_register, mode)", 16)
                .expect("offsetof(struct uffdio_copy, dst)", 0)
                .expect("offsetof(struct uffdio_copy, src)", 8)
                .expect("offsetof(struct uffdio_copy, len)", 16)
                .expect("offsetof(struct uffdio_range, start)", 0)
                .expect("offsetof(struct uffdio_range, len)", 8)
                .assertAllMatch(dir);
    }
}
