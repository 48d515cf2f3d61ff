package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.tck.harness.PublicSignatures;
import org.junit.jupiter.api.Test;

/** No type of a package the module does not export appears in a signature it offers. */
class PublicSignaturesTest {
    @Test
    void theModuleShowsNoHiddenType() throws Exception {
        assertThat(PublicSignatures.leaks(
                        PublicSignatures.home(RedisBackend.class), RedisBackend.class.getClassLoader()))
                .isEmpty();
    }
}
