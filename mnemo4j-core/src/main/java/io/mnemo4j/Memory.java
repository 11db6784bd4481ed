package io.mnemo4j;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One durable memory. Immutable and thread-safe; {@code metadata} holds JSON-compatible values only
 * (String, Number, Boolean, List, Map), copied defensively.
 *
 * @param id UUIDv7 text, time-ordered
 * @param text the remembered text
 * @param hash hash of the normalised text (duplicate detection)
 * @param scope user, agent and run; none means tenant-wide
 * @param metadata caller-supplied JSON object; never holds identity keys
 * @param categories category labels
 * @param role the role of the message it came from, or null when inferred
 * @param actor the speaker's or agent's name, or null
 * @param createdAt system time the memory was first stored
 * @param updatedAt system time of the last change
 * @param expiresAt when it stops being returned, or null
 * @param validFrom when the fact started to hold in the world, or null when unknown
 * @param validTo when the fact stopped holding in the world, or null while it holds
 * @param provenance where it came from
 * @param embeddingModel id of the model that embedded {@code text}
 * @param type episodic (verbatim), semantic (inferred fact) or procedural (agent run summary)
 */
public record Memory(
    String id,
    String text,
    String hash,
    Scope scope,
    Map<String, Object> metadata,
    List<String> categories,
    @Nullable Role role,
    @Nullable String actor,
    Instant createdAt,
    Instant updatedAt,
    @Nullable Instant expiresAt,
    @Nullable Instant validFrom,
    @Nullable Instant validTo,
    Provenance provenance,
    String embeddingModel,
    MemoryType type) {

  /** Copies collections so the record stays immutable. */
  public Memory {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(scope, "scope");
    metadata = Metadata.copyOf(metadata);
    categories = List.copyOf(categories);
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(provenance, "provenance");
    Objects.requireNonNull(embeddingModel, "embeddingModel");
    Objects.requireNonNull(type, "type");
  }

  /** Whether a language model made it (false for messages stored as they were said). */
  public boolean inferred() {
    return provenance.source().equals(Provenance.INFERRED);
  }

  /**
   * Whether the memory counts at {@code at}: known by then (created), not expired, and valid in the
   * world then (open or closed validity interval containing it).
   */
  public boolean visibleAt(Instant at) {
    return !createdAt.isAfter(at)
        && (expiresAt == null || expiresAt.isAfter(at))
        && (validFrom == null || !validFrom.isAfter(at))
        && (validTo == null || validTo.isAfter(at));
  }

  /** A copy with a new world-time interval and update time. */
  public Memory withValidity(@Nullable Instant from, @Nullable Instant to, Instant at) {
    return new Memory(
        id,
        text,
        hash,
        scope,
        metadata,
        categories,
        role,
        actor,
        createdAt,
        at,
        expiresAt,
        from,
        to,
        provenance,
        embeddingModel,
        type);
  }

  /** The role, if the memory was stored from a message verbatim. */
  public Optional<Role> roleIfKnown() {
    return Optional.ofNullable(role);
  }

  /** The actor, if known. */
  public Optional<String> actorIfKnown() {
    return Optional.ofNullable(actor);
  }

  /** A copy with new text, hash, metadata, update time and embedding model. */
  public Memory withText(
      String newText, String newHash, Map<String, Object> newMetadata, Instant at, String model) {
    return new Memory(
        id,
        newText,
        newHash,
        scope,
        newMetadata,
        categories,
        role,
        actor,
        createdAt,
        at,
        expiresAt,
        validFrom,
        validTo,
        provenance,
        model,
        type);
  }

  /** A copy with another provenance (the same update time: provenance is not the memory's text). */
  public Memory withProvenance(Provenance newProvenance) {
    return new Memory(
        id,
        text,
        hash,
        scope,
        metadata,
        categories,
        role,
        actor,
        createdAt,
        updatedAt,
        expiresAt,
        validFrom,
        validTo,
        newProvenance,
        embeddingModel,
        type);
  }

  /**
   * Where a memory came from.
   *
   * @param source how it was made: {@code verbatim} (a message stored as is) or {@code inferred}
   * @param messageIds ids of the raw messages it was made from
   */
  public record Provenance(String source, List<String> messageIds) {
    /** The source of a message stored as it was said. */
    public static final String VERBATIM = "verbatim";

    /** The source of a memory a language model made. */
    public static final String INFERRED = "inferred";

    /** Copies the id list. */
    public Provenance {
      Objects.requireNonNull(source, "source");
      messageIds = List.copyOf(messageIds);
    }
  }
}
