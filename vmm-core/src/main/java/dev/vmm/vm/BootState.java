package dev.vmm.vm;

import dev.vmm.boot.BootPlan;
import dev.vmm.boot.EntryState;
import dev.vmm.boot.FileWrite;
import dev.vmm.platform.PlatformLayout;
import dev.vmm.boot.LinuxLoader;
import dev.vmm.boot.MemoryWrite;
import dev.vmm.boot.ZeroFill;
import dev.vmm.kvm.Dtable;
import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Segment;
import dev.vmm.kvm.Sregs;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.memory.GuestMemory;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Carries out a loader's {@link BootPlan}: the bytes go into guest memory and the boot vCPU gets
 * the entry state the boot protocol defines. Loaders stay pure; this is the one place where a
 * plan touches KVM.
 */
public final class BootState {
    private static final int ZERO_CHUNK = 64 * 1024;
    private static final int FILE_CHUNK = 1 << 30;

    private BootState() {
    }

    public static void load(BootPlan plan, GuestMemory memory, VcpuFd bootCpu) {
        for (MemoryWrite w : plan.writes()) {
            memory.write(w.gpa(), w.data());
        }
        for (FileWrite f : plan.fileWrites()) {
            readInto(f, memory);
        }
        byte[] zeros = new byte[ZERO_CHUNK];
        for (ZeroFill z : plan.zeroFills()) {
            for (long done = 0; done < z.length(); done += ZERO_CHUNK) {
                memory.write(z.gpa() + done, zeros, 0, (int) Math.min(ZERO_CHUNK, z.length() - done));
            }
        }
        apply(plan.entry(), bootCpu);
    }

    /** Reads a file's bytes straight into guest memory, without a copy on the Java heap. */
    private static void readInto(FileWrite f, GuestMemory memory) {
        long host = memory.hostAddress(f.gpa(), f.length());
        try (FileChannel in = FileChannel.open(f.file(), StandardOpenOption.READ)) {
            long done = 0;
            while (done < f.length()) {
                int chunk = (int) Math.min(FILE_CHUNK, f.length() - done);
                ByteBuffer dst = new Pointer(host + done).getByteBuffer(0, chunk);
                while (dst.hasRemaining()) {
                    if (in.read(dst, done + dst.position()) < 0) {
                        throw new IllegalStateException("'" + f.file() + "' is shorter than the " + f.length()
                                + " bytes it had when the boot plan was made");
                    }
                }
                done += chunk;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read '" + f.file() + "': " + e.getMessage(), e);
        }
    }

    /**
     * PVH and multiboot both enter in 32-bit protected mode with paging off and flat 4 GiB
     * segments (code selector 0x08, data 0x10). KVM takes the hidden segment state directly,
     * so no GDT in guest memory is needed: the guest loads its own before it reloads a selector.
     */
    public static void apply(EntryState entry, VcpuFd vcpu) {
        Sregs s = vcpu.getSregs();
        switch (entry.mode()) {
            case PROTECTED_32 -> {
                s.cs = Segment.flatCode32(EntryState.CODE_SELECTOR);
                s.setDataSegments(Segment.flatData32(EntryState.DATA_SELECTOR));
                s.cr0 = (s.cr0 | Sregs.CR0_PE) & ~Sregs.CR0_PG;
                s.cr4 = 0;
                s.efer = 0;
            }
            case LONG_64 -> {
                // Linux boot protocol 64-bit entry: paging on with the loader's identity map,
                // __BOOT_CS = 0x10 (64-bit code), __BOOT_DS = 0x18, GDT written by the loader.
                s.cs = Segment.code64(EntryState.LINUX_CODE_SELECTOR);
                s.setDataSegments(Segment.flatData32(EntryState.LINUX_DATA_SELECTOR));
                s.tr = new Segment(0, 0xffff, 0, 11, true, 0, false, false, false, false, false, false);
                s.gdt = new Dtable(PlatformLayout.BOOT_GDT, LinuxLoader.GDT_LIMIT);
                s.cr3 = PlatformLayout.PML4;
                s.cr4 = Sregs.CR4_PAE;
                s.cr0 = s.cr0 | Sregs.CR0_PE | Sregs.CR0_PG;
                s.efer = Sregs.EFER_LME | Sregs.EFER_LMA;
            }
        }
        vcpu.setSregs(s);
        Regs r = new Regs().rip(entry.rip()).rax(entry.rax()).rbx(entry.rbx()).rsi(entry.rsi())
                .rflags(EntryState.EFLAGS);
        vcpu.setRegs(r);
    }
}
