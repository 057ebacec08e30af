package io.svcnet.store.sqlite.internal;

import io.svcnet.store.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS lock on {@code <store file>.lock}, held while a store is open, so a second process (or a second
 * store in this one) can never write the same file: the store keeps its revision counter in memory and would hand
 * out revisions the other writer already used. The OS releases the lock when the process dies, even by
 * {@code kill -9}.
 */
public final class OwnerLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private OwnerLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static OwnerLock acquire(Path storeFile) {
        Path lockFile = storeFile.resolveSibling(storeFile.getFileName() + ".lock");
        FileChannel ch = null;
        try {
            if (storeFile.toAbsolutePath().getParent() != null) {
                Files.createDirectories(storeFile.toAbsolutePath().getParent());
            }
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                throw new StoreException("store " + storeFile + " is in use by another process (lock " + lockFile + " is held)");
            }
            return new OwnerLock(ch, l);
        } catch (OverlappingFileLockException e) {
            closeQuietly(ch);
            throw new StoreException("store " + storeFile + " is already open in this process");
        } catch (IOException e) {
            closeQuietly(ch);
            throw new StoreException("cannot lock store " + storeFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel close below releases it too
        }
        closeQuietly(channel);
    }
}
