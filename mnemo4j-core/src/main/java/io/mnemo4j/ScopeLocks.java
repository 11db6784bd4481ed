package io.mnemo4j;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped locks serialising writes to one tenant+scope, so parallel or retried adds never store a
 * duplicate. A fixed stripe count bounds memory whatever the number of scopes; unrelated scopes
 * sharing a stripe only wait briefly. Thread-safe.
 */
final class ScopeLocks {
  private static final int STRIPES = 1024;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

  ScopeLocks() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** The lock for this tenant and exact scope. */
  ReentrantLock lockFor(TenantId tenant, Scope scope) {
    int h = tenant.hashCode() * 31 + scope.hashCode();
    return locks[Math.floorMod(h ^ (h >>> 16), STRIPES)];
  }
}
