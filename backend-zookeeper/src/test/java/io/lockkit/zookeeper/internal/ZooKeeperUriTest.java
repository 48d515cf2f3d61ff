package io.lockkit.zookeeper.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.LockKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The URI taken apart by structure, with passwords holding every delimiter; no message shows them. */
class ZooKeeperUriTest {
    /** Passwords as written in the URI, and as ZooKeeper must receive them. */
    private static final List<List<String>> PASSWORDS = List.of(
            List.of("pa/ss", "pa/ss"),
            List.of("se#cret", "se#cret"),
            List.of("p@ss", "p@ss"),
            List.of("p%40ss", "p@ss"),
            List.of("pa+ss", "pa+ss"),
            List.of("pa%2Bss", "pa+ss"),
            List.of("pa?ss", "pa?ss"),
            List.of("a:b:c", "a:b:c"),
            List.of("%2F%3F%23%40%25", "/?#@%"),
            List.of("1/x@h:1/y@", "1/x@h:1/y@"),
            List.of("é%C3%A9", "éé"));

    @Test
    @DisplayName("user:password@hosts/chroot?query: every password parses to itself, hosts and chroot intact")
    void passwordsWithDelimitersParse() {
        for (List<String> pw : PASSWORDS) {
            for (String tail : List.of("", "/chroot", "/chroot/sub", "?timeout=2s", "/chroot?timeout=2s")) {
                String uri = "zookeeper://user:" + pw.get(0) + "@h1:2181,[::1]:2182" + tail;
                ZooKeeperUri parsed = ZooKeeperUri.parse(uri);
                assertThat(parsed.userInfo()).as(uri).isEqualTo("user:" + pw.get(1));
                assertThat(parsed.hosts()).as(uri).isEqualTo("h1:2181,[::1]:2182");
                assertThat(parsed.chroot())
                        .as(uri)
                        .isEqualTo(
                                tail.startsWith("/chroot/sub")
                                        ? "chroot/sub"
                                        : tail.startsWith("/chroot") ? "chroot" : "");
                assertThat(parsed.query()).as(uri).isEqualTo(tail.contains("?") ? "timeout=2s" : "");
                assertThat(parsed.problems()).as(uri).isEmpty();
                assertThat(parsed.shown())
                        .as(uri)
                        .startsWith("zookeeper://***@h1:2181")
                        .doesNotContain(pw.get(0));
            }
        }
    }

    @Test
    @DisplayName("without user info: hosts, a chroot or query holding @ is not taken for user info")
    void noUserInfo() {
        ZooKeeperUri plain = ZooKeeperUri.parse("zookeeper://h:1,g:2/app/x?root=/a@b");
        assertThat(plain.userInfo()).isEmpty();
        assertThat(plain.hosts()).isEqualTo("h:1,g:2");
        assertThat(plain.chroot()).isEqualTo("app/x");
        assertThat(plain.query()).isEqualTo("root=/a@b");
        assertThat(ZooKeeperUri.parse("zookeeper://h:1").chroot()).isEmpty();
    }

    @Test
    @DisplayName("percent-decoding only: + stays +, a bad escape is a problem that does not show the user info")
    void percentDecodingOnly() {
        assertThat(ZooKeeperUri.percentDecode("a+b%20c")).isEqualTo("a+b c");
        assertThat(ZooKeeperUri.percentDecode("bad%2")).isNull();
        assertThat(ZooKeeperUri.percentDecode("bad%C3")).isNull();
        ZooKeeperUri parsed = ZooKeeperUri.parse("zookeeper://u:Secret%zz@h:1");
        assertThat(parsed.problems())
                .singleElement()
                .asString()
                .contains("percent")
                .doesNotContain("Secret");
        assertThat(ZooKeeperUri.parse("zookeeper://nocolon@h:1").problems())
                .singleElement()
                .asString()
                .contains("user:password");
    }

    @Test
    @DisplayName("E1: a bad URI is reported by host and option, never with any part of the password")
    void messagesNeverShowThePassword() {
        String secret = "Pw1/Pw2#Pw3@Pw4+Pw5?Pw6:Pw7";
        List<String> parts = List.of("Pw1", "Pw2", "Pw3", "Pw4", "Pw5", "Pw6", "Pw7");
        for (String uri : List.of(
                "zookeeper://user:" + secret + "@nohost/chroot",
                "zookeeper://user:" + secret + "@h:99999/chroot",
                "zookeeper://user:" + secret + "@h:1//bad/?timeout=-1s&bogus=1",
                "zookeeper://user:" + secret + "@",
                "zookeeper://user:" + secret + "@/x",
                "zookeeper://user:" + secret,
                "zookeeper://user:" + secret + "@h:1?password=Pw8")) {
            assertThatThrownBy(() -> LockKit.open(uri, Map.of()))
                    .as(uri)
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e ->
                            assertThat(e.getMessage()).doesNotContain(parts).doesNotContain("Pw8"));
        }
        assertThatThrownBy(() -> LockKit.open("zookeeper://user:pa/ss@nohost/chroot", Map.of()))
                .hasMessageContaining("host 'nohost'")
                .hasMessageNotContaining("pa/ss")
                .hasMessageNotContaining("'user:pa'");
    }
}
