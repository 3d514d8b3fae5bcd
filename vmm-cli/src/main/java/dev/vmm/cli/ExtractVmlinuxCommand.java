package dev.vmm.cli;

import dev.vmm.boot.BootException;
import dev.vmm.boot.VmlinuxExtractor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vmm extract-vmlinux}: the uncompressed vmlinux ELF inside a Linux bzImage. */
@Command(name = "extract-vmlinux", mixinStandardHelpOptions = true,
        description = {"Write the uncompressed vmlinux (ELF) inside a Linux bzImage (boot protocol 2.08+).",
                "Payload compressions: gzip, xz, bzip2, lzma, lz4 (legacy frames), zstd."})
public final class ExtractVmlinuxCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "vmlinux to write")
    Path out;

    @Parameters(arity = "1", paramLabel = "BZIMAGE", description = "the kernel (e.g. /boot/vmlinuz-*)")
    Path bzImage;

    @Override
    public Integer call() throws IOException {
        byte[] image;
        try {
            image = Files.readAllBytes(bzImage);
        } catch (NoSuchFileException e) {
            throw new UserError(bzImage + ": no such file", 1);
        } catch (IOException e) {
            throw new UserError(bzImage + ": cannot read: " + e.getMessage(), 1);
        }
        byte[] vmlinux;
        try {
            vmlinux = VmlinuxExtractor.extract(image);
        } catch (BootException e) {
            throw new UserError(bzImage + ": " + e.getMessage(), 1);
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try {
            Files.write(tmp, vmlinux);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new UserError(out + ": cannot write: " + e.getMessage(), 1);
        }
        return 0;
    }
}
