package io.atomic4j.internal.engine;

import io.atomic4j.Atomic;
import io.atomic4j.AtomicOptions;
import io.atomic4j.Result;
import io.atomic4j.internal.errors.Messages;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code atomicProxy(iface, target)} for every front end (JDBC, MongoDB): methods annotated
 * {@link Atomic}, on the interface or on the target's implementation, run in a block. The
 * annotations are read once, when the proxy is made, never per call.
 */
public final class AtomicProxies {
    /** Runs one block with the given options; the front end's own {@code atomic(options, body)}. */
    @FunctionalInterface
    public interface BlockRunner {
        Object run(AtomicOptions options, Result<Object, Exception> body) throws Exception;
    }

    private AtomicProxies() {
    }

    /** An interface method made callable, and its block options (null: not @Atomic, called as is). */
    private record Call(Method method, AtomicOptions options) {
    }

    public static <T> T create(Class<T> iface, T target, BlockRunner runner) {
        Objects.requireNonNull(iface, "atomicProxy() needs an interface, got null");
        Objects.requireNonNull(target, "atomicProxy() needs a target, got null");
        if (!iface.isInterface()) {
            throw Messages.proxyNeedsInterface(iface);
        }
        if (!iface.isInstance(target)) {
            throw Messages.proxyTargetMismatch(target, iface);
        }
        // The Method a proxy hands to its handler is a fresh copy: look up the copy made callable here.
        Map<Method, Call> calls = new HashMap<>();
        for (Method method : iface.getMethods()) {
            // The proxy may live in another package than a non-public interface: make its methods callable once.
            method.trySetAccessible();   // where this fails the method is public and callable anyway
            Atomic annotation = method.getAnnotation(Atomic.class);
            if (annotation == null) {
                try {
                    annotation = target.getClass().getMethod(method.getName(), method.getParameterTypes())
                            .getAnnotation(Atomic.class);
                } catch (NoSuchMethodException e) {
                    annotation = null;
                }
            }
            calls.put(method, new Call(method, annotation == null ? null
                    : AtomicOptions.defaults().savepoint(annotation.savepoint()).durable(annotation.durable())));
        }
        InvocationHandler handler = (proxy, method, args) -> {
            Call call = calls.get(method);
            if (call == null || call.options == null) {
                return invoke(call == null ? method : call.method, target, args);
            }
            return runner.run(call.options, () -> invoke(call.method, target, args));
        };
        return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, handler));
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw (Error) cause;
        }
    }
}
