package dev.vmm.pvtest;

import java.util.Locale;
import java.util.Optional;

/** The hypercall instruction the test kernel uses (its pvtest.hypercall= argument). */
public enum HypercallMode {
    /** The guest picks VMCALL or VMMCALL by the CPU vendor. */
    AUTO,
    VMCALL,
    VMMCALL,
    /** No hypercalls: under kvm-pvm VMCALL/VMMCALL never return. */
    NONE;

    /** @return the spelling on the guest's command line and in {@code --hypercalls} */
    public String argument() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the mode spelt {@code word}, if there is one */
    public static Optional<HypercallMode> byArgument(String word) {
        for (HypercallMode m : values()) if (m.argument().equals(word)) return Optional.of(m);
        return Optional.empty();
    }
}
