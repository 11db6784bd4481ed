package io.mnemo4j.spring.boot.autoconfigure;

import io.mnemo4j.Mnemo;

/**
 * Adjusts the {@link Mnemo.Builder} the auto-configuration prepared from {@code mnemo.*}, before
 * the bean is built: for settings without a property (a clock, an id supplier, search tuning,
 * per-tenant inference). Beans of this type run in order.
 */
@FunctionalInterface
public interface MnemoBuilderCustomizer {
  /** Changes the builder; called once, on the thread creating the Mnemo bean. */
  void customize(Mnemo.Builder builder);
}
