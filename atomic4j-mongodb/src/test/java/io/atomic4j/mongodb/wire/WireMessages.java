package io.atomic4j.mongodb.wire;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.bson.BsonArray;
import org.bson.BsonBinaryReader;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;

/**
 * Framing of the three message kinds the driver uses with a server of wire version 6 or later:
 * OP_MSG both ways, and the legacy OP_QUERY / OP_REPLY pair for the first {@code isMaster} of each
 * connection. Little-endian, as the wire protocol is.
 */
final class WireMessages {
    static final int OP_REPLY = 1;
    static final int OP_QUERY = 2004;
    static final int OP_MSG = 2013;

    /** OP_MSG flag bits. */
    private static final int CHECKSUM_PRESENT = 1;
    private static final int MORE_TO_COME = 1 << 1;

    private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();

    private WireMessages() {
    }

    /**
     * One request. {@code command} already carries the OP_MSG document sequences (kind 1 sections)
     * as arrays under their identifiers, and {@code $db} for OP_QUERY, so it reads like mongod's
     * parsed command.
     */
    record Request(int requestId, int opCode, int flags, BsonDocument command) {
        /** OP_MSG moreToCome: the client expects no reply (unacknowledged write). */
        boolean expectsReply() {
            return opCode != OP_MSG || (flags & MORE_TO_COME) == 0;
        }

        String commandName() {
            return command.isEmpty() ? "" : command.getFirstKey();
        }
    }

    /** Reads the next message, or returns null when the client closed the connection cleanly. */
    static Request read(InputStream input) throws IOException {
        DataInputStream data = new DataInputStream(input);
        byte[] lengthBytes = new byte[4];
        int first = data.read();
        if (first < 0) {
            return null;
        }
        lengthBytes[0] = (byte) first;
        data.readFully(lengthBytes, 1, 3);
        int length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (length < 16 || length > 48_000_000) {
            throw new IOException("bad message length " + length);
        }
        byte[] message = new byte[length];
        System.arraycopy(lengthBytes, 0, message, 0, 4);
        data.readFully(message, 4, length - 4);
        ByteBuffer buffer = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(4);
        int requestId = buffer.getInt();
        buffer.getInt(); // responseTo
        int opCode = buffer.getInt();
        switch (opCode) {
            case OP_MSG:
                return readOpMsg(requestId, buffer);
            case OP_QUERY:
                return readOpQuery(requestId, buffer);
            default:
                throw new IOException("unsupported opCode " + opCode + " (this server speaks OP_MSG and OP_QUERY only)");
        }
    }

    private static Request readOpMsg(int requestId, ByteBuffer buffer) throws IOException {
        int flags = buffer.getInt();
        int end = buffer.limit() - ((flags & CHECKSUM_PRESENT) != 0 ? 4 : 0);
        BsonDocument body = null;
        BsonDocument sequences = new BsonDocument();
        while (buffer.position() < end) {
            byte kind = buffer.get();
            if (kind == 0) {
                body = readDocument(buffer);
            } else if (kind == 1) {
                int sectionStart = buffer.position();
                int sectionEnd = sectionStart + buffer.getInt();
                String identifier = readCString(buffer);
                BsonArray documents = new BsonArray();
                while (buffer.position() < sectionEnd) {
                    documents.add(readDocument(buffer));
                }
                sequences.append(identifier, documents);
            } else {
                throw new IOException("unsupported OP_MSG section kind " + kind);
            }
        }
        if (body == null) {
            throw new IOException("OP_MSG without a body section");
        }
        body.putAll(sequences);
        return new Request(requestId, OP_MSG, flags, body);
    }

    private static Request readOpQuery(int requestId, ByteBuffer buffer) {
        int flags = buffer.getInt();
        String fullCollectionName = readCString(buffer);
        buffer.getInt(); // numberToSkip
        buffer.getInt(); // numberToReturn
        BsonDocument query = readDocument(buffer);
        // A read preference wraps the command as {$query: {...}, $readPreference: ...}.
        BsonDocument command = query.isDocument("$query") ? query.getDocument("$query") : query;
        if (!command.containsKey("$db")) {
            command.append("$db", new BsonString(fullCollectionName.substring(0, fullCollectionName.indexOf('.'))));
        }
        return new Request(requestId, OP_QUERY, flags, command);
    }

    /** The reply to {@code request}, in the matching message kind (OP_REPLY for OP_QUERY). */
    static byte[] reply(Request request, int replyId, BsonDocument body) {
        byte[] document = encode(body);
        boolean legacy = request.opCode() == OP_QUERY;
        int length = 16 + (legacy ? 20 : 5) + document.length;
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(length).putInt(replyId).putInt(request.requestId()).putInt(legacy ? OP_REPLY : OP_MSG);
        if (legacy) {
            buffer.putInt(8);   // responseFlags: AwaitCapable
            buffer.putLong(0);  // cursorID
            buffer.putInt(0);   // startingFrom
            buffer.putInt(1);   // numberReturned
        } else {
            buffer.putInt(0);   // flagBits
            buffer.put((byte) 0);
        }
        buffer.put(document);
        return buffer.array();
    }

    static byte[] encode(BsonDocument document) {
        BasicOutputBuffer output = new BasicOutputBuffer();
        try (BsonBinaryWriter writer = new BsonBinaryWriter(output)) {
            CODEC.encode(writer, document, EncoderContext.builder().build());
        }
        return output.toByteArray();
    }

    private static BsonDocument readDocument(ByteBuffer buffer) {
        int start = buffer.position();
        int size = buffer.getInt(start);
        ByteBuffer slice = ByteBuffer.wrap(buffer.array(), start, size).slice().order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(start + size);
        try (BsonBinaryReader reader = new BsonBinaryReader(slice)) {
            return CODEC.decode(reader, DecoderContext.builder().build());
        }
    }

    private static String readCString(ByteBuffer buffer) {
        int start = buffer.position();
        while (buffer.get() != 0) {
            // scan to the terminating NUL
        }
        return new String(buffer.array(), start, buffer.position() - start - 1, StandardCharsets.UTF_8);
    }
}
