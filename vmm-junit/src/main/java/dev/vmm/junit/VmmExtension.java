package dev.vmm.junit;

import dev.vmm.api.Guest;
import dev.vmm.api.MemorySize;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension for tests that boot KVM guests in-process:
 * <ul>
 *   <li>before each test, {@link KvmRequirement#check()}: skipped without {@code /dev/kvm},
 *       failed instead under {@code VMM_REQUIRE_KVM=1};</li>
 *   <li>a {@link Guest} parameter gets the bundled test kernel booted as its {@link Boot}
 *       annotation says (defaults without one);</li>
 *   <li>a {@link Guests} parameter starts guests of any kind;</li>
 *   <li>after each test every guest it got is closed.</li>
 * </ul>
 */
public final class VmmExtension implements BeforeEachCallback, ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(VmmExtension.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        KvmRequirement.check();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Guest.class || type == Guests.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        KvmRequirement.check(); // also for parameters of @BeforeEach methods
        Guests guests = guests(context);
        if (parameter.getParameter().getType() == Guests.class) {
            return guests;
        }
        Boot boot = parameter.findAnnotation(Boot.class).orElse(Defaults.BOOT);
        return guests.start(Guest.builder().testKernel().cpu(boot.cpu()).cpus(boot.cpus()).append(boot.append())
                .memory(MemorySize.parse(boot.memory())).irqchip(boot.irqchip()));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Guests guests = context.getStore(NAMESPACE).remove(Guests.class, Guests.class);
        if (guests != null) {
            guests.closeAll();
        }
    }

    private static Guests guests(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(Guests.class, k -> new Guests(), Guests.class);
    }

    /** A {@link Boot} with every default, for a {@link Guest} parameter without the annotation. */
    private static final class Defaults {
        @SuppressWarnings("unused")
        private static void method(@Boot Guest guest) {
        }

        static final Boot BOOT = lookup();

        private static Boot lookup() {
            try {
                return Defaults.class.getDeclaredMethod("method", Guest.class).getParameters()[0].getAnnotation(Boot.class);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
