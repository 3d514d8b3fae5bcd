/**
 * Boot KVM guests from Java code: {@link dev.vmm.api.Guest#builder()} takes the kernel, memory
 * size, vCPUs, QEMU's {@code -cpu} string, command line, initrd, irqchip mode and the optional
 * test devices; {@link dev.vmm.api.GuestBuilder#start()} boots the guest in this JVM, and the
 * returned {@link dev.vmm.api.Guest} waits for serial lines and for the guest's
 * {@link dev.vmm.api.GuestExit}. Every exception is unchecked.
 *
 * <p>Needs Linux with read-write access to {@code /dev/kvm}.
 */
package dev.vmm.api;
