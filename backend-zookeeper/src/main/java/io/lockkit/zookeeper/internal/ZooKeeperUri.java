package io.lockkit.zookeeper.internal;

import io.lockkit.spi.Uris;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code zookeeper://[user:password@]host:port[,host:port…][/chroot][?query]} taken apart by its
 * structure. A password may hold any character, {@code /}, {@code #}, {@code ?}, {@code :} and
 * {@code @} included, written as is or percent-encoded: the user info ends at the <em>last</em>
 * {@code @} that is followed by a well-formed host list (ending at {@code /}, {@code ?} or the end).
 * Only when no {@code @} is followed by one (a malformed URI, reported as such) does it end at the
 * last {@code @} of all, so that a password is never mistaken for a host and shown; and when even
 * what follows that one is not made of host characters, nothing after the scheme is used or shown. The user info is
 * percent-decoded only ({@code +} stays {@code +}); so are the query's names and values.
 *
 * @param hosts the host list as written
 * @param chroot the chroot without its leading {@code /}, empty for none
 * @param userInfo the decoded {@code user:password}, empty for none
 * @param query the raw query, empty for none
 * @param shown the URI with the user info and secret query values replaced by {@code ***}
 * @param problems what is malformed in the user info (never its content)
 */
record ZooKeeperUri(String hosts, String chroot, String userInfo, String query, String shown, List<String> problems) {
    static final String PREFIX = "zookeeper://";

    private static final Pattern HOST_LIST = Pattern.compile(
            "(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):[0-9]{1,5}(?:,(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):[0-9]{1,5})*");

    private static final Pattern HOST_CHARS = Pattern.compile("[A-Za-z0-9._:,\\[\\]-]*");

    /** Parses {@code uri}, which starts with {@value #PREFIX}; never throws for a malformed one. */
    static ZooKeeperUri parse(String uri) {
        String rest = uri.substring(PREFIX.length());
        int hostStart = hostStart(rest);
        int hostEnd = hostEnd(rest, hostStart);
        String hosts = rest.substring(hostStart, hostEnd);
        if (hostStart > 0 && !HOST_CHARS.matcher(hosts).matches()) {
            // No host list after any @: what follows the last one may still be part of a password.
            return new ZooKeeperUri("", "", "", "", PREFIX + "***", List.of());
        }
        String tail = rest.substring(hostEnd);
        String chroot = "";
        String query = "";
        int q = tail.indexOf('?');
        String path = q < 0 ? tail : tail.substring(0, q);
        if (q >= 0) {
            query = tail.substring(q + 1);
        }
        if (path.startsWith("/")) {
            chroot = path.substring(1);
        }
        List<String> problems = new ArrayList<>();
        String userInfo = "";
        if (hostStart > 0) {
            String decoded = percentDecode(rest.substring(0, hostStart - 1));
            if (decoded == null) {
                problems.add("user info (a bad percent escape, or not UTF-8)");
            } else {
                userInfo = decoded;
                if (!userInfo.contains(":")) {
                    problems.add("user info (expected user:password)");
                }
            }
        }
        String shown = Uris.redact(PREFIX + hosts + tail);
        if (hostStart > 0) {
            shown = PREFIX + "***@" + shown.substring(PREFIX.length());
        }
        return new ZooKeeperUri(hosts, chroot, userInfo, query, shown, List.copyOf(problems));
    }

    /** Where the host list starts: after the last {@code @} followed by a well-formed one, see the class comment. */
    private static int hostStart(String rest) {
        int lastAt = rest.lastIndexOf('@');
        for (int at = lastAt; at >= 0; at = rest.lastIndexOf('@', at - 1)) {
            if (HOST_LIST.matcher(rest.substring(at + 1, hostEnd(rest, at + 1))).matches()) {
                return at + 1;
            }
            if (at == 0) {
                break;
            }
        }
        if (HOST_LIST.matcher(rest.substring(0, hostEnd(rest, 0))).matches()) {
            return 0;
        }
        return lastAt + 1; // malformed: whatever comes before the last @ may be a password
    }

    private static int hostEnd(String rest, int from) {
        for (int i = from; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '/' || c == '?') {
                return i;
            }
        }
        return rest.length();
    }

    /** {@code %XX} decoded as UTF-8, every other character kept ({@code +} too); null when malformed. */
    static @Nullable String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()
                        || Character.digit(s.charAt(i + 1), 16) < 0
                        || Character.digit(s.charAt(i + 2), 16) < 0) {
                    return null;
                }
                bytes.write(Character.digit(s.charAt(i + 1), 16) << 4 | Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    utf8 = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.write(utf8, 0, utf8.length);
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
