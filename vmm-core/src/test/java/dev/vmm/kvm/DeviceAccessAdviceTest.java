package dev.vmm.kvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.*;

class DeviceAccessAdviceTest {
    @Test
    void groupThatMayOpenItIsTheOneToJoin() {
        String a = DeviceAccessAdvice.advice("/dev/kvm", "root", "kvm", PosixFilePermissions.fromString("rw-rw----"));
        assertTrue(a.contains("usermod -aG kvm"), a);
        assertFalse(a.contains("chmod"), a);
        String other = DeviceAccessAdvice.advice("/dev/kvm", "root", "hypervisor", PosixFilePermissions.fromString("rw-rw----"));
        assertTrue(other.contains("usermod -aG hypervisor"), other);
    }

    @Test
    void ownerOnlyNodeNeedsItsModeChanged() {
        String a = DeviceAccessAdvice.advice("/dev/kvm", "root", "root", PosixFilePermissions.fromString("rw-------"));
        assertTrue(a.contains("rw------- root root, so only root may open it"), a);
        assertTrue(a.contains("chgrp kvm /dev/kvm && sudo chmod 660 /dev/kvm"), a);
        // a group without write access is no help either
        String ro = DeviceAccessAdvice.advice("/dev/kvm", "root", "kvm", PosixFilePermissions.fromString("rw-r-----"));
        assertTrue(ro.contains("chmod 660"), ro);
    }

    @Test
    void readsTheRealNode(@TempDir Path dir) throws Exception {
        Path node = Files.createFile(dir.resolve("kvm"));
        Files.setPosixFilePermissions(node, PosixFilePermissions.fromString("rw-------"));
        String a = DeviceAccessAdvice.forNode(node);
        assertTrue(a.startsWith(node + " is rw------- "), a);
        assertTrue(DeviceAccessAdvice.forNode(dir.resolve("missing")).contains("read-write access"));
    }
}
