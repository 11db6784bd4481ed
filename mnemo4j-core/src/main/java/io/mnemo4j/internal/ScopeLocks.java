package io.mnemo4j.internal;

import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.ScopeGuard;
import io.mnemo4j.spi.TenantStore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Striped locks serialising writes to one tenant+scope, so parallel or retried adds never store a
 * duplicate. A fixed stripe count bounds memory whatever the number of scopes; unrelated scopes
 * sharing a stripe only wait briefly. Thread-safe.
 */
public final class ScopeLocks {
  private static final int STRIPES = 1024;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

  ScopeLocks() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /**
   * Runs {@code body} holding this process's lock on the scope and then the store's own (which
   * other processes sharing the store honour). The in-process lock comes first so a process never
   * holds more than one store lock, and store connection, per scope.
   */
  // The store's scope guard is held, not used: "try" would warn about exactly that.
  @SuppressWarnings("try")
  public <T> T locked(TenantId tenant, TenantStore store, Scope scope, Supplier<T> body) {
    ReentrantLock lock = lockFor(tenant, scope);
    lock.lock();
    try (ScopeGuard guard = store.lockScope(scope)) {
      return body.get();
    } finally {
      lock.unlock();
    }
  }

  /** The lock for this tenant and exact scope. */
  ReentrantLock lockFor(TenantId tenant, Scope scope) {
    int h = tenant.hashCode() * 31 + scope.hashCode();
    return locks[Math.floorMod(h ^ (h >>> 16), STRIPES)];
  }
}
