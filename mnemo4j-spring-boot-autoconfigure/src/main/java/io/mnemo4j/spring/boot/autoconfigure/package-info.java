/**
 * Spring Boot auto-configuration of Mnemo4j: a {@link io.mnemo4j.Mnemo} bean from {@code mnemo.*}
 * properties (the embedded store and the in-jar embedder when nothing is set), health and metrics
 * when Actuator and Micrometer are present, and the Spring AI integration of {@link
 * io.mnemo4j.spring.ai} when Spring AI is.
 */
@NullMarked
package io.mnemo4j.spring.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
