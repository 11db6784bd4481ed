package io.mnemo4j.mcp;

import io.mnemo4j.EventType;
import io.mnemo4j.TenantId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One finished tool call, as reported to a {@link ToolListener}: no arguments and no memory text,
 * so it is safe to log and count. Immutable.
 *
 * @param tool the tool's name
 * @param tenant the tenant called
 * @param principal who called ({@link Caller#principal()})
 * @param errorCode the tool error's code ({@code invalid_request}, {@code not_found}...), or null
 *     on success
 * @param events for {@code add_memory}, the event of each decision (ADD, UPDATE, DELETE, NONE);
 *     empty otherwise
 * @param took how long the call ran
 */
public record ToolCall(
    String tool,
    TenantId tenant,
    String principal,
    @Nullable String errorCode,
    List<EventType> events,
    Duration took) {
  /** Copies the events. */
  public ToolCall {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(principal, "principal");
    events = List.copyOf(events);
    Objects.requireNonNull(took, "took");
  }

  /** The error code, if the call failed. */
  public Optional<String> error() {
    return Optional.ofNullable(errorCode);
  }
}
