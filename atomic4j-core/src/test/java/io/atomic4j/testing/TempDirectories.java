package io.atomic4j.testing;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Deletes the test databases' temporary directories when the JVM exits. */
final class TempDirectories {
    private TempDirectories() {
    }

    /**
     * Registers a shutdown hook that first runs {@code stop} (a server that still uses the
     * directory; may be null), then deletes {@code directory} and everything in it.
     */
    static void deleteOnExit(Path directory, Runnable stop) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (stop != null) {
                    stop.run();
                }
            } finally {
                deleteQuietly(directory);
            }
        }, "atomic4j-test-cleanup-" + directory.getFileName()));
    }

    static void deleteQuietly(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // Best effort at exit: a leftover directory in the temp folder harms nothing.
        }
    }
}
