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

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** The request body as a JSON object; a 400 in plain words if it is not one. */
    static ObjectNode body(HttpServletRequest request) throws IOException {
        try {
            var tree = MAPPER.readTree(request.getInputStream());
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
