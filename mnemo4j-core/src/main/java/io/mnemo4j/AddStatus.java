package io.mnemo4j;

import io.mnemo4j.spi.EventStatus;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Where an asynchronous add (or one made with an idempotency key) stands. Immutable.
 *
 * @param id the event id
 * @param status PENDING, RUNNING, SUCCEEDED or FAILED
 * @param result the add's result once SUCCEEDED, else null
 * @param errorCode why it FAILED ({@code invalid_request}, {@code internal}...), else null
 * @param errorMessage a message for the caller when FAILED, else null
 * @param createdAt when it was accepted
 * @param updatedAt when its status last changed
 * @param scope the scope the add wrote to (who may see this status)
 */
public record AddStatus(
    String id,
    EventStatus status,
    @Nullable AddResult result,
    @Nullable String errorCode,
    @Nullable String errorMessage,
    Instant createdAt,
    Instant updatedAt,
    Scope scope) {}
