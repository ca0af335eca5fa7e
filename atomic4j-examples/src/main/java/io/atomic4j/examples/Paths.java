package io.atomic4j.examples;

import jakarta.servlet.http.HttpServletRequest;

/** The path segments after a servlet's mapping ("/procedure-lists/1/enrollments" gives ["1", "enrollments"]). */
final class Paths {
    private Paths() {
    }

    static String[] segments(HttpServletRequest request) {
        String info = request.getPathInfo();
        if (info == null || info.equals("/")) {
            return new String[0];
        }
        return info.substring(1).split("/");
    }

    static long id(String segment) {
        try {
            return Long.parseLong(segment);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("'" + segment + "' is not an id; ids are numbers, as in /procedure-lists/1.");
        }
    }

    static ApiError unknown(HttpServletRequest request) {
        return ApiError.notFound("Nothing at " + request.getMethod() + " " + request.getRequestURI()
                + ". GET / lists the endpoints.");
    }
}
