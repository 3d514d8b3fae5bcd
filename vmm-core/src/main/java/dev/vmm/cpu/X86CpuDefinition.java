package dev.vmm.cpu;

import java.util.EnumMap;
import java.util.Map;

/**
 * One of QEMU's named x86 CPU models (a versioned one such as {@code IvyBridge-v1}): what it puts in
 * CPUID before the host is asked. Data in {@code qemu-x86-models.txt}, read by {@link X86CpuDefinitions}.
 *
 * @param name     QEMU's versioned name
 * @param vendor   12-character vendor string of the definition (under KVM QEMU shows the host's instead)
 * @param family   CPUID.1:EAX family, before encoding (15 + extended family above 15)
 * @param model    CPUID.1:EAX model, before encoding
 * @param stepping CPUID.1:EAX stepping
 * @param level    lowest maximum basic leaf (CPUID.0:EAX)
 * @param xlevel   lowest maximum extended leaf (CPUID.80000000h:EAX)
 * @param modelId  the brand string of leaves 0x80000002..4
 * @param words    the flags of every {@link X86FeatureWord}, 0 where the model has none
 */
public record X86CpuDefinition(String name, String vendor, int family, int model, int stepping, int level,
                               int xlevel, String modelId, Map<X86FeatureWord, Integer> words) {

    public X86CpuDefinition {
        Map<X86FeatureWord, Integer> all = new EnumMap<>(X86FeatureWord.class);
        for (X86FeatureWord w : X86FeatureWord.values()) all.put(w, words.getOrDefault(w, 0));
        words = Map.copyOf(all);
    }

    public int word(X86FeatureWord w) {
        return words.get(w);
    }

    public boolean has(X86Feature f) {
        return (word(f.word()) & f.mask()) != 0;
    }
}
