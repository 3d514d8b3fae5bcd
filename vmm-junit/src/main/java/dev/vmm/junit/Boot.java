package dev.vmm.junit;

import dev.vmm.api.Irqchip;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How {@link VmmExtension} boots the bundled test kernel for a {@link dev.vmm.api.Guest} parameter.
 * Without it the guest gets the defaults below. For other kernels take a {@link Guests} parameter.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Boot {
    /** @return QEMU's {@code -cpu} string */
    String cpu() default "host";

    /** @return the number of vCPUs */
    int cpus() default 1;

    /** @return the command line; the test kernel's default is the empty one, so {@code ""} is that default */
    String append() default "";

    /** @return guest RAM in QEMU's {@code -m} spelling */
    String memory() default "128M";

    /** @return where the interrupt controllers live */
    Irqchip irqchip() default Irqchip.IN_KERNEL;
}
