package io.lockkit.zookeeper;

import io.lockkit.LockKitException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;

/**
 * What a value znode holds: the value, the highest fencing token that wrote it (V3), whether the
 * key is deleted (a tombstone keeps the fence and lets versions go on increasing, V2), and the id of
 * the write that stored it, so a writer whose reply was lost can recognise its own write (V4).
 *
 * <p>Layout: format byte {@code 1}, flags byte (bit 0 = deleted), fence (8 bytes), write id (16
 * bytes), value.
 */
record Cell(byte[] value, long fence, boolean deleted, UUID writeId) {
    private static final byte FORMAT = 1;
    private static final int HEADER = 2 + 8 + 16;

    static Cell live(byte[] value, long fence) {
        return new Cell(value, fence, false, UUID.randomUUID());
    }

    static Cell tombstone(long fence) {
        return new Cell(new byte[0], fence, true, UUID.randomUUID());
    }

    byte[] encode() {
        return ByteBuffer.allocate(HEADER + value.length)
                .put(FORMAT)
                .put((byte) (deleted ? 1 : 0))
                .putLong(fence)
                .putLong(writeId.getMostSignificantBits())
                .putLong(writeId.getLeastSignificantBits())
                .put(value)
                .array();
    }

    static Cell decode(String path, byte[] data) {
        if (data == null || data.length < HEADER || data[0] != FORMAT) {
            throw new LockKitException("znode " + path + " does not hold a lockkit value (format " + FORMAT + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        b.get();
        boolean deleted = (b.get() & 1) != 0;
        long fence = b.getLong();
        UUID id = new UUID(b.getLong(), b.getLong());
        return new Cell(Arrays.copyOfRange(data, HEADER, data.length), fence, deleted, id);
    }
}
