package io.mnemo4j.spring.boot.autoconfigure;

import io.mnemo4j.Mnemo;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Actuator health of the Mnemo bean: up when its catalog answers, with the embedder, the regions
 * and how many tenant stores are open; down (with the failure's class, never memory text)
 * otherwise. Thread-safe.
 */
final class MnemoHealthIndicator extends AbstractHealthIndicator {
  private final Mnemo mnemo;

  MnemoHealthIndicator(Mnemo mnemo) {
    super("Mnemo4j health check failed");
    this.mnemo = mnemo;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    // A catalog lookup: cheap, and it fails when the catalog's database does.
    mnemo.admin().findTenant("default");
    builder
        .up()
        .withDetail("embedder", mnemo.operations().embedder().modelId())
        .withDetail("regions", mnemo.admin().regions())
        .withDetail("openTenants", mnemo.operations().openTenants());
  }
}
