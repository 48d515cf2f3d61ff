package io.lockkit.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A Lua script loaded from a resource next to this class, with its SHA-1 for EVALSHA. Immutable. */
enum Script {
    ACQUIRE("acquire.lua", true),
    RELEASE("release.lua", true),
    EXTEND("extend.lua", true),
    READ("read.lua", false),
    CREATE("create.lua", true),
    CAS("cas.lua", true),
    DELETE("delete.lua", true),
    SERVER_INFO("server-info.lua", false),
    CHANNEL_CHECK("channel-check.lua", true);

    final String resource;
    final boolean writes;
    final String text;
    final String sha;

    Script(String resource, boolean writes) {
        this.resource = resource;
        this.writes = writes;
        this.text = load(resource);
        this.sha = sha1(text);
    }

    private static String load(String resource) {
        try (InputStream in = Script.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read script resource " + resource, e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
