package io.atomic4j.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** JSON in and out, pretty-printed for curl. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    /** The largest request body the demo reads (its bodies are a few dozen bytes). */
    static final int MAX_BODY_BYTES = 64 * 1024;

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** The request body as a JSON object; a 400 in plain words if it is not one. */
    static ObjectNode body(HttpServletRequest request) throws IOException {
        byte[] bytes = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
            throw ApiError.tooLarge("The request body is larger than " + MAX_BODY_BYTES / 1024 + " KiB; the demo's "
                    + "requests are small JSON objects, for example {\"user\": \"alice\"}.");
        }
        try {
            var tree = MAPPER.readTree(bytes);
            if (tree == null || !tree.isObject()) {
                throw ApiError.badRequest("The request body must be a JSON object, for example {\"user\": \"alice\"}.");
            }
            return (ObjectNode) tree;
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** A required text field of {@code body}. */
    static String text(ObjectNode body, String field, String example) {
        var value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw ApiError.badRequest("The body needs the text field \"" + field + "\", for example " + example + ".");
        }
        return value.asText().trim();
    }

    static void write(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        // Into the response buffer, without closing the writer: closing would send the response
        // before the per-request transaction has committed.
        response.getWriter().write(MAPPER.writeValueAsString(body) + "\n");
    }
}
