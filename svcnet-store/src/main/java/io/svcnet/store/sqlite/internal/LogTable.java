package io.svcnet.store.sqlite.internal;

import io.svcnet.store.CompactedException;
import io.svcnet.store.Store.Event;
import io.svcnet.store.Store.KeyValue;
import io.svcnet.store.Store.RangeResult;
import io.svcnet.store.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.sqlite.SQLiteConfig;

/**
 * The SQLite file: one append-only revision log table in the shape k3s's kine proved
 * (k3s-io/kine docs/flow.md), plus a one-row-per-setting {@code meta} table.
 *
 * <pre>
 * log(id INTEGER PRIMARY KEY AUTOINCREMENT  -- the revision
 *     name, created, deleted, create_revision, prev_revision, value, old_value)
 * index log_name_id(name, id)                -- range at a revision, latest row per key
 * meta(key PRIMARY KEY, value)               -- compacted_revision
 * </pre>
 *
 * A create row has {@code created=1, prev_revision=0}; an update row points at the row it replaces
 * and carries its value in {@code old_value}; a delete row is a tombstone ({@code deleted=1,
 * value=NULL, old_value=}last live value). Revisions are assigned by the single writer and inserted
 * explicitly; {@code AUTOINCREMENT} keeps {@code sqlite_sequence} at the highest revision ever
 * written even after compaction deleted the newest rows, so a reopened store never reuses one.
 *
 * <p>Durability: WAL journal with {@code synchronous=FULL}, so every commit fsyncs the WAL before
 * it returns. {@code auto_vacuum=INCREMENTAL} lets compaction hand freed pages back to the file
 * system.
 *
 * <p>Threading: the writer connection belongs to the store's single writer thread ({@link #append},
 * {@link #compact}, {@link #load}). Reads ({@link #rangeAt}, {@link #replay}) may come from any
 * thread; each borrows a pooled read connection and runs in its own read transaction, i.e. on a
 * consistent WAL snapshot.
 */
public final class LogTable implements AutoCloseable {
    private static final String COMPACTED = "compacted_revision";

