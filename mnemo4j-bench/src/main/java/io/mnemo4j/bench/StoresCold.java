package io.mnemo4j.bench;

import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantId;
import io.mnemo4j.bench.SideBySide.Pair;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.TenantStore;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The cold-open part of {@code stores}: what a tenant that is not open costs on each backend. */
final class StoresCold {
  private StoresCold() {}

  /**
   * The cold-open figures; {@code mnemo} is null when there are too few tenants to make every
   * request a miss, all three when there are no samples.
   */
  record Result(@Nullable Pair spi, @Nullable Pair close, @Nullable Pair mnemo) {}

  /**
   * The cost of a tenant not open in this process: through the SPI, {@code MemoryStore.open} + the
   * first {@code vectorSearch} (close timed apart), each tenant opened in turn, {@code
   * --cold-passes} times (the large tenant {@code --cold-large} times); and for many tenants, a
   * {@code Mnemo} with a small LRU serving hybrid searches round-robin, so each one is a miss.
   */
  static Result run(
      String label,
      StoreSide[] sides,
      List<StoresBench.TenantData> data,
      String model,
      ScopeFilter scope,
      List<String> queries,
      StoresBench.Config cfg,
      QueryVectorCache cache) {
    int samples = data.size() == 1 ? cfg.coldLarge() : cfg.coldPasses() * data.size();
    if (samples == 0) {
      return new Result(null, null, null);
    }
    Pair spi = new Pair();
    Pair close = new Pair();
    FilterExpr everything = new FilterExpr.All();
    System.err.printf("stores[%s]: cold opens through the SPI, %d per backend%n", label, samples);
    MemoryStore[] regions = {sides[0].openRegion(), sides[1].openRegion()};
    try {
      // One untimed open of each backend first: class loading, pool connections.
      for (int s = 0; s < 2; s++) {
        regions[s].open(TenantId.of(data.get(0).tenant())).close();
      }
      for (int i = 0; i < samples; i++) {
        StoresBench.TenantData t = data.get(i % data.size());
        float[] q = cache.queryVector(queries.get(i % queries.size()));
        for (int o = 0; o < 2; o++) {
          int s = (i + o) % 2;
          long a = System.nanoTime();
          TenantStore st = regions[s].open(TenantId.of(t.tenant()));
          int n = st.vectorSearch(model, q, scope, everything, cfg.k()).size();
          long b = System.nanoTime();
          st.close();
          long c = System.nanoTime();
          spi.add(s, b - a, n);
          close.add(s, c - b, 0);
        }
      }
    } finally {
      for (MemoryStore r : regions) {
        r.close();
      }
    }
    if (data.size() <= cfg.coldMaxOpen() || cfg.coldPasses() == 0) {
      return new Result(spi, close, null);
    }
    Pair miss = new Pair();
    cache.serveCached(true);
    Scope user = Scope.user(StoresBench.USER);
    System.err.printf(
        "stores[%s]: Mnemo misses (LRU of %d, %d tenants round-robin), %d per backend%n",
        label, cfg.coldMaxOpen(), data.size(), samples);
    try (Mnemo e = sides[0].mnemo(cache.shared(), cfg.coldMaxOpen(), false, cfg.tuning());
        Mnemo p = sides[1].mnemo(cache.shared(), cfg.coldMaxOpen(), false, cfg.tuning())) {
      Mnemo[] mnemos = {e, p};
      // An untimed first pass over the LRU's worth of tenants: class loading, catalog connections.
      for (int i = 0; i < cfg.coldMaxOpen(); i++) {
        for (Mnemo m : mnemos) {
          m.tenant(data.get(i).tenant()).search(queries.get(0), Search.in(user).limit(cfg.k()));
        }
      }
      for (int i = 0; i < samples; i++) {
        StoresBench.TenantData t = data.get((i + cfg.coldMaxOpen()) % data.size());
        String q = queries.get(i % queries.size());
        for (int o = 0; o < 2; o++) {
          int s = (i + o) % 2;
          long a = System.nanoTime();
          int n = mnemos[s].tenant(t.tenant()).search(q, Search.in(user).limit(cfg.k())).size();
          miss.add(s, System.nanoTime() - a, n);
        }
      }
    } finally {
      cache.serveCached(false);
    }
    return new Result(spi, close, miss);
  }
}
