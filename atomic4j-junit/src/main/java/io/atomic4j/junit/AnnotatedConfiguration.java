package io.atomic4j.junit;

import io.atomic4j.Database;
import io.atomic4j.Databases;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * What the annotations say about a test class, for the extension instance that
 * {@link AtomicTest}/{@link TransactionTest} create: the mode, strictness and the
 * {@link AtomicDatabase} fields, looked up on the class, its superclasses and enclosing classes.
 */
final class AnnotatedConfiguration {
    private AnnotatedConfiguration() {
    }


    static Mode mode(Class<?> testClass, ClassBlocks parent) {
        for (Class<?> type = testClass; type != null; type = enclosingOf(type)) {
            boolean committing = AnnotationSupport.isAnnotated(type, TransactionTest.class);
            boolean rolledBack = AnnotationSupport.isAnnotated(type, AtomicTest.class);
            if (committing && rolledBack) {
                throw Messages.bothModes(type);
            }
            if (committing) {
                return Mode.COMMIT;
            }
            if (rolledBack) {
                return Mode.ROLLBACK;
            }
        }
        return parent != null ? parent.mode : Mode.ROLLBACK;
    }

    /** {@link AtomicTest#strictOnCommit()} on the class or an enclosing class, else the enclosing class's setting. */
    static boolean strictOnCommit(Class<?> testClass, ClassBlocks parent) {
        for (Class<?> type = testClass; type != null; type = enclosingOf(type)) {
            Optional<AtomicTest> annotation = AnnotationSupport.findAnnotation(type, AtomicTest.class);
            if (annotation.isPresent() && annotation.get().strictOnCommit()) {
                return true;
            }
        }
        return parent != null && parent.strictOnCommit;
    }

    /**
     * The enclosing class's databases (for a {@code @Nested} class), then the
     * {@link AtomicDatabase} fields of the class, its superclasses and, when no enclosing class
     * is managed, its enclosing classes' static fields.
     */
    static List<TestTarget> targets(ExtensionContext context, Class<?> testClass, ClassBlocks parent) {
        List<TestTarget> result = new ArrayList<>();
        Set<Database> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        if (parent != null) {
            for (TestTarget target : parent.targets) {
                result.add(target);
                seen.add(target.database);
            }
        }
        Optional<Object> instance = context.getTestInstance();
        for (Class<?> type = testClass; type != null; type = parent == null ? enclosingOf(type) : null) {
            for (Field field : AnnotationSupport.findAnnotatedFields(type, AtomicDatabase.class, f -> true,
                    HierarchyTraversalMode.TOP_DOWN)) {
                boolean isStatic = Modifier.isStatic(field.getModifiers());
                if (!isStatic && type != testClass) {
                    continue;   // an enclosing instance's field: not reachable before the tests
                }
                String name = field.getDeclaringClass().getName() + "." + field.getName();
                AtomicDatabase annotation = field.getAnnotation(AtomicDatabase.class);
                List<String> tables = Arrays.asList(annotation.emptyTables());
                for (Database database : databasesIn(field, isStatic ? null : instance.orElseThrow(
                        () -> Messages.instanceFieldWithoutInstance(name)), name)) {
                    if (seen.add(database)) {
                        result.add(new TestTarget(database, tables, "@AtomicDatabase field " + name));
                    }
                }
            }
        }
        return Collections.unmodifiableList(result);
    }

    private static Iterable<Database> databasesIn(Field field, Object instance, String name) {
        Object value;
        try {
            field.setAccessible(true);
            value = field.get(instance);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw Messages.unreadableField(name, e);
        }
        if (value == null) {
            if (!Database.class.isAssignableFrom(field.getType()) && !Databases.class.isAssignableFrom(field.getType())) {
                throw Messages.wrongFieldType(name);
            }
            throw Messages.nullField(name);
        }
        if (value instanceof Database) {
            return List.of((Database) value);
        }
        if (value instanceof Databases) {
            return ((Databases) value).all();
        }
        throw Messages.wrongFieldType(name);
    }

    /** The enclosing class of an inner ({@code @Nested}) class; null for top-level and static nested classes. */
    static Class<?> enclosingOf(Class<?> type) {
        return Modifier.isStatic(type.getModifiers()) ? null : type.getEnclosingClass();
    }
}
