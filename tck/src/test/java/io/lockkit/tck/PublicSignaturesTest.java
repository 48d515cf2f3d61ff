package io.lockkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Backend;
import io.lockkit.tck.harness.PublicSignatures;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** No type of a hidden package in a public signature of lockkit-api or of the TCK. */
class PublicSignaturesTest {
    @Test
    void theApiShowsNoHiddenType() throws Exception {
        Path api = PublicSignatures.home(Backend.class);
        assertThat(PublicSignatures.leaks(api, Backend.class.getClassLoader())).isEmpty();
    }

    @Test
    void theTckShowsNoInternalType() throws Exception {
        Path tck = PublicSignatures.home(JobLockTck.class);
        assertThat(PublicSignatures.leaks(tck, JobLockTck.class.getClassLoader()))
                .isEmpty();
    }

    /** The check can fail: a public method of an exported package that returns an internal type. */
    @Test
    void aLeakIsFound() throws Exception {
        Path classes = PublicSignatures.home(PublicSignaturesTest.class);
        // This test's own classes: io.lockkit.tck.leaky (not internal) shows io.lockkit.tck.leaky.internal.
        List<String> leaks = PublicSignatures.leaks(classes, PublicSignaturesTest.class.getClassLoader());
        assertThat(leaks)
                .contains(
                        "io.lockkit.tck.leaky.Leaky.secret(…) shows io.lockkit.tck.leaky.internal.Secret",
                        "io.lockkit.tck.leaky.Leaky.secrets(…) shows io.lockkit.tck.leaky.internal.Secret",
                        "io.lockkit.tck.leaky.Leaky(…) shows io.lockkit.tck.leaky.internal.Secret",
                        "io.lockkit.tck.leaky.Leaky implements shows io.lockkit.tck.leaky.internal.Secret")
                .noneMatch(l -> l.contains("hidden"));
    }
}
