package io.atomic4j.mongodb.wire;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.Map;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * The slice of the query language this server understands: filters, sort, projection and the
 * BSON comparison order they rest on.
 *
 * <p>Filters: equality on fields (dotted paths walk into sub-documents and array indexes; an array
 * field matches when one element matches), {@code $eq $ne $gt $gte $lt $lte $in $nin $exists}, and
 * {@code $and $or $nor}. Anything else is refused with BadValue rather than silently mismatched.
 */
final class Queries {
    private Queries() {
    }

    static boolean matches(BsonDocument document, BsonDocument filter) throws CommandError {
        for (Map.Entry<String, BsonValue> clause : filter.entrySet()) {
            String key = clause.getKey();
            BsonValue condition = clause.getValue();
            switch (key) {
                case "$and":
                    for (BsonValue part : condition.asArray()) {
                        if (!matches(document, part.asDocument())) {
                            return false;
                        }
                    }
                    break;
                case "$or": {
                    boolean any = false;
                    for (BsonValue part : condition.asArray()) {
                        any |= matches(document, part.asDocument());
                    }
                    if (!any) {
                        return false;
                    }
                    break;
                }
                case "$nor":
                    for (BsonValue part : condition.asArray()) {
                        if (matches(document, part.asDocument())) {
                            return false;
                        }
                    }
                    break;
                default:
                    if (key.startsWith("$")) {
                        throw CommandError.badValue("unknown top level operator: " + key + " (not implemented by WireServer)");
                    }
                    if (!fieldMatches(get(document, key), condition)) {
                        return false;
                    }
            }
        }
        return true;
    }

