package dev.vmm.boot;

import dev.vmm.platform.PlatformLayout;
import java.nio.charset.StandardCharsets;

/** NUL-terminated strings for guest structures. */
final class BootStrings {
    private BootStrings() {
    }

    static byte[] cString(String s) {
        byte[] text = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[text.length + 1];
        System.arraycopy(text, 0, out, 0, text.length);
        return out;
    }

    /** The command line as it goes to {@link PlatformLayout#CMDLINE}, length-checked. */
    static byte[] cmdline(String s) {
        byte[] out = cString(s);
        if (out.length > PlatformLayout.CMDLINE_MAX) {
            throw new BootException("kernel command line is too long (" + (out.length - 1)
                    + " bytes, at most " + (PlatformLayout.CMDLINE_MAX - 1) + ")");
        }
        return out;
    }
}
