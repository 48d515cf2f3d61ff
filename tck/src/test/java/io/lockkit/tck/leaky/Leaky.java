package io.lockkit.tck.leaky;

import io.lockkit.tck.leaky.internal.Secret;
import java.util.List;

/** For {@code PublicSignaturesTest}: an exported class that shows an internal type, and one that hides it. */
public class Leaky implements Secret {
    public Leaky(Secret s) {}

    public Secret secret() {
        return this;
    }

    public List<? extends Secret> secrets() {
        return List.of();
    }

    private Secret hidden() {
        return this;
    }

    Secret hiddenToo() {
        return hidden();
    }
}