    private static boolean fieldMatches(BsonValue actual, BsonValue condition) throws CommandError {
        if (!isOperatorDocument(condition)) {
            return equalsOrContains(actual, condition);
        }
        for (Map.Entry<String, BsonValue> operator : condition.asDocument().entrySet()) {
            BsonValue operand = operator.getValue();
            boolean holds;
            switch (operator.getKey()) {
                case "$eq": holds = equalsOrContains(actual, operand); break;
                case "$ne": holds = !equalsOrContains(actual, operand); break;
                case "$gt": holds = ordered(actual, operand, c -> c > 0); break;
                case "$gte": holds = ordered(actual, operand, c -> c >= 0); break;
                case "$lt": holds = ordered(actual, operand, c -> c < 0); break;
                case "$lte": holds = ordered(actual, operand, c -> c <= 0); break;
                case "$in": holds = in(actual, operand.asArray()); break;
                case "$nin": holds = !in(actual, operand.asArray()); break;
                case "$exists": holds = (actual != null) == truthy(operand); break;
                default:
                    throw CommandError.badValue("unknown operator: " + operator.getKey() + " (not implemented by WireServer)");
            }
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    static boolean isOperatorDocument(BsonValue value) {
        return value.isDocument() && !value.asDocument().isEmpty() && value.asDocument().getFirstKey().startsWith("$");
    }

    private static boolean in(BsonValue actual, BsonArray candidates) {
        for (BsonValue candidate : candidates) {
            if (equalsOrContains(actual, candidate)) {
                return true;
            }
        }
        return false;
    }

    private interface Comparison {
        boolean holds(int comparison);
    }

    /** $gt and friends compare only within one type bracket, as mongod does ({$gt: 5} never matches a string). */
    private static boolean ordered(BsonValue actual, BsonValue operand, Comparison comparison) {
        if (actual == null) {
            return false;
        }
        if (actual.isArray() && !operand.isArray()) {
            for (BsonValue element : actual.asArray()) {
                if (rank(element) == rank(operand) && comparison.holds(compare(element, operand))) {
                    return true;
                }
            }
            return false;
        }
        return rank(actual) == rank(operand) && comparison.holds(compare(actual, operand));
    }

    /** Equality as in a filter: null matches a missing field, and an array matches any of its elements. */
    static boolean equalsOrContains(BsonValue actual, BsonValue expected) {
        if (expected.isNull()) {
            return actual == null || actual.isNull();
        }
        if (actual == null) {
            return false;
        }
        if (valuesEqual(actual, expected)) {
            return true;
        }
        if (actual.isArray()) {
            for (BsonValue element : actual.asArray()) {
                if (valuesEqual(element, expected)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean valuesEqual(BsonValue a, BsonValue b) {
        return rank(a) == rank(b) && compare(a, b) == 0;
    }

    private static boolean truthy(BsonValue value) {
        if (value.isBoolean()) {
            return value.asBoolean().getValue();
        }
        if (value.isNumber()) {
            return value.asNumber().doubleValue() != 0;
        }
        return !value.isNull();
    }

    /** The value at a dotted path, or null when the path does not exist. */
    static BsonValue get(BsonDocument document, String path) {
        BsonValue current = document;
        for (String part : path.split("\\.")) {
            if (current.isDocument()) {
                current = current.asDocument().get(part);
            } else if (current.isArray() && part.chars().allMatch(Character::isDigit)) {
                BsonArray array = current.asArray();
                int index = Integer.parseInt(part);
                current = index < array.size() ? array.get(index) : null;
            } else {
                return null;
            }
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    static Comparator<BsonDocument> sort(BsonDocument specification) {
        Comparator<BsonDocument> comparator = (a, b) -> 0;
        for (Map.Entry<String, BsonValue> key : specification.entrySet()) {
            String path = key.getKey();
            int direction = key.getValue().isNumber() && key.getValue().asNumber().intValue() < 0 ? -1 : 1;
            comparator = comparator.thenComparing((a, b) -> direction * compare(orNull(get(a, path)), orNull(get(b, path))));
        }
        return comparator;
    }

    private static BsonValue orNull(BsonValue value) {
        return value == null ? org.bson.BsonNull.VALUE : value;
    }

    /**
     * Top-level projection: inclusion ({@code {a: 1}}, keeps {@code _id} unless {@code _id: 0}) or
     * exclusion ({@code {a: 0}}). Dotted paths and projection operators are not implemented.
     */
    static BsonDocument project(BsonDocument document, BsonDocument projection) {
        if (projection == null || projection.isEmpty()) {
            return document;
        }
        boolean inclusion = projection.entrySet().stream()
                .anyMatch(field -> !field.getKey().equals("_id") && truthy(field.getValue()));
        BsonDocument result = new BsonDocument();
        if (inclusion) {
            boolean keepId = !projection.containsKey("_id") || truthy(projection.get("_id"));
            for (Map.Entry<String, BsonValue> field : document.entrySet()) {
                String name = field.getKey();
                if (name.equals("_id") ? keepId : projection.containsKey(name) && truthy(projection.get(name))) {
                    result.append(name, field.getValue());
                }
            }
        } else {
            for (Map.Entry<String, BsonValue> field : document.entrySet()) {
                if (!projection.containsKey(field.getKey()) || truthy(projection.get(field.getKey()))) {
                    result.append(field.getKey(), field.getValue());
                }
            }
        }
        return result;
    }

    /** mongod's type brackets, in BSON comparison order. */
    static int rank(BsonValue value) {
        switch (value.getBsonType()) {
            case MIN_KEY: return 1;
            case UNDEFINED:
            case NULL: return 2;
            case INT32:
            case INT64:
            case DOUBLE:
            case DECIMAL128: return 3;
            case SYMBOL:
            case STRING: return 4;
            case DOCUMENT: return 5;
            case ARRAY: return 6;
            case BINARY: return 7;
            case OBJECT_ID: return 8;
            case BOOLEAN: return 9;
            case DATE_TIME: return 10;
            case TIMESTAMP: return 11;
            case REGULAR_EXPRESSION: return 12;
            case MAX_KEY: return 14;
            default: return 13;
        }
    }

    /** Total order over BSON values, close to mongod's (numbers compare across int/long/double/decimal). */
    static int compare(BsonValue a, BsonValue b) {
        int byRank = Integer.compare(rank(a), rank(b));
        if (byRank != 0) {
            return byRank;
        }
        switch (rank(a)) {
            case 3:
                return compareNumbers(a, b);
            case 4:
                return string(a).compareTo(string(b));
            case 5:
                return compareDocuments(a.asDocument(), b.asDocument());
            case 6:
                return compareArrays(a.asArray(), b.asArray());
            case 7:
                return compareBytes(a.asBinary().getData(), b.asBinary().getData());
            case 8:
                return a.asObjectId().getValue().compareTo(b.asObjectId().getValue());
            case 9:
                return Boolean.compare(a.asBoolean().getValue(), b.asBoolean().getValue());
            case 10:
                return Long.compare(a.asDateTime().getValue(), b.asDateTime().getValue());
            case 11:
                return a.asTimestamp().compareTo(b.asTimestamp());
            default:
                return a.toString().compareTo(b.toString());
        }
    }

    private static String string(BsonValue value) {
        return value.getBsonType() == BsonType.SYMBOL ? value.asSymbol().getSymbol() : value.asString().getValue();
    }

    private static int compareNumbers(BsonValue a, BsonValue b) {
        boolean integral = (a.isInt32() || a.isInt64()) && (b.isInt32() || b.isInt64());
        if (integral) {
            return Long.compare(a.asNumber().longValue(), b.asNumber().longValue());
        }
        if (a.isDecimal128() || b.isDecimal128()) {
            return decimal(a).compareTo(decimal(b));
        }
        return Double.compare(a.asNumber().doubleValue(), b.asNumber().doubleValue());
    }

    private static BigDecimal decimal(BsonValue value) {
        return value.isDecimal128() ? value.asDecimal128().getValue().bigDecimalValue()
                : value.isDouble() ? BigDecimal.valueOf(value.asDouble().getValue())
                : BigDecimal.valueOf(value.asNumber().longValue());
    }

    private static int compareDocuments(BsonDocument a, BsonDocument b) {
        var left = a.entrySet().iterator();
        var right = b.entrySet().iterator();
        while (left.hasNext() && right.hasNext()) {
            Map.Entry<String, BsonValue> x = left.next();
            Map.Entry<String, BsonValue> y = right.next();
            int c = Integer.compare(rank(x.getValue()), rank(y.getValue()));
            if (c == 0) {
                c = x.getKey().compareTo(y.getKey());
            }
            if (c == 0) {
                c = compare(x.getValue(), y.getValue());
            }
            if (c != 0) {
                return c;
            }
        }
        return Boolean.compare(left.hasNext(), right.hasNext());
    }

    private static int compareArrays(BsonArray a, BsonArray b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static int compareBytes(byte[] a, byte[] b) {
        int c = Integer.compare(a.length, b.length);
        for (int i = 0; c == 0 && i < a.length; i++) {
            c = Integer.compare(a[i] & 0xff, b[i] & 0xff);
        }
        return c;
    }
}
