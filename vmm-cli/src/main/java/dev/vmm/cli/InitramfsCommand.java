package dev.vmm.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vmm initramfs}: writes a cpio newc initramfs for {@code vmm run --initrd}. */
@Command(name = "initramfs", mixinStandardHelpOptions = true,
        description = {"Build a Linux initramfs (cpio newc, root-owned) from directories and HOST:GUEST pairs.",
                "A directory's contents go to the archive root; HOST:GUEST puts a file or directory at GUEST.",
                "/dev/console and /dev/null are always added; there must be an /init."})
public final class InitramfsCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "archive to write")
    Path out;

    @Option(names = "--compress", paramLabel = "gzip|xz|zstd|none", defaultValue = "gzip",
            description = "compression (default: ${DEFAULT-VALUE})")
    Initramfs.Compression compress;

    @Parameters(arity = "1..*", paramLabel = "SOURCE", description = "DIR or HOST-PATH:GUEST-PATH")
    List<String> sources;

    @Override
    public Integer call() throws IOException {
        Initramfs fs = new Initramfs();
        for (String s : sources) {
            fs.addSource(s);
        }
        if (!fs.hasInit()) {
            throw new UserError("initramfs has no /init: the kernel would have nothing to run", 1);
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (OutputStream o = Files.newOutputStream(tmp)) {
            fs.write(o, compress);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return 0;
    }
}
