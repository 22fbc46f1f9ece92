package io.volantmq.broker.session;

import java.util.HashMap;
import java.util.function.BiConsumer;

/**
 * Packet id to a long (a store sequence, a send time) for one session's inflight deliveries. Holds no map
 * while empty: most connections are idle most of the time, and an emptied {@link HashMap} keeps its table.
 * Confinement: the connection's event loop.
 */
final class PacketIdMap {
    /** Most clients have few messages inflight; the map grows as a HashMap does. */
    private static final int INITIAL_CAPACITY = 4;

    private HashMap<Integer, Long> map;

    Long get(int packetId) {
        return map == null ? null : map.get(packetId);
    }

    boolean containsKey(int packetId) {
        return map != null && map.containsKey(packetId);
    }

    void put(int packetId, long value) {
        if (map == null) {
            map = new HashMap<>(INITIAL_CAPACITY);
        }
        map.put(packetId, value);
    }

    Long remove(int packetId) {
        if (map == null) {
            return null;
        }
        Long value = map.remove(packetId);
        if (map.isEmpty()) {
            map = null;
        }
        return value;
    }

    int size() {
        return map == null ? 0 : map.size();
    }

    boolean isEmpty() {
        return map == null;
    }

    void clear() {
        map = null;
    }

    void forEach(BiConsumer<Integer, Long> action) {
        if (map != null) {
            map.forEach(action);
        }
    }

    /** Whether a map is held (tests: none while empty). */
    boolean holdsMap() {
        return map != null;
    }
}
