package io.atomic4j.internal.errors;

import java.util.regex.Pattern;

/**
 * Makes JDBC URLs safe to print. Masked forms, each tested (UrlsTest): a {@code password}/{@code pwd}/
 * {@code passwd} query parameter up to the next {@code &} (so {@code ;} and {@code /} inside the
 * value are masked too); the same as a {@code ;}-separated property (H2, SQL Server) up to the next
 * {@code ;}; user-info {@code //user:password@} up to the last {@code @} (a {@code /} or {@code :}
 * in the password included); and the {@code user/password@} form of Oracle-style URLs.
 * Masking errs on the side of hiding too much.
 */
public final class Urls {
    private static final Pattern QUERY_PASSWORD = Pattern.compile("(?i)([?&](?:password|pwd|passwd)=)[^&]*");
    private static final Pattern PROPERTY_PASSWORD = Pattern.compile("(?i)(;\\s*(?:password|pwd|passwd)\\s*=)[^;]*");
    private static final Pattern USER_INFO = Pattern.compile("//([^/@:\\s]*):[^\\s]*@");
    private static final Pattern SLASH_FORM = Pattern.compile("(?<=:)([A-Za-z_][\\w$#.]*)/[^@\\s]+@");

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
        String url = QUERY_PASSWORD.matcher(jdbcUrl).replaceAll("$1***");
        url = PROPERTY_PASSWORD.matcher(url).replaceAll("$1***");
        url = USER_INFO.matcher(url).replaceAll("//$1:***@");
        return SLASH_FORM.matcher(url).replaceAll("$1/***@");
    }
}
