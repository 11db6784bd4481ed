package io.mnemo4j.server;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets one declaration use an API that forbidden-apis rejects (src/build/forbidden-signatures.txt
 * and the bundled JDK lists); the reason says why it is right here.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.TYPE, ElementType.FIELD})
@interface SuppressForbidden {
  /** Why the forbidden API is the right one here. */
  String reason();
}
