package io.atomic4j.examples;

import java.io.PrintStream;

/**
 * {@code java -jar atomic4j-examples.jar} starts the demo service; {@code ... tour} runs every
 * scenario against a throw-away SQLite database and prints what happened. The {@code ./demo}
 * script at the repository root builds the jar and runs it.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("tour")) {
            Tour.quietServiceLog();
            System.exit(Tour.run(System.out) ? 0 : 1);
        }
        if (args.length > 0) {
            System.err.println("Usage: java -jar atomic4j-examples.jar [tour]\n"
                    + "  (no argument)  start the service; DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD, PORT\n"
                    + "  tour           run every scenario on a throw-away SQLite database and print what happened");
            System.exit(2);
        }
        DemoConfig config;
        DemoService service;
        try {
            config = DemoConfig.fromEnvironment();
        } catch (IllegalArgumentException e) {
            System.err.println(StartupProblem.explain(e, null));
            System.exit(2);
            return;
        }
        try {
            service = DemoService.start(config);
        } catch (Exception e) {
            System.err.println(StartupProblem.explain(e, config));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "demo-shutdown"));
        printBanner(System.out, service, config);
        service.join();
    }

    static void printBanner(PrintStream out, DemoService service, DemoConfig config) {
        String base = "localhost:" + service.uri().getPort();
        out.println();
        out.println("atomic4j demo service on " + service.uri());
        out.println("  database: " + config.displayUrl() + " (every request runs in one transaction)");
        out.println();
        out.println("Try:");
        out.println("  curl -s " + base + "/procedure-lists");
        out.println("  curl -s -X POST " + base + "/procedure-lists/1/enrollments -d '{\"user\": \"alice\"}'");
        out.println("  curl -s " + base + "/enrollments/alice");
        out.println("  curl -s -X POST " + base + "/faults -d '{\"failAfterStatements\": 2}'");
        out.println("  curl -s -X POST " + base + "/procedure-lists/1/enrollments -d '{\"user\": \"bob\"}'");
        out.println("  curl -s -X POST " + base + "/registrations -d '{\"email\": \"erin@example.com\", \"name\": \"Erin\"}'");
        out.println("  curl -s " + base + "/outbox");
        out.println("  curl -s " + base + "/tables");
        out.println();
        out.println("Everything: curl -s " + base + "/   Walk-through: README.md (The demo service)   Stop: Ctrl-C");
    }
}
