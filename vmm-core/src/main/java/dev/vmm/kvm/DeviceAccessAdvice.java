package dev.vmm.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * What to tell a user who may not open /dev/kvm, from the node's actual owner, group and mode:
 * joining the group helps only when the group may read and write it (Debian's udev rule makes it
 * {@code crw-rw---- root kvm}); a {@code crw------- root root} node needs its group and mode changed.
 */
public final class DeviceAccessAdvice {
    private DeviceAccessAdvice() {
    }

    /** The advice for {@code node}, or a generic line when its attributes cannot be read. */
    public static String forNode(Path node) {
        try {
            PosixFileAttributes a = Files.readAttributes(node, PosixFileAttributes.class);
            return advice(node.toString(), a.owner().getName(), a.group().getName(), a.permissions());
        } catch (IOException | UnsupportedOperationException e) {
            return "run as root or ask for read-write access to " + node;
        }
    }

    static String advice(String node, String owner, String group, Set<PosixFilePermission> perms) {
        String mode = PosixFilePermissions.toString(perms);
        boolean groupRw = perms.contains(PosixFilePermission.GROUP_READ) && perms.contains(PosixFilePermission.GROUP_WRITE);
        if (groupRw && !group.equals("root")) {
            return String.format("%s is %s %s %s: add your user to the '%s' group (sudo usermod -aG %s $USER, then log in"
                    + " again) or run as root", node, mode, owner, group, group, group);
        }
        return String.format("%s is %s %s %s, so only %s may open it: run as %s, or let the 'kvm' group in"
                + " (sudo chgrp kvm %s && sudo chmod 660 %s, then sudo usermod -aG kvm $USER)",
                node, mode, owner, group, owner, owner, node, node);
    }
}
