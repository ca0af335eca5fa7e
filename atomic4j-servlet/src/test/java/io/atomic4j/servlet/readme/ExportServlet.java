package io.atomic4j.servlet.readme;

// README example, section "Per-request transactions (atomic4j-servlet)" > "Streaming": kept
// here so that it compiles as printed. Keep both in step.

import io.atomic4j.Database;
import io.atomic4j.servlet.NonAtomicRequests;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

@NonAtomicRequests      // no per-request transaction, so nothing is held: this servlet streams
public final class ExportServlet extends HttpServlet {
    private final transient Database db;

    public ExportServlet(Database db) {
        this.db = db;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            // 1. Write what must be saved, and commit it, before the first byte leaves.
            db.atomic(() -> {
                try (Connection connection = db.connection();
                     PreparedStatement audit = connection.prepareStatement(
                             "INSERT INTO export_log (requested_by) VALUES (?)")) {
                    audit.setString(1, request.getRemoteUser());
                    audit.executeUpdate();
                }
            });
            // 2. Then stream, flushing as it goes; a failure from here on cannot undo step 1.
            response.setContentType("text/csv;charset=UTF-8");
            PrintWriter out = response.getWriter();
            try (Connection connection = db.connection();
                 PreparedStatement query = connection.prepareStatement("SELECT id, name FROM item ORDER BY id");
                 ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    out.println(rows.getLong(1) + "," + rows.getString(2));
                    if (rows.getRow() % 1000 == 0) {
                        out.flush();
                    }
                }
            }
        } catch (SQLException e) {
            throw new IOException("export failed", e);
        }
    }
}
