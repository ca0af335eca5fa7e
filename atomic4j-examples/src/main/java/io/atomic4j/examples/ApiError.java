package io.atomic4j.examples;

/**
 * A client error (4xx) with a message in plain words. Thrown, so the per-request transaction
 * rolls back whatever the request had written; {@link ErrorResponseFilter} turns it into JSON.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    private ApiError(int status, String message) {
        super(message);
        this.status = status;
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, message);
    }

    static ApiError tooLarge(String message) {
        return new ApiError(413, message);
    }

    static ApiError conflict(String message) {
        return new ApiError(409, message);
    }
}
