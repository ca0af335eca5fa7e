package io.atomic4j.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class that exercises the extension and is run by {@link Kit} from a real test, which
 * then checks what it left behind. The build's own test run leaves out the tag "fixture", and
 * the condition below disables a fixture discovered any other way.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(Fixture.OnlyInKit.class)
@Tag("fixture")
@interface Fixture {
    final class OnlyInKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return Kit.running()
                    ? ConditionEvaluationResult.enabled("run by Kit")
                    : ConditionEvaluationResult.disabled("a fixture: run by Kit from another test");
        }
    }
}
