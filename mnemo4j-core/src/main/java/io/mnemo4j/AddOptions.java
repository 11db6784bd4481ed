package io.mnemo4j;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.jspecify.annotations.Nullable;

/**
 * Options of one {@link TenantMemory#add}. Immutable; each {@code with} method returns a copy.
 *
 * @param metadata JSON object attached to every memory the call stores; identity keys are refused
 * @param categories category labels attached to every memory the call stores
 * @param expiresAt when the stored memories stop being returned, or null for never
 * @param infer whether to use the language model (default {@link Infer#AUTO})
 * @param idempotencyKey the caller's key for this add: a retry with the same key returns the first
 *     result instead of applying twice; null for none
 * @param sessionDate when the conversation took place, so the model can turn "yesterday" into a
 *     date; null means now
 * @param instructions extra instructions for the model for this call (what to remember, what never
 *     to store), added to the tenant's own; null for none
 * @param procedural store one procedural memory summarising an agent run, instead of facts
 * @param nearDuplicateThreshold this call's near-duplicate threshold, in (0, 1] (1.0: exact
 *     duplicates only); empty uses the instance's ({@link Mnemo.Builder#nearDuplicateThreshold})
 */
public record AddOptions(
    Map<String, Object> metadata,
    List<String> categories,
    @Nullable Instant expiresAt,
    Infer infer,
    @Nullable String idempotencyKey,
    @Nullable Instant sessionDate,
    @Nullable String instructions,
    boolean procedural,
    OptionalDouble nearDuplicateThreshold) {

  /** Whether an add uses the language model. */
  public enum Infer {
    /** Infer when the tenant has a model configured, else store every message verbatim. */
    AUTO,
    /**
     * Infer; without a model configured, what the person said is stored verbatim (user messages
     * become memories, assistant and system messages stay raw context) and the result says why.
     */
    ON,
    /** Store every message verbatim, whatever is configured. */
    OFF
  }

  /** Longest accepted idempotency key. */
  public static final int MAX_IDEMPOTENCY_KEY = 200;

  /** Longest accepted per-call instructions. */
  public static final int MAX_INSTRUCTIONS = 4000;

  /**
   * Validates metadata (no identity keys), categories (non-blank, at most 64 of up to 128
   * characters), the idempotency key and the instructions.
   */
  public AddOptions {
    metadata = Metadata.validate(metadata);
    categories = List.copyOf(categories);
    if (categories.size() > 64) {
      throw new InvalidRequestException("categories", "at most 64 categories");
    }
    for (String c : categories) {
      if (c.isBlank() || c.length() > 128) {
        throw new InvalidRequestException("categories", "categories must be 1 to 128 characters");
      }
    }
    if (idempotencyKey != null
        && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY)) {
      throw new InvalidRequestException(
          "idempotency_key", "idempotency_key must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
    }
    if (instructions != null && instructions.length() > MAX_INSTRUCTIONS) {
      throw new InvalidRequestException(
          "instructions", "instructions must be at most " + MAX_INSTRUCTIONS + " characters");
    }
    if (expiresAt != null) {
      TimeRange.check("expires_at", expiresAt);
    }
    if (sessionDate != null) {
      TimeRange.check("session_date", sessionDate);
    }
    java.util.Objects.requireNonNull(infer, "infer");
    java.util.Objects.requireNonNull(nearDuplicateThreshold, "nearDuplicateThreshold");
    if (nearDuplicateThreshold.isPresent()) {
      checkThreshold(nearDuplicateThreshold.getAsDouble());
    }
  }

  /**
   * Checks a near-duplicate threshold: within (0, 1].
   *
   * @throws InvalidRequestException naming {@code near_duplicate_threshold} otherwise
   */
  static double checkThreshold(double t) {
    if (!(t > 0 && t <= 1)) {
      throw new InvalidRequestException(
          "near_duplicate_threshold",
          "near_duplicate_threshold must be within (0, 1] (1.0: exact duplicates only), got " + t);
    }
    return t;
  }

  /** The three-field form used before inference options existed. */
  public AddOptions(
      Map<String, Object> metadata, List<String> categories, @Nullable Instant expiresAt) {
    this(
        metadata,
        categories,
        expiresAt,
        Infer.AUTO,
        null,
        null,
        null,
        false,
        OptionalDouble.empty());
  }

  /** No metadata, no categories, no expiry; inference as the tenant is configured. */
  public static AddOptions none() {
    return new AddOptions(Map.of(), List.of(), null);
  }

  /** A copy with this metadata. */
  public AddOptions withMetadata(Map<String, ?> newMetadata) {
    return new AddOptions(
        Metadata.validate(newMetadata),
        categories,
        expiresAt,
        infer,
        idempotencyKey,
        sessionDate,
        instructions,
        procedural,
        nearDuplicateThreshold);
  }

  /** A copy with these categories. */
  public AddOptions withCategories(List<String> newCategories) {
    return new AddOptions(
        metadata,
        newCategories,
        expiresAt,
        infer,
        idempotencyKey,
        sessionDate,
        instructions,
        procedural,
        nearDuplicateThreshold);
  }

  /** A copy expiring at {@code at}. */
  public AddOptions withExpiry(@Nullable Instant at) {
    return new AddOptions(
        metadata,
        categories,
        at,
        infer,
        idempotencyKey,
        sessionDate,
        instructions,
        procedural,
        nearDuplicateThreshold);
  }

  /** A copy that uses the language model as {@code how} says. */
  public AddOptions withInfer(Infer how) {
    return new AddOptions(
        metadata,
        categories,
        expiresAt,
        java.util.Objects.requireNonNull(how, "infer"),
        idempotencyKey,
        sessionDate,
        instructions,
        procedural,
        nearDuplicateThreshold);
  }

  /** A copy that infers ({@link Infer#ON}) or stores every message verbatim ({@link Infer#OFF}). */
  public AddOptions withInfer(boolean on) {
    return withInfer(on ? Infer.ON : Infer.OFF);
  }

  /** A copy with an idempotency key. */
  public AddOptions withIdempotencyKey(@Nullable String key) {
    return new AddOptions(
        metadata,
        categories,
        expiresAt,
        infer,
        key,
        sessionDate,
        instructions,
        procedural,
        nearDuplicateThreshold);
  }

  /** A copy whose conversation took place at {@code at}. */
  public AddOptions withSessionDate(@Nullable Instant at) {
    return new AddOptions(
        metadata,
        categories,
        expiresAt,
        infer,
        idempotencyKey,
        at,
        instructions,
        procedural,
        nearDuplicateThreshold);
  }

  /** A copy with per-call instructions for the model. */
  public AddOptions withInstructions(@Nullable String text) {
    return new AddOptions(
        metadata,
        categories,
        expiresAt,
        infer,
        idempotencyKey,
        sessionDate,
        text,
        procedural,
        nearDuplicateThreshold);
  }

  /** A copy that stores one procedural summary of the messages (an agent run). */
  public AddOptions withProcedural(boolean on) {
    return new AddOptions(
        metadata,
        categories,
        expiresAt,
        infer,
        idempotencyKey,
        sessionDate,
        instructions,
        on,
        nearDuplicateThreshold);
  }

  /**
   * A copy with its own near-duplicate threshold, in (0, 1]: 1.0 stores everything but exact
   * duplicates.
   */
  public AddOptions withNearDuplicateThreshold(double threshold) {
    return new AddOptions(
        metadata,
        categories,
        expiresAt,
        infer,
        idempotencyKey,
        sessionDate,
        instructions,
        procedural,
        OptionalDouble.of(checkThreshold(threshold)));
  }
}
