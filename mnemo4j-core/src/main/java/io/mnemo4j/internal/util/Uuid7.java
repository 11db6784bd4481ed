package io.mnemo4j.internal.util;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Generates UUIDv7 ids (RFC 9562): 48 bits of Unix milliseconds, then a counter and random bits, so
 * ids sort by creation time and stay unique within a millisecond. Thread-safe.
 */
public final class Uuid7 implements Supplier<String> {
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private long lastMillis = -1;
  private long counter;

  /** Creates a generator reading time from {@code clock}. */
  public Uuid7(Clock clock) {
    this.clock = clock;
  }

  /** The next id, as canonical lower-case UUID text. */
  @Override
  public String get() {
    long millis;
    long seq;
    synchronized (this) {
      millis = clock.millis();
      if (millis <= lastMillis) {
        // Same millisecond (or the clock stepped back): keep order by counting on from the last
        // id's time.
        millis = lastMillis;
        counter++;
        if (counter > 0xFFF) {
          millis = ++lastMillis;
          counter = random.nextInt(0x400);
        }
      } else {
        lastMillis = millis;
        counter = random.nextInt(0x400);
      }
      seq = counter;
    }
    long msb = (millis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (seq & 0xFFF);
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }
}
