package io.mnemo4j.spi;

import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A raw conversation message as received, kept so memories can be re-derived and provenance
 * checked.
 *
 * @param id UUIDv7
 * @param scope the scope it was added in
 * @param role its role
 * @param name its actor name, or null
 * @param content its text
 * @param receivedAt when it was received
 */
public record StoredMessage(
    String id, Scope scope, Role role, @Nullable String name, String content, Instant receivedAt) {}
