package io.lockkit.race.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the soak routes a child through one proxy per server of the store's URI. */
class StoreUrisTest {
    @Test
    void everyServerOfAnEnsembleGetsItsProxyAndTheRestOfTheUriStays() {
        String uri = "zookeeper://127.0.0.1:2181,127.0.0.1:2182,10.0.0.3:2183/chroot?x=1";
        assertThat(Store.servers(uri)).containsExactly("127.0.0.1:2181", "127.0.0.1:2182", "10.0.0.3:2183");
        assertThat(Store.uriVia(uri, List.of(7, 8, 9)))
                .isEqualTo("zookeeper://127.0.0.1:7,127.0.0.1:8,127.0.0.1:9/chroot?x=1");
    }

    @Test
    void aSingleServerWithAPathAndQueryOrNeither() {
        String pg = "jdbc:postgresql://localhost:5432/postgres?user=postgres&options=-c%20a%3Db";
        assertThat(Store.servers(pg)).containsExactly("localhost:5432");
        assertThat(Store.uriVia(pg, List.of(40000)))
                .isEqualTo("jdbc:postgresql://127.0.0.1:40000/postgres?user=postgres&options=-c%20a%3Db");
        assertThat(Store.uriVia("redis://127.0.0.1:6379", List.of(5))).isEqualTo("redis://127.0.0.1:5");
        assertThat(Store.uriVia("redis://h:1?db=2", List.of(5))).isEqualTo("redis://127.0.0.1:5?db=2");
    }
}