    private final Path file;
    private final String url;
    private final Connection writer;
    private final PreparedStatement insert;
    private final ConcurrentLinkedQueue<Connection> idleReaders = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    private LogTable(Path file) throws SQLException {
        this.file = file;
        this.url = "jdbc:sqlite:" + file.toAbsolutePath();
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(30_000);
        Connection c = config.createConnection(url);
        try {
            try (Statement s = c.createStatement()) {
                // only takes effect on a brand-new file, before the first table exists
                s.execute("PRAGMA auto_vacuum = INCREMENTAL");
                s.execute("CREATE TABLE IF NOT EXISTS log ("
                        + " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                        + " name TEXT NOT NULL,"
                        + " created INTEGER NOT NULL,"
                        + " deleted INTEGER NOT NULL,"
                        + " create_revision INTEGER NOT NULL,"
                        + " prev_revision INTEGER NOT NULL,"
                        + " value BLOB,"
                        + " old_value BLOB)");
                s.execute("CREATE INDEX IF NOT EXISTS log_name_id ON log(name, id)");
                s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            }
            requirePragma(c, "journal_mode", "wal");
            requirePragma(c, "synchronous", "2"); // FULL: fsync on every commit
            c.setAutoCommit(false);
            this.insert = c.prepareStatement("INSERT INTO log"
                    + " (id, name, created, deleted, create_revision, prev_revision, value, old_value)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        this.writer = c;
    }

    /** Opens (creating if needed) the log in {@code file}. */
    public static LogTable open(Path file) {
        try {
            return new LogTable(file);
        } catch (SQLException e) {
            throw new StoreException("cannot open store file " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** What a reopened store starts from. */
    public record Loaded(long revision, long compactedRevision) {}

    /** Streams every live key (in no particular order) to {@code sink}; returns the counters. Writer thread only. */
    public Loaded load(Consumer<KeyValue> sink) {
        try {
            long maxId;
            long seq = 0;
            long compacted;
            try (Statement s = writer.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) FROM log")) {
                    rs.next();
                    maxId = rs.getLong(1);
                }
                try (ResultSet rs = s.executeQuery("SELECT seq FROM sqlite_sequence WHERE name = 'log'")) {
                    if (rs.next()) {
                        seq = rs.getLong(1);
                    }
                }
                compacted = readCompacted(writer);
                try (ResultSet rs = s.executeQuery("SELECT l.name, l.value, l.create_revision, l.id FROM log l"
                        + " WHERE l.deleted = 0"
                        + " AND NOT EXISTS (SELECT 1 FROM log n WHERE n.name = l.name AND n.id > l.id)")) {
                    while (rs.next()) {
                        sink.accept(new KeyValue(rs.getString(1), nonNull(rs.getBytes(2)), rs.getLong(3), rs.getLong(4)));
                    }
                }
            }
            writer.commit();
            return new Loaded(Math.max(Math.max(maxId, seq), compacted), compacted);
        } catch (SQLException e) {
            rollbackQuietly(writer);
            throw new StoreException("cannot load store file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Appends the entries (ascending, gap-free revisions) in one transaction and commits it, which
     * fsyncs. On failure the transaction is rolled back and nothing was written. Writer thread only.
     */
    public void append(List<LogEntry> entries) throws SQLException {
        try {
            for (LogEntry entry : entries) {
                Event e = entry.event();
                insert.setLong(1, e.modRevision());
                insert.setString(2, e.key());
                insert.setInt(3, e.type() == Event.Type.CREATE ? 1 : 0);
                insert.setInt(4, e.type() == Event.Type.DELETE ? 1 : 0);
                insert.setLong(5, e.createRevision());
                insert.setLong(6, entry.prevModRevision());
                insert.setBytes(7, e.value());
                insert.setBytes(8, e.prevValue());
                insert.addBatch();
            }
            insert.executeBatch();
            writer.commit();
        } catch (SQLException e) {
            rollbackQuietly(writer);
            throw e;
        }
    }

    /**
     * Physically deletes the history in {@code (fromExclusive, toInclusive]} that no read above
     * {@code toInclusive} can need: rows superseded by a later row at or below {@code toInclusive},
     * and tombstones. Records {@code toInclusive} as the compacted revision in the same transaction.
     * Writer thread only. Returns the number of rows deleted.
     */
    public int compact(long fromExclusive, long toInclusive) {
        try {
            int deleted;
            try (PreparedStatement superseded = writer.prepareStatement("DELETE FROM log WHERE id IN"
                    + " (SELECT prev_revision FROM log WHERE id > ? AND id <= ? AND prev_revision > 0)");
                 PreparedStatement tombstones = writer.prepareStatement(
                         "DELETE FROM log WHERE id > ? AND id <= ? AND deleted = 1");
                 PreparedStatement meta = writer.prepareStatement(
                         "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")) {
                superseded.setLong(1, fromExclusive);
                superseded.setLong(2, toInclusive);
                deleted = superseded.executeUpdate();
                tombstones.setLong(1, fromExclusive);
                tombstones.setLong(2, toInclusive);
                deleted += tombstones.executeUpdate();
                meta.setString(1, COMPACTED);
                meta.setLong(2, toInclusive);
                meta.executeUpdate();
            }
            writer.commit();
            try (Statement s = writer.createStatement()) {
                s.execute("PRAGMA incremental_vacuum");
            }
            writer.commit();
            return deleted;
        } catch (SQLException e) {
            rollbackQuietly(writer);
            throw new StoreException("compaction to revision " + toInclusive + " failed in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Live keys in {@code range} as of {@code atRevision}, read from the log: for each key its
     * newest row at or below the revision, unless that row is a tombstone.
     */
    public RangeResult rangeAt(KeyRange range, int limit, long atRevision) {
        String sql = "SELECT l.name, l.value, l.create_revision, l.id FROM log l"
                + " WHERE l.name >= ?" + (range.end() != null ? " AND l.name < ?" : "")
                + " AND l.id <= ? AND l.deleted = 0"
                + " AND NOT EXISTS (SELECT 1 FROM log n WHERE n.name = l.name AND n.id > l.id AND n.id <= ?)"
                + " ORDER BY l.name";
        return read("range at revision " + atRevision, c -> {
            checkCompacted(c, atRevision);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, range.from());
                if (range.end() != null) {
                    ps.setString(i++, range.end());
                }
                ps.setLong(i++, atRevision);
                ps.setLong(i, atRevision);
                List<KeyValue> items = new ArrayList<>();
                long remaining = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (limit == 0 || items.size() < limit) {
                            items.add(new KeyValue(rs.getString(1), nonNull(rs.getBytes(2)), rs.getLong(3), rs.getLong(4)));
                        } else {
                            remaining++;
                        }
                    }
                }
                return new RangeResult(List.copyOf(items), atRevision, remaining > 0, remaining);
            }
        });
    }

    /**
     * Up to {@code max} events under {@code range}'s prefix with revisions in
     * {@code (afterRevision, toRevision]}, ascending. Throws {@link CompactedException} if compaction
     * has reached {@code afterRevision}, since rows the caller needs may be gone.
     */
    public List<LogEntry> replay(KeyRange range, long afterRevision, long toRevision, int max) {
        String sql = "SELECT id, name, created, deleted, create_revision, prev_revision, value, old_value FROM log"
                + " WHERE id > ? AND id <= ? AND name >= ?" + (range.end() != null ? " AND name < ?" : "")
                + " ORDER BY id LIMIT ?";
        return read("replay after revision " + afterRevision, c -> {
            checkCompacted(c, afterRevision);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setLong(i++, afterRevision);
                ps.setLong(i++, toRevision);
                ps.setString(i++, range.prefix());
                if (range.end() != null) {
                    ps.setString(i++, range.end());
                }
                ps.setInt(i, max);
                List<LogEntry> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Event.Type type = rs.getInt(4) != 0 ? Event.Type.DELETE
                                : rs.getInt(3) != 0 ? Event.Type.CREATE : Event.Type.UPDATE;
                        byte[] value = type == Event.Type.DELETE ? null : nonNull(rs.getBytes(7));
                        byte[] old = type == Event.Type.CREATE ? null : nonNull(rs.getBytes(8));
                        Event e = new Event(type, rs.getString(2), value, old, rs.getLong(5), rs.getLong(1));
                        out.add(new LogEntry(e, rs.getLong(6)));
                    }
                }
                return out;
            }
        });
    }

    /** Number of rows in the log (history plus live values); for diagnostics and tests. */
    public long rowCount() {
        return read("row count", c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM log")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        SQLException failure = null;
        Connection c;
        while ((c = idleReaders.poll()) != null) {
            failure = closeCollecting(c, failure);
        }
        try {
            insert.close();
        } catch (SQLException e) {
            failure = e;
        }
        failure = closeCollecting(writer, failure);
        if (failure != null) {
            throw new StoreException("closing store file " + file + " failed: " + failure.getMessage(), failure);
        }
    }

    private interface ReadWork<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(String what, ReadWork<T> work) {
        if (closed) {
            throw new StoreException("store file " + file + " is closed");
        }
        Connection c = idleReaders.poll();
        try {
            if (c == null) {
                SQLiteConfig config = new SQLiteConfig();
                config.setBusyTimeout(30_000);
                c = config.createConnection(url);
                c.setAutoCommit(false);
            }
            T result = work.run(c);
            c.commit(); // ends the read transaction, releasing its WAL snapshot
            release(c);
            return result;
        } catch (SQLException e) {
            if (c != null) {
                rollbackQuietly(c);
                release(c);
            }
            throw new StoreException(what + " failed in " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (c != null) {
                rollbackQuietly(c);
                release(c);
            }
            throw e;
        }
    }

    private void release(Connection c) {
        idleReaders.add(c);
        if (closed && idleReaders.remove(c)) {
            closeCollecting(c, null);
        }
    }

    private void requirePragma(Connection c, String pragma, String expected) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
            String actual = rs.next() ? rs.getString(1) : null;
            if (!expected.equalsIgnoreCase(actual)) {
                throw new SQLException("PRAGMA " + pragma + " is " + actual + ", need " + expected + " for " + file);
            }
        }
    }

    private static void checkCompacted(Connection c, long revision) throws SQLException {
        long compacted = readCompacted(c);
        if (compacted > 0 && revision <= compacted) {
            throw new CompactedException(revision, compacted);
        }
    }

    private static long readCompacted(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            ps.setString(1, COMPACTED);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static byte[] nonNull(byte[] bytes) {
        // SQLite hands back NULL for a zero-length BLOB through some paths; the store never writes NULL values
        return bytes == null ? new byte[0] : bytes;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the original failure is the one worth reporting
        }
    }

    private static SQLException closeCollecting(Connection c, SQLException failure) {
        try {
            c.close();
            return failure;
        } catch (SQLException e) {
            return failure == null ? e : failure;
        }
    }
}
