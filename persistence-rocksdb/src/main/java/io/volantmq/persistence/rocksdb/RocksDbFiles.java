package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.StoreFiles;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.TablePropertiesCollectorFactory;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBufferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RocksDB instance, its column families and every native object they need, opened with
 * crash recovery: a WAL torn by a crash is replayed up to the last intact record
 * ({@link WALRecoveryMode#PointInTimeRecovery}); a store still reported corrupt is reopened
 * skipping every corrupt record; one that cannot be opened even then is moved aside and replaced
 * by an empty store. Each step is logged.
 */
final class RocksDbFiles implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RocksDbFiles.class);

    static final String SESSIONS = "sessions";
    static final String SUBSCRIPTIONS = "subscriptions";
    static final String RETAINED = "retained";
    /** Bodies of messages queued for several clients, by id, stored once; a one-queue message is in its entry. */
    static final String MESSAGES = "messages";
    /** How many queue entries reference each body. */
    static final String REFS = "refs";
    static final String QUEUES = "queues";
    static final String STATS = "queue_stats";
    static final String QOS2 = "qos2";
    private static final List<String> FAMILIES = List.of(SESSIONS, SUBSCRIPTIONS, RETAINED, MESSAGES, REFS, QUEUES, STATS, QOS2);
    /** Families whose keys are deleted as fast as they are written: compacted on deletion density. */
    private static final List<String> CHURNING = List.of(MESSAGES, REFS, QUEUES, STATS, QOS2);

    private final Path dir;
    private final RocksDB db;
    private final boolean salvaged;
    private final Map<String, ColumnFamilyHandle> handles;
    private final List<ColumnFamilyHandle> allHandles;
    private final List<AutoCloseable> owned;

    private RocksDbFiles(Path dir, RocksDB db, boolean salvaged, Map<String, ColumnFamilyHandle> handles,
                         List<ColumnFamilyHandle> allHandles, List<AutoCloseable> owned) {
        this.dir = dir;
        this.db = db;
        this.salvaged = salvaged;
        this.handles = handles;
        this.allHandles = allHandles;
        this.owned = owned;
    }

    static RocksDbFiles open(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PersistenceException("cannot create the rocksdb directory " + dir + ": " + e, e);
        }
        RocksDB.loadLibrary();
        try {
            return attempt(dir, false);
        } catch (RocksDBException e) {
            if (!corrupt(e)) {
                throw new PersistenceException("cannot open the rocksdb store at " + dir + ": " + describe(e), e);
            }
            log.error("rocksdb store at {} is damaged ({}); reopening it, skipping every corrupt record", dir, describe(e));
        }
        try {
            RocksDbFiles files = attempt(dir, true);
            log.warn("rocksdb store at {} reopened with its corrupt records dropped; what they held is lost", dir);
            return files;
        } catch (RocksDBException e) {
            if (!corrupt(e)) {
                throw new PersistenceException("cannot open the rocksdb store at " + dir + ": " + describe(e), e);
            }
            StoreFiles.moveAside(dir, "rocksdb store", "cannot be recovered: " + describe(e), List.of(), log);
        }
        try {
            Files.createDirectories(dir);
            return attempt(dir, false);
        } catch (IOException e) {
            throw new PersistenceException("cannot create a new rocksdb store at " + dir + ": " + e, e);
        } catch (RocksDBException e) {
            throw new PersistenceException("cannot create a new rocksdb store at " + dir + ": " + describe(e), e);
        }
    }

    private static RocksDbFiles attempt(Path dir, boolean salvage) throws RocksDBException {
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            // one budget for native memory: memtables are charged to the block cache they share
            Cache cache = own(owned, new LRUCache(64L << 20));
            WriteBufferManager memtables = own(owned, new WriteBufferManager(32L << 20, cache));
            RocksDbLog rocksLog = own(owned, new RocksDbLog());
            DBOptions options = own(owned, new DBOptions())
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setWalRecoveryMode(salvage ? WALRecoveryMode.SkipAnyCorruptedRecords : WALRecoveryMode.PointInTimeRecovery)
                    .setParanoidChecks(!salvage)
                    .setLogger(rocksLog)
                    .setStatsDumpPeriodSec(0)
                    .setMaxTotalWalSize(128L << 20)
                    .setWriteBufferManager(memtables)
                    .setMaxBackgroundJobs(2);
            BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(cache);
            // RocksJava sets collectors on Options only; a family's options copy them from there
            Options churning = own(owned, new Options());
            churning.setTablePropertiesCollectorFactory(List.of(
                    own(owned, TablePropertiesCollectorFactory.NewCompactOnDeletionCollectorFactory(1000, 500, 0.5))));

            List<String> names = new ArrayList<>();
            names.add(new String(RocksDB.DEFAULT_COLUMN_FAMILY, StandardCharsets.UTF_8));
            names.addAll(FAMILIES);
            for (String existing : existingFamilies(dir, owned)) {
                if (!names.contains(existing)) {
                    // a family a later version added: it must be opened too, and is left alone
                    names.add(existing);
                }
            }
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (String name : names) {
                ColumnFamilyOptions cf = CHURNING.contains(name) ? new ColumnFamilyOptions(churning) : new ColumnFamilyOptions();
                own(owned, cf).setTableFormatConfig(table).setWriteBufferSize(name.equals(MESSAGES) || name.equals(QUEUES) ? 16L << 20 : 4L << 20);
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cf));
            }

            List<ColumnFamilyHandle> all = new ArrayList<>();
            RocksDB db = RocksDB.open(options, dir.toString(), descriptors, all);
            Map<String, ColumnFamilyHandle> byName = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                byName.put(names.get(i), all.get(i));
            }
            return new RocksDbFiles(dir, db, salvage, byName, all, owned);
        } catch (RocksDBException | RuntimeException e) {
            closeAll(owned);
            throw e;
        }
    }

    private static List<String> existingFamilies(Path dir, List<AutoCloseable> owned) throws RocksDBException {
        if (!Files.exists(dir.resolve("CURRENT"))) {
            return List.of();
        }
        Options options = own(owned, new Options());
        List<String> names = new ArrayList<>();
        for (byte[] name : RocksDB.listColumnFamilies(options, dir.toString())) {
            names.add(new String(name, StandardCharsets.UTF_8));
        }
        return names;
    }

    private static <T extends AutoCloseable> T own(List<AutoCloseable> owned, T resource) {
        owned.add(resource);
        return resource;
    }

    private static boolean corrupt(RocksDBException e) {
        return e.getStatus() != null && e.getStatus().getCode() == Status.Code.Corruption;
    }

    static String describe(RocksDBException e) {
        Status status = e.getStatus();
        return status == null ? e.getMessage() : status.getCodeString() + ": " + e.getMessage();
    }

    Path dir() {
        return dir;
    }

    RocksDB db() {
        return db;
    }

    /** True when this open had to drop corrupt records anywhere in the WAL. */
    boolean salvaged() {
        return salvaged;
    }

    List<ColumnFamilyHandle> families() {
        return allHandles;
    }

    ColumnFamilyHandle meta() {
        return db.getDefaultColumnFamily();
    }

    ColumnFamilyHandle sessions() {
        return handles.get(SESSIONS);
    }

    ColumnFamilyHandle subscriptions() {
        return handles.get(SUBSCRIPTIONS);
    }

    ColumnFamilyHandle retained() {
        return handles.get(RETAINED);
    }

    ColumnFamilyHandle messages() {
        return handles.get(MESSAGES);
    }

    ColumnFamilyHandle refs() {
        return handles.get(REFS);
    }

    ColumnFamilyHandle queues() {
        return handles.get(QUEUES);
    }

    ColumnFamilyHandle stats() {
        return handles.get(STATS);
    }

    ColumnFamilyHandle qos2() {
        return handles.get(QOS2);
    }

    @Override
    public void close() {
        for (ColumnFamilyHandle handle : allHandles) {
            handle.close();
        }
        try {
            db.closeE();
        } catch (RocksDBException e) {
            log.warn("closing the rocksdb store at {} failed: {}", dir, describe(e));
        }
        closeAll(owned);
    }

    private static void closeAll(List<AutoCloseable> owned) {
        List<AutoCloseable> reversed = new ArrayList<>(owned);
        Collections.reverse(reversed);
        for (AutoCloseable resource : reversed) {
            try {
                resource.close();
            } catch (Exception e) {
                log.debug("closing {} failed", resource, e);
            }
        }
        owned.clear();
    }

    @Override
    public String toString() {
        return "RocksDbFiles[" + dir + ", families=" + Arrays.toString(handles.keySet().toArray()) + "]";
    }
}
