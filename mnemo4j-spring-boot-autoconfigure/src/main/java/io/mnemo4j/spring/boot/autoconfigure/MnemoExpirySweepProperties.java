package io.mnemo4j.spring.boot.autoconfigure;

import java.time.Duration;

/** The expiry sweep: {@code mnemo.expiry-sweep.*}. Not thread-safe (bound once). */
public class MnemoExpirySweepProperties {
  /** How often expired memories are deleted (0 turns the sweep off). */
  private Duration interval = Duration.ofHours(1);

  /** How long an expired memory stays restorable before the sweep deletes it. */
  private Duration grace = Duration.ofDays(1);

  /** Returns the interval. */
  public Duration getInterval() {
    return interval;
  }

  /** Sets the interval. */
  public void setInterval(Duration interval) {
    this.interval = interval;
  }

  /** Returns the grace period. */
  public Duration getGrace() {
    return grace;
  }

  /** Sets the grace period. */
  public void setGrace(Duration grace) {
    this.grace = grace;
  }
}
