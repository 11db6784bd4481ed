package io.mnemo4j.spring.boot.autoconfigure;

import io.mnemo4j.TenantId;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.spi.Embedder;

/**
 * What the Mnemo bean reports to metrics, without naming a metrics library: so the core
 * configuration loads whether Micrometer is present or not.
 */
interface MnemoInstrumentation {
  /** The embedder, wrapped to time each call. */
  Embedder instrument(Embedder embedder);

  /** Hears the token usage of a model call. */
  void usage(TenantId tenant, TokenUsage usage);
}
