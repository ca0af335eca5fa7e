package io.atomic4j.mongodb.wire;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * A fault to inject into the next commands of the given names, modelled on mongod's
 * {@code failCommand} fail point (which {@link WireServer} also accepts over the wire as
 * {@code configureFailPoint}, so the same fault can be set on a real test server).
 *
 * <pre>{@code
 * server.configureFailPoint(FailPoint.failCommand("insert").errorCode(112).errorLabels("TransientTransactionError"));
 * server.configureFailPoint(FailPoint.failCommand("commitTransaction").times(2).closeConnectionAfterApplying());
 * }</pre>
 *
 * <p>A builder: each method changes this object and returns it; the server keeps its own copy.
 * Not thread-safe; build it on the test thread.
 */
public final class FailPoint {
    private final Set<String> commandNames = new LinkedHashSet<>();
    private int times = 1;
    private Integer errorCode;
    private String errorMessage;
    private List<String> errorLabels;
    private boolean closeConnection;
    private boolean afterApplying;

    private FailPoint(String... commandNames) {
        this.commandNames.addAll(List.of(commandNames));
    }

    /** A fault on these commands (the first key of the command document, e.g. "insert", "commitTransaction"). */
    public static FailPoint failCommand(String... commandNames) {
        if (commandNames.length == 0) {
            throw new IllegalArgumentException("name at least one command");
        }
        return new FailPoint(commandNames);
    }

    /** Fires on the next {@code n} matching commands, then switches itself off (default 1). */
    public FailPoint times(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("times must be at least 1, was " + n);
        }
        this.times = n;
        return this;
    }

    /** Fires on every matching command until {@link WireServer#clearFailPoints()}. */
    public FailPoint alwaysOn() {
        this.times = Integer.MAX_VALUE;
        return this;
    }

    /** Fail the command with this server error code instead of running it. */
    public FailPoint errorCode(int code) {
        this.errorCode = code;
        return this;
    }

    public FailPoint errorMessage(String message) {
        this.errorMessage = message;
        return this;
    }

    /**
     * The exact labels of the injected error (mongod's {@code errorLabels}). Without this call the
     * server attaches the labels it would attach to a real error of that code
     * (TransientTransactionError, RetryableWriteError).
     */
    public FailPoint errorLabels(String... labels) {
        this.errorLabels = List.of(labels);
        return this;
    }

    /** Close the client's connection when the command arrives, before it takes effect (mongod's closeConnection). */
    public FailPoint closeConnection() {
        this.closeConnection = true;
        this.afterApplying = false;
        return this;
    }

    /**
     * Beyond mongod's fail point: run the command (it takes effect, e.g. the transaction commits),
     * then close the connection instead of replying, so the client cannot know the outcome.
     */
    public FailPoint closeConnectionAfterApplying() {
        this.closeConnection = true;
        this.afterApplying = true;
        return this;
    }

    /** Reads the {@code data} and {@code mode} of a {@code {configureFailPoint: "failCommand", ...}} command. */
    static FailPoint fromCommand(BsonDocument command) throws CommandError {
        BsonDocument data = command.getDocument("data", new BsonDocument());
        List<String> names = new ArrayList<>();
        for (BsonValue name : data.getArray("failCommands", new BsonArray())) {
            names.add(name.asString().getValue());
        }
        if (names.isEmpty()) {
            throw CommandError.badValue("failCommand requires data.failCommands");
        }
        FailPoint failPoint = failCommand(names.toArray(String[]::new));
        BsonValue mode = command.get("mode");
        if (mode != null && mode.isDocument() && mode.asDocument().containsKey("times")) {
            failPoint.times(mode.asDocument().getNumber("times").intValue());
        } else if (mode != null && mode.isString() && mode.asString().getValue().equals("alwaysOn")) {
            failPoint.alwaysOn();
        }
        if (data.containsKey("errorCode")) {
            failPoint.errorCode(data.getNumber("errorCode").intValue());
        }
        if (data.containsKey("errorLabels")) {
            failPoint.errorLabels(data.getArray("errorLabels").stream().map(label -> label.asString().getValue())
                    .toArray(String[]::new));
        }
        if (data.getBoolean("closeConnection", BsonBoolean.FALSE).getValue()) {
            failPoint.closeConnection();
        }
        return failPoint;
    }

    /**
     * The {@code configureFailPoint} command for this fault, to run against {@code admin} on a real
     * server started with {@code --setParameter enableTestCommands=1} (or on this one).
     *
     * @throws IllegalStateException for {@link #closeConnectionAfterApplying()}, which mongod lacks
     */
    public BsonDocument toCommand() {
        if (afterApplying) {
            throw new IllegalStateException("closeConnectionAfterApplying() exists only in WireServer; "
                    + "use WireServer.configureFailPoint(...)");
        }
        BsonDocument data = new BsonDocument("failCommands", new BsonArray(commandNames.stream()
                .map(name -> (BsonValue) new BsonString(name)).toList()));
        if (errorCode != null) {
            data.append("errorCode", new BsonInt32(errorCode));
        }
        if (errorLabels != null) {
            data.append("errorLabels", new BsonArray(errorLabels.stream().map(label -> (BsonValue) new BsonString(label)).toList()));
        }
        if (closeConnection) {
            data.append("closeConnection", BsonBoolean.TRUE);
        }
        BsonValue mode = times == Integer.MAX_VALUE ? new BsonString("alwaysOn") : new BsonDocument("times", new BsonInt32(times));
        return new BsonDocument("configureFailPoint", new BsonString("failCommand")).append("mode", mode).append("data", data);
    }

    /** The command that switches every failCommand fail point off. */
    public static BsonDocument offCommand() {
        return new BsonDocument("configureFailPoint", new BsonString("failCommand")).append("mode", new BsonString("off"));
    }

    FailPoint copy() {
        FailPoint copy = new FailPoint(commandNames.toArray(String[]::new));
        copy.times = times;
        copy.errorCode = errorCode;
        copy.errorMessage = errorMessage;
        copy.errorLabels = errorLabels;
        copy.closeConnection = closeConnection;
        copy.afterApplying = afterApplying;
        return copy;
    }

    boolean matches(String commandName) {
        return times > 0 && commandNames.contains(commandName);
    }

    /** Counts one firing; returns false once it has fired {@code times} times. */
    boolean fire() {
        if (times == Integer.MAX_VALUE) {
            return true;
        }
        return times-- > 0;
    }

    boolean closesBeforeApplying() {
        return closeConnection && !afterApplying;
    }

    boolean closesAfterApplying() {
        return closeConnection && afterApplying;
    }

    /** The error to reply with, or null when this fail point only closes the connection. */
    CommandError error(String commandName) {
        if (errorCode == null) {
            return null;
        }
        String message = errorMessage != null ? errorMessage
                : "Failing command " + commandName + " via 'failCommand' failpoint";
        CommandError error = new CommandError(errorCode, message);
        if (errorLabels != null) {
            error.exactLabels(errorLabels);
        }
        return error;
    }

    @Override
    public String toString() {
        return "FailPoint" + commandNames + "{times=" + (times == Integer.MAX_VALUE ? "always" : times)
                + (errorCode != null ? ", errorCode=" + errorCode : "")
                + (errorLabels != null ? ", errorLabels=" + errorLabels : "")
                + (closeConnection ? (afterApplying ? ", closeConnectionAfterApplying" : ", closeConnection") : "") + "}";
    }
}
