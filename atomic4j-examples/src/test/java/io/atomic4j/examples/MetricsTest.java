package io.atomic4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.atomic4j.testing.TestDatabase;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} in the Prometheus text format, and the index page's live chart in a real
 * headless Chromium (skipped where {@code chromium} is not installed: {@code apt-get install chromium}).
 */
class MetricsTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Pattern POINT = Pattern.compile("-?[0-9.]+,-?[0-9.]+");
    private static final int COMMIT_COLOR = 0x2a9d38;
    private static final int ROLLBACK_COLOR = 0xd62828;

    private final HttpClient client = HttpClient.newHttpClient();
    private DemoService service;
    private int enrolled;

    @TempDir
    Path temp;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private void start() throws Exception {
        String url = TestDatabase.SQLITE.newDatabaseUrl("metrics");
        service = DemoService.start(new DemoConfig(url, null, null, 0));
    }

    private int post(String path, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(service.uri().resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void enroll() throws IOException, InterruptedException {
        assertThat(post("/procedure-lists/1/enrollments", "{\"user\": \"user" + ++enrolled + "\"}")).isEqualTo(201);
    }

    /** The database fails the enrollment's third statement: the request's transaction rolls back. */
    private void failEnrollment() throws IOException, InterruptedException {
        assertThat(post("/faults", "{\"failAfterStatements\": 2}")).isEqualTo(200);
        assertThat(post("/procedure-lists/1/enrollments", "{\"user\": \"failing" + ++enrolled + "\"}")).isEqualTo(503);
    }

    private String metrics() throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(service.uri().resolve("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        return response.body();
    }

    private static double sample(String text, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*" + Pattern.quote(label) + "[^}]*\\} (\\S+)$").matcher(text);
        assertThat(m.find()).as(name + " with " + label + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void metricsCountTheRequestsTransactions() throws Exception {
        start();
        String before = metrics();
        double committed = sample(before, "atomic4j_transactions_seconds_count", "outcome=\"committed\"");
        double rolledBack = sample(before, "atomic4j_transactions_seconds_count", "outcome=\"rolled_back\"");
        for (int i = 0; i < 3; i++) {
            enroll();
        }
        failEnrollment();
        failEnrollment();

        String after = metrics();
        // The outbox's poller commits transactions of its own meanwhile: at least the three.
        assertThat(sample(after, "atomic4j_transactions_seconds_count", "outcome=\"committed\"") - committed).isGreaterThanOrEqualTo(3);
        assertThat(sample(after, "atomic4j_transactions_seconds_count", "outcome=\"rolled_back\"") - rolledBack).isEqualTo(2);
        assertThat(after).contains("# TYPE atomic4j_retries_total counter", "atomic4j_transactions_open{",
                "atomic4j_transaction_statements_count{", "atomic4j_commit_outcome_unknown_total{");
    }

    @Test
    void theIndexPageChartsCommitsRollbacksAndRetriesInAHeadlessBrowser() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM
                + " (Debian: apt-get install -y chromium): the browser check of the chart is skipped");
        start();
        enroll();
        failEnrollment();
        // Traffic while the browser polls, so the chart has rates to draw.
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            try {
                while (!stop.get()) {
                    enroll();
                    failEnrollment();
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            String dom = chromium(service.uri(), "--dump-dom");
            Matcher polls = Pattern.compile("data-polls=\"(\\d+)\"").matcher(dom);
            assertThat(polls.find()).as("the chart's poll count in\n" + dom).isTrue();
            assertThat(Integer.parseInt(polls.group(1))).as("polls of /metrics").isGreaterThanOrEqualTo(2);
            for (String line : List.of("commits", "rollbacks", "retries")) {
                assertThat(points(dom, line)).as("points of the " + line + " line").isGreaterThanOrEqualTo(2);
            }
            assertThat(total(dom, "rollbacks")).as("rollbacks the page shows").isGreaterThanOrEqualTo(1);
            assertThat(total(dom, "commits")).as("commits the page shows").isGreaterThanOrEqualTo(1);

            Path png = Path.of("target", "dashboard.png").toAbsolutePath();
            Files.deleteIfExists(png);
            chromium(service.uri(), "--screenshot=" + png, "--window-size=800,600");
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as("screenshot " + png).isNotNull();
            // The legend's swatch has some 80 pixels of each colour; a drawn line has several hundred.
            assertThat(pixels(image, COMMIT_COLOR)).as("green (commits) pixels in " + png).isGreaterThan(300);
            assertThat(pixels(image, ROLLBACK_COLOR)).as("red (rollbacks) pixels in " + png).isGreaterThan(300);
        } finally {
            stop.set(true);
            traffic.get(60, TimeUnit.SECONDS);   // a failure of the traffic thread fails the test
        }
    }

    private String chromium(URI uri, String... output) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(temp, "chromium"),
                // Timers run in virtual time: the page polls several times before the DOM or screenshot is taken.
                "--virtual-time-budget=5000"));
        command.addAll(List.of(output));
        command.add(uri.toString());
        Path out = Files.createTempFile(temp, "chromium", ".out");
        Path err = Files.createTempFile(temp, "chromium", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + Files.readString(err));
        }
        assertThat(process.exitValue()).as("chromium's exit code; stderr:\n" + Files.readString(err)).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static int points(String dom, String line) {
        Matcher m = Pattern.compile("id=\"line-" + line + "\"[^>]*points=\"([^\"]*)\"").matcher(dom);
        assertThat(m.find()).as("polyline line-" + line + " in\n" + dom).isTrue();
        Matcher point = POINT.matcher(m.group(1));
        int count = 0;
        while (point.find()) {
            count++;
        }
        return count;
    }

    private static double total(String dom, String series) {
        Matcher m = Pattern.compile("id=\"total-" + series + "\">([0-9.]+)<").matcher(dom);
        assertThat(m.find()).as("total-" + series + " in\n" + dom).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static int pixels(BufferedImage image, int rgb) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    count++;
                }
            }
        }
        return count;
    }
}
