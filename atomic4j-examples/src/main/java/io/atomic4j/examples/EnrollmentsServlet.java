package io.atomic4j.examples;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/** {@code GET /enrollments/{user}}: the user's enrollments and the state of each procedure. */
final class EnrollmentsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient ProcedureLists lists;

    EnrollmentsServlet(ProcedureLists lists) {
        this.lists = lists;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String[] path = Paths.segments(request);
        if (path.length != 1) {
            throw Paths.unknown(request);
        }
        List<ProcedureLists.UserEnrollment> enrollments = lists.enrollmentsOf(path[0]);
        Json.write(response, 200, Json.object()
                .put("message", path[0] + " has " + enrollments.size() + " enrollment(s).")
                .set("enrollments", Json.MAPPER.valueToTree(enrollments)));
    }
}
