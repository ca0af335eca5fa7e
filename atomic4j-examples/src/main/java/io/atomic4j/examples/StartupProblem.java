package io.atomic4j.examples;

import io.atomic4j.internal.errors.Urls;
import java.net.BindException;
import java.net.ConnectException;
import java.sql.SQLException;

/** Turns a failure to start the demo into one line that says what is wrong and what to do. */
final class StartupProblem {
    private StartupProblem() {
    }

    static String explain(Throwable failure, DemoConfig config) {
        if (failure instanceof IllegalArgumentException && config == null) {
            return failure.getMessage();   // DemoConfig's own message about an environment variable
        }
        String url = Urls.redact(config.jdbcUrl());
        if (find(failure, BindException.class) != null) {
            return "Port " + config.port() + " is already in use. Stop the program that uses it, or start the demo on "
                    + "another port: PORT=9090 ./demo (PORT=0 picks a free one).";
        }
        SQLException sql = find(failure, SQLException.class);
        String reason = Urls.scrub(deepestMessage(failure), config.password());
        if (sql != null && sql.getMessage() != null && sql.getMessage().contains("No suitable driver")) {
            return "No JDBC driver for DATABASE_URL " + url + ": the demo has the SQLite (jdbc:sqlite:), PostgreSQL "
                    + "(jdbc:postgresql:) and MariaDB (jdbc:mariadb:) drivers; check the URL's prefix.";
        }
        if (find(failure, ConnectException.class) != null
                || (sql != null && sql.getSQLState() != null && sql.getSQLState().startsWith("08"))) {
            return "Could not connect to the database at " + url + " (" + sentence(reason) + "). Is the server running "
                    + "and the URL right? Check DATABASE_URL, DATABASE_USER and DATABASE_PASSWORD.";
        }
        return "The demo could not start on " + url + ": " + sentence(reason) + ".";
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String deepestMessage(Throwable failure) {
        String message = String.valueOf(failure);
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }

    /** The text without a trailing period, so that it can be followed by one. */
    private static String sentence(String text) {
        String trimmed = text.trim();
        while (trimmed.endsWith(".")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.replace('\n', ' ');
    }
}
