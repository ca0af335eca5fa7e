package io.atomic4j.mongodb;

import com.mongodb.MongoException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.TransactionState;
import io.atomic4j.internal.errors.Messages;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/**
 * The session-bound views of {@link MongoAtomic}: proxies of the driver's {@link MongoDatabase}
 * and {@link MongoCollection} whose calls, inside a block, go to the overload that takes a
 * {@link ClientSession} first, with the block's session; outside a block they go unchanged.
 *
 * <p>The overloads are paired once per interface when this class loads, so a call costs a map
 * lookup and a reflective invoke, next to a network round trip. Views returned by the views
 * ({@code getCollection}, {@code withReadConcern}, ...) are views too, and the iterables and cursors
 * they return report driver errors to the engine. Every driver error inside a block goes through
 * {@link #failed}, the one place it is interpreted.
 */
final class SessionBinding {
    private static final Map<Method, Method> COLLECTION_TWINS = twins(MongoCollection.class);
    private static final Map<Method, Method> DATABASE_TWINS = twins(MongoDatabase.class);

    private final AtomicBlocks blocks;
    private final String alias;

    SessionBinding(AtomicBlocks blocks) {
        this.blocks = blocks;
        this.alias = blocks.alias();
    }

    /** For each method without a leading ClientSession, its overload with one, where the driver has it. */
    private static Map<Method, Method> twins(Class<?> api) {
        Map<Method, Method> twins = new HashMap<>();
        for (Method method : api.getMethods()) {
            Class<?>[] parameters = method.getParameterTypes();
            if (parameters.length > 0 && parameters[0] == ClientSession.class) {
                continue;
            }
            Class<?>[] withSession = new Class<?>[parameters.length + 1];
            withSession[0] = ClientSession.class;
            System.arraycopy(parameters, 0, withSession, 1, parameters.length);
            try {
                twins.put(method, api.getMethod(method.getName(), withSession));
            } catch (NoSuchMethodException e) {
                // no session overload (getNamespace, withReadConcern, ...): always called as is
            }
        }
        return Map.copyOf(twins);
    }

    <T> MongoCollection<T> collection(MongoCollection<T> delegate) {
        if (Proxy.isProxyClass(delegate.getClass()) && Proxy.getInvocationHandler(delegate) instanceof View) {
            return delegate;
        }
        @SuppressWarnings("unchecked")
        MongoCollection<T> view = (MongoCollection<T>) proxy(MongoCollection.class, new View(delegate, COLLECTION_TWINS));
        return view;
    }

    MongoDatabase database(MongoDatabase delegate) {
        if (Proxy.isProxyClass(delegate.getClass()) && Proxy.getInvocationHandler(delegate) instanceof View) {
            return delegate;
        }
        return (MongoDatabase) proxy(MongoDatabase.class, new View(delegate, DATABASE_TWINS));
    }

    /**
     * The block's session for an operation about to run: checks that the transaction can still
     * take work (Django: validate_no_broken_transaction) and opens it at the first operation.
     */
    ClientSession sessionForOperation(TransactionState state) {
        try {
            blocks.statements().beforeStatement(state);
        } catch (TransactionManagementException e) {
            if (blocks.getRollback()) {
                Throwable first = e.getCause();
                throw MongoBackend.isConnectionLost(first) ? Messages.connectionLostInBlock(alias, first)
                        : MongoMessages.brokenTransaction(alias, first);
            }
            throw e;
        }
        return ((MongoSession) blocks.statements().session(state)).clientSession;
    }

    /**
     * The one place a driver error of an operation is interpreted: inside a block it marks the
     * transaction for rollback (the server has aborted it already) and a lost connection ends it.
     * Returns what the caller throws: the driver's error unchanged, or a clear error for a
     * standalone server.
     */
    RuntimeException failed(RuntimeException error) {
        TransactionState state = blocks.state();
        if (!(error instanceof MongoException) || !state.inAtomicBlock()) {
            return error;
        }
        blocks.statements().statementFailed(state, error, MongoBackend.isConnectionLost(error));
        if (MongoBackend.isStandaloneRefusal(error)) {
            return MongoMessages.transactionsNotSupported(alias, error);
        }
        return error;
    }

    private static Object proxy(Class<?> api, InvocationHandler handler) {
        return Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] {api}, handler);
    }

    private Object invoke(Method method, Object target, Object[] args) {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw failed((RuntimeException) cause);
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException(cause);  // the driver's API declares no checked exceptions
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Views for views; driver iterables and cursors behind a proxy that reports their errors. */
    private Object wrap(Method method, Object result) {
        if (result == null) {
            return null;
        }
        Class<?> type = method.getReturnType();
        if (type == MongoCollection.class) {
            return collection((MongoCollection<?>) result);
        }
        if (type == MongoDatabase.class) {
            return database((MongoDatabase) result);
        }
        if (type.isInterface() && type.getName().startsWith("com.mongodb.client.")) {
            return proxy(type, new Reporting(result));
        }
        return result;
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args, Object delegate) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return "atomic4j session-bound view of " + delegate;
        }
    }

    /** A database or collection view. */
    private final class View implements InvocationHandler {
        private final Object delegate;
        private final Map<Method, Method> twins;

        View(Object delegate, Map<Method, Method> twins) {
            this.delegate = delegate;
            this.twins = twins;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method, args, delegate);
            }
            Method twin = twins.get(method);
            TransactionState state = blocks.state();
            if (twin == null || !state.inAtomicBlock()) {
                return wrap(method, SessionBinding.this.invoke(method, delegate, args));
            }
            Object[] withSession = new Object[args == null ? 1 : args.length + 1];
            withSession[0] = sessionForOperation(state);
            if (args != null) {
                System.arraycopy(args, 0, withSession, 1, args.length);
            }
            return wrap(method, SessionBinding.this.invoke(twin, delegate, withSession));
        }
    }

    /** An iterable or cursor of a view: same calls, driver errors reported through {@link #failed}. */
    private final class Reporting implements InvocationHandler {
        private final Object delegate;

        Reporting(Object delegate) {
            this.delegate = delegate;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method, args, delegate);
            }
            return wrap(method, SessionBinding.this.invoke(method, delegate, args));
        }
    }
}
