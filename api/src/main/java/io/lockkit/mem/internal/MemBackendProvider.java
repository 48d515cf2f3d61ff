package io.lockkit.mem.internal;

import io.lockkit.Backend;
import io.lockkit.mem.MemBackend;
import io.lockkit.mem.MemStore;
import io.lockkit.spi.BackendProvider;
import io.lockkit.spi.Options;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code mem:[name][?lease=timed|session&driftMargin=…]}: a client of the in-process store {@code
 * name} (shared by every client that names it), or of a fresh private store when the name is empty.
 * Options may come from the query or the options map, not both.
 */
public final class MemBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "mem";
    }

    @Override
    public Set<String> uriPrefixes() {
        return Set.of("mem:");
    }

    @Override
    public Backend open(String uri, Map<String, String> options) {
        String rest = uri.substring("mem:".length());
        int q = rest.indexOf('?');
        String name = q < 0 ? rest : rest.substring(0, q);
        Map<String, String> all = new HashMap<>(options);
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = decode(eq < 0 ? pair : pair.substring(0, eq));
                String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (all.put(k, v) != null) {
                    throw new IllegalArgumentException("bad options for mem: " + k + " is given twice");
                }
            }
        }
        Options o = new Options("mem", all);
        MemBackend.LeaseKind kind = o.choice("lease", MemBackend.LeaseKind.class, MemBackend.LeaseKind.TIMED);
        Duration margin = o.duration("driftMargin", MemBackend.DEFAULT_DRIFT_MARGIN, true);
        o.validate();
        MemStore store = name.isEmpty() ? MemStore.create() : MemStore.named(name);
        return MemBackend.builder(store).leaseKind(kind).driftMargin(margin).build();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
