package io.atomic4j.mongodb.wire;

import java.util.Map;

import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonObjectId;
import org.bson.BsonValue;

/**
 * Update documents: a replacement, or the operators {@code $set $unset $inc $setOnInsert} on
 * top-level or dotted paths (through sub-documents only). Pipeline updates and array operators
 * ({@code $push}, positional {@code $}) are refused.
 */
final class Updates {
    private Updates() {
    }

    /**
     * The document after {@code update}; {@code original} is not modified.
     *
     * @param inserting true for an upsert's insert, the only time {@code $setOnInsert} applies
     */
    static BsonDocument apply(BsonDocument original, BsonValue update, boolean inserting) throws CommandError {
        if (!update.isDocument()) {
            throw new CommandError(9, "pipeline-style updates are not implemented by WireServer");
        }
        BsonDocument specification = update.asDocument();
        BsonDocument result;
        if (!Queries.isOperatorDocument(specification)) {
            result = new BsonDocument();
            if (original.containsKey("_id")) {
                result.append("_id", original.get("_id"));
            }
            for (Map.Entry<String, BsonValue> field : specification.entrySet()) {
                if (!field.getKey().equals("_id") || !result.containsKey("_id")) {
                    result.put(field.getKey(), field.getValue());
                } else if (!Queries.valuesEqual(field.getValue(), result.get("_id"))) {
                    throw immutableId(result.get("_id"));
                }
            }
            return result;
        }
        result = original.clone();
        for (Map.Entry<String, BsonValue> operator : specification.entrySet()) {
            BsonDocument fields = operator.getValue().asDocument();
            for (Map.Entry<String, BsonValue> field : fields.entrySet()) {
                String path = field.getKey();
                BsonValue value = field.getValue();
                switch (operator.getKey()) {
                    case "$set":
                        set(result, path, value);
                        break;
                    case "$setOnInsert":
                        if (inserting) {
                            set(result, path, value);
                        }
                        break;
                    case "$unset":
                        unset(result, path);
                        break;
                    case "$inc":
                        set(result, path, add(Queries.get(result, path), value, path));
                        break;
                    default:
                        throw new CommandError(9, "Unknown modifier: " + operator.getKey()
                                + ". Expected a valid update modifier or pipeline-style update specified as an array"
                                + " (WireServer implements $set, $unset, $inc, $setOnInsert)");
                }
            }
        }
        if (original.containsKey("_id") && !Queries.valuesEqual(original.get("_id"), result.get("_id"))) {
            throw immutableId(original.get("_id"));
        }
        return result;
    }

    /** The document an upsert starts from: the filter's equality conditions, _id first. */
    static BsonDocument upsertSeed(BsonDocument filter) {
        BsonDocument seed = new BsonDocument();
        collectEqualities(filter, seed);
        if (!seed.containsKey("_id")) {
            seed.put("_id", new BsonObjectId());
        }
        return withIdFirst(seed);
    }

    static BsonDocument withIdFirst(BsonDocument document) {
        if (document.isEmpty() || document.getFirstKey().equals("_id") || !document.containsKey("_id")) {
            return document;
        }
        BsonDocument ordered = new BsonDocument("_id", document.get("_id"));
        document.forEach((key, value) -> {
            if (!key.equals("_id")) {
                ordered.append(key, value);
            }
        });
        return ordered;
    }

    private static void collectEqualities(BsonDocument filter, BsonDocument seed) {
        for (Map.Entry<String, BsonValue> clause : filter.entrySet()) {
            String key = clause.getKey();
            BsonValue condition = clause.getValue();
            if (key.equals("$and")) {
                condition.asArray().forEach(part -> collectEqualities(part.asDocument(), seed));
            } else if (!key.startsWith("$")) {
                if (!Queries.isOperatorDocument(condition)) {
                    set(seed, key, condition);
                } else if (condition.asDocument().containsKey("$eq")) {
                    set(seed, key, condition.asDocument().get("$eq"));
                }
            }
        }
    }

    private static CommandError immutableId(BsonValue id) {
        return new CommandError(66, "Performing an update on the path '_id' would modify the immutable field '_id' (was " + id + ")");
    }

    private static void set(BsonDocument document, String path, BsonValue value) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            document.put(path, value);
            return;
        }
        String head = path.substring(0, dot);
        BsonValue child = document.get(head);
        if (child == null || !child.isDocument()) {
            child = new BsonDocument();
            document.put(head, child);
        }
        set(child.asDocument(), path.substring(dot + 1), value);
    }

    private static void unset(BsonDocument document, String path) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            document.remove(path);
            return;
        }
        BsonValue child = document.get(path.substring(0, dot));
        if (child != null && child.isDocument()) {
            unset(child.asDocument(), path.substring(dot + 1));
        }
    }

    private static BsonValue add(BsonValue current, BsonValue increment, String path) throws CommandError {
        if (!increment.isNumber()) {
            throw new CommandError(14, "Cannot increment with non-numeric argument: {" + path + ": " + increment + "}");
        }
        if (current == null) {
            return increment;
        }
        if (!current.isNumber()) {
            throw new CommandError(14, "Cannot apply $inc to a value of non-numeric type. {_id: ...} has the field '"
                    + path + "' of non-numeric type " + current.getBsonType());
        }
        if (current.isDouble() || increment.isDouble()) {
            return new BsonDouble(current.asNumber().doubleValue() + increment.asNumber().doubleValue());
        }
        long sum = Math.addExact(current.asNumber().longValue(), increment.asNumber().longValue());
        if (current.isInt32() && increment.isInt32() && sum == (int) sum) {
            return new BsonInt32((int) sum);
        }
        return new BsonInt64(sum);
    }
}
