package io.atomic4j.internal.errors;

import java.util.regex.Pattern;

/** Makes JDBC URLs safe to print: passwords in query parameters or user-info are replaced by ***. */
public final class Urls {
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)(password|pwd|passwd)=[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("//([^/@:]*):[^/@]*@");

    private Urls() {
    }

    /** {@code text} (a driver's message) with URL passwords masked and {@code password}, if known, replaced by ***. */
    public static String scrub(String text, String password) {
        if (text == null) {
            return null;
        }
        String scrubbed = redact(text);
        return password == null || password.isEmpty() ? scrubbed : scrubbed.replace(password, "***");
    }

    public static String redact(String jdbcUrl) {
        String url = PASSWORD_PARAMETER.matcher(jdbcUrl).replaceAll("$1=***");
        return USER_INFO.matcher(url).replaceAll("//$1:***@");
    }
}
