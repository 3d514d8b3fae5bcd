/**
 * JUnit 5 support for tests that boot KVM guests with {@link dev.vmm.api}: {@link dev.vmm.junit.VmmTest}
 * / {@link dev.vmm.junit.VmmExtension} (skip without {@code /dev/kvm}, fail under
 * {@code VMM_REQUIRE_KVM=1}, inject and close guests) and a TAP parser ({@link dev.vmm.tap.TapReport}).
 */
package dev.vmm.junit;
