package io.mnemo4j.internal.store;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.WriteBatch;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The vector dimension of each embedding model in one tenant, and the rule that keeps it single:
 * every vector of a model in the tenant has the dimension of the model's first vector. The checking
 * wrapper holds one per store it wraps, and refuses what breaks the rule before a store sees it. A
 * store holds one too where the tenant can be written past that wrapper's knowledge (another handle
 * of the same open tenant, another process on the same database) and checks again under its own
 * write lock or in its own transaction; both use this class, so the rule and its messages live here
 * once. Thread-safe.
 */
public final class ModelDimensions {
  private final Map<String, Integer> known = new ConcurrentHashMap<>();

  /** No model known yet. */
  public ModelDimensions() {}

  /** Knows the given dimensions, as a store recorded them. */
  public ModelDimensions(Map<String, Integer> recorded) {
    known.putAll(recorded);
  }

  /** A snapshot of the known dimension of each model. */
  public Map<String, Integer> asMap() {
    return Map.copyOf(known);
  }

  /** The model's dimension, if known. */
  public OptionalInt of(String model) {
    Integer dimension = known.get(model);
    return dimension == null ? OptionalInt.empty() : OptionalInt.of(dimension);
  }

  /**
   * Refuses a batch holding a vector whose length differs from its model's known dimension, or from
   * an earlier vector of the same new model in the batch, naming the field {@code embedding}.
   * Returns the models the batch introduces, with their dimensions; records nothing ({@link
   * #record} does, once the batch is durable), so a refused or failed write teaches nothing.
   */
  public Map<String, Integer> check(WriteBatch batch) {
    Map<String, Integer> introduced = new HashMap<>();
    for (Change change : batch.changes()) {
      if (change instanceof Change.Put put && put.memory().embedding().length > 0) {
        StoredMemory m = put.memory();
        String model = m.memory().embeddingModel();
        int length = m.embedding().length;
        Integer dimension = known.get(model);
        if (dimension == null) {
          dimension = introduced.putIfAbsent(model, length);
        }
        if (dimension != null && dimension != length) {
          throw mismatch(model, dimension, m.id(), length);
        }
      }
    }
    return introduced;
  }

  /** Records dimensions learnt from a durable write or from the store; a known model keeps its. */
  public void record(Map<String, Integer> dimensions) {
    dimensions.forEach(known::putIfAbsent);
  }

  /** Records one model's dimension unless it is known already. */
  public void record(String model, int dimension) {
    known.putIfAbsent(model, dimension);
  }

  /**
   * Refuses a query vector whose length is not {@code dimension}, the model's, naming the field
   * {@code query}.
   */
  public static void checkQuery(String model, int dimension, float[] query) {
    if (dimension != query.length) {
      throw new InvalidRequestException(
          "query",
          "query vector has "
              + query.length
              + " dimensions; model '"
              + model
              + "' has "
              + dimension
              + " in this tenant");
    }
  }

  /**
   * The error for a vector of {@code length} dimensions of a model that has {@code dimension} in
   * this tenant; {@code memoryId} names the memory that carries it.
   */
  public static InvalidRequestException mismatch(
      String model, int dimension, String memoryId, int length) {
    return new InvalidRequestException(
        "embedding",
        "embedding model '"
            + model
            + "' has "
            + dimension
            + " dimensions in this tenant; memory "
            + memoryId
            + " has "
            + length);
  }
}
