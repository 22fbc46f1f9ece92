package io.volantmq.broker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PacketIdMapTest {
    @Test
    void holdsNoMapWhileEmpty() {
        PacketIdMap map = new PacketIdMap();
        assertFalse(map.holdsMap());
        map.put(1, 100L);
        map.put(2, 200L);
        assertTrue(map.holdsMap());
        assertEquals(100L, map.remove(1));
        assertTrue(map.holdsMap());
        assertEquals(200L, map.remove(2));
        assertFalse(map.holdsMap(), "an idle session keeps no table");
        assertTrue(map.isEmpty());
        map.put(3, 300L);
        map.clear();
        assertFalse(map.holdsMap());
    }

    @Test
    void behavesAsAMap() {
        PacketIdMap map = new PacketIdMap();
        assertNull(map.get(7));
        assertNull(map.remove(7));
        assertFalse(map.containsKey(7));
        for (int id = 1; id <= 100; id++) {
            map.put(id, id * 10L);
        }
        map.put(5, 55L);
        assertEquals(100, map.size());
        assertEquals(55L, map.get(5));
        assertTrue(map.containsKey(100));
        Map<Integer, Long> seen = new HashMap<>();
        map.forEach(seen::put);
        assertEquals(100, seen.size());
        assertEquals(1000L, seen.get(100));
    }
}
