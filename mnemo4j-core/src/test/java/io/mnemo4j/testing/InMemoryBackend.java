package io.mnemo4j.testing;

import io.mnemo4j.ConflictException;
import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.filter.FilterEvaluator;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.ApiKey;
import io.mnemo4j.spi.Backend;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.PurgeStats;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScopeGuard;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference backend: everything in Java collections, brute-force cosine, a plain term-overlap
 * ranker, filters by {@link FilterEvaluator}. It keeps the contract suite honest inside the core's
 * own build and is the simplest statement of what a store must do. State survives {@code close} (so
 * reopen tests pass) but not the JVM. Thread-safe (every method synchronises on the tenant's
 * state).
 */
public final class InMemoryBackend implements Backend {
  /** Orders strings by Unicode code point (UTF-8 byte order), as stores order entity ids. */
  static int byCodePoint(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private final Map<String, Map<TenantId, Tenant>> regions = new ConcurrentHashMap<>();
  private final Map<String, List<String>> shards = new ConcurrentHashMap<>();
  private final MemCatalog catalog = new MemCatalog();

  /** Gives {@code region} several shards (each its own map of tenants); returns this. */
  public InMemoryBackend withShards(String region, String... names) {
    shards.put(region, List.of(names));
    return this;
  }

  /** Names the regions and tenants it holds (test diagnostics). */
  @Override
  public String toString() {
    return "InMemoryBackend"
        + regions.keySet()
        + regions.values().stream().map(Map::keySet).toList();
  }

  /** How many tenant namespaces exist in one shard of a region (test inspection). */
  public int tenantsIn(String region, String shard) {
    return regions.getOrDefault(region + "/" + shard, Map.of()).size();
  }

  @Override
  public Catalog openCatalog(Path dataDir) {
    return catalog;
  }

  @Override
  public List<String> shards(String region) {
    return shards.getOrDefault(region, List.of(TenantInfo.DEFAULT_SHARD));
  }

  @Override
  public MemoryStore openShard(String region, String shard, Path dataDir) {
    if (!shards(region).contains(shard)) {
      throw new IllegalArgumentException("region " + region + " has no shard " + shard);
    }
    return store(region + "/" + shard);
  }

  @Override
  public MemoryStore openRegion(String region, Path dataDir) {
    return store(region + "/" + TenantInfo.DEFAULT_SHARD);
  }

  private MemoryStore store(String key) {
    Map<TenantId, Tenant> tenants = regions.computeIfAbsent(key, r -> new ConcurrentHashMap<>());
    return new MemoryStore() {
      @Override
      public String kind() {
        return "memory";
      }

      @Override
      public TenantStore open(TenantId tenant) {
        return tenants.computeIfAbsent(tenant, t -> new Tenant());
      }

      @Override
      public boolean exists(TenantId tenant) {
        return tenants.containsKey(tenant);
      }

      @Override
      public PurgeStats purge(TenantId tenant) {
        Tenant t = tenants.remove(tenant);
        if (t == null) {
          return new PurgeStats(0, 0, 0, 0, 0);
        }
        synchronized (t) {
          long windowMessages = t.conversations.values().stream().mapToLong(List::size).sum();
          return new PurgeStats(
              t.memories.size(), t.history.size(), t.messages.size() + windowMessages, 0, 0);
        }
      }

      @Override
      public void close() {}
    };
  }

  private static final class Tenant implements TenantStore {
    /** Weight of a query word found in a memory's context rather than its own text. */
    static final double CONTEXT_WEIGHT = 0.6;

    final TreeMap<String, StoredMemory> memories = new TreeMap<>();
    final List<HistoryEntry> history = new ArrayList<>();
    final List<StoredMessage> messages = new ArrayList<>();
    final Map<String, StoredEvent> events = new LinkedHashMap<>();
    final TreeMap<String, List<ConversationMessage>> conversations = new TreeMap<>();

    @Override
    public synchronized Map<String, Integer> dimensions() {
      Map<String, Integer> out = new java.util.HashMap<>();
      for (StoredMemory m : memories.values()) {
        if (m.embedding().length > 0) {
          out.putIfAbsent(m.memory().embeddingModel(), m.embedding().length);
        }
      }
      return out;
    }

    @Override
    public synchronized void write(WriteBatch batch) {
      for (StoredEvent e : batch.events()) {
        String key = e.idempotencyKey();
        if (key != null) {
          for (StoredEvent other : events.values()) {
            if (key.equals(other.idempotencyKey()) && !other.id().equals(e.id())) {
              throw new ConflictException("idempotency key already used by another operation");
            }
          }
        }
      }
      for (StoredEvent e : batch.events()) {
        events.put(e.id(), e);
      }
      for (Change c : batch.changes()) {
        switch (c) {
          case Change.Put p -> memories.put(p.memory().id(), p.memory());
          case Change.Remove r -> memories.remove(r.id());
        }
      }
      for (HistoryEntry h : batch.history()) {
        int at = -1;
        for (int i = 0; i < history.size() && at < 0; i++) {
          at = history.get(i).id().equals(h.id()) ? i : -1;
        }
        if (at >= 0) {
          history.set(at, h); // replaced in place, as the JDBC stores upsert by id
        } else {
          history.add(h);
        }
      }
      messages.addAll(batch.messages());
    }

    @Override
    public synchronized List<StoredMessage> messages(Collection<String> ids) {
      Set<String> wanted = Set.copyOf(ids);
      return messages.stream()
          .filter(m -> wanted.contains(m.id()))
          .sorted(java.util.Comparator.comparing(StoredMessage::id))
          .toList();
    }

    @Override
    public synchronized List<StoredMessage> messagesOfRun(String runId) {
      return messages.stream()
          .filter(m -> runId.equals(m.scope().runId()))
          .sorted(java.util.Comparator.comparing(StoredMessage::id))
          .toList();
    }

    @Override
    public synchronized List<StoredMemory> derivedFrom(Collection<String> messageIds) {
      Set<String> wanted = Set.copyOf(messageIds);
      return memories.values().stream()
          .filter(m -> m.memory().provenance().messageIds().stream().anyMatch(wanted::contains))
          .toList();
    }

    @Override
    public synchronized long eraseMessages(Collection<String> messageIds, WriteBatch batch) {
      write(batch);
      Set<String> wanted = Set.copyOf(messageIds);
      int before = messages.size();
      messages.removeIf(m -> wanted.contains(m.id()));
      return before - messages.size();
    }

    /** The second vector slot: model, then memory id. */
    final Map<String, Map<String, float[]>> slot = new HashMap<>();

    @Override
    public synchronized void putVectors(String model, Map<String, float[]> vectors) {
      Map<String, float[]> of = slot.computeIfAbsent(model, m -> new HashMap<>());
      vectors.forEach(
          (id, v) -> {
            if (memories.containsKey(id)) {
              of.put(id, v);
            }
          });
    }

    @Override
    public synchronized long countVectors(String model) {
      return slot.getOrDefault(model, Map.of()).keySet().stream()
          .filter(memories::containsKey)
          .count();
    }

    @Override
    public synchronized long switchModel(String model) {
      long switched = 0;
      for (Map.Entry<String, float[]> e : slot.getOrDefault(model, Map.of()).entrySet()) {
        StoredMemory m = memories.get(e.getKey());
        if (m != null) {
          Memory before = m.memory();
          Memory after =
              before.withText(
                  before.text(), before.hash(), before.metadata(), before.updatedAt(), model);
          memories.put(e.getKey(), new StoredMemory(after, e.getValue(), m.context()));
          switched++;
        }
      }
      slot.clear();
      return switched;
    }

    @Override
    public synchronized Optional<StoredMemory> get(String id) {
      return Optional.ofNullable(memories.get(id));
    }

    @Override
    public synchronized List<StoredMemory> getAll(Collection<String> ids) {
      return ids.stream().map(memories::get).filter(m -> m != null).toList();
    }

    @Override
    public synchronized Optional<StoredMemory> findByHash(Scope scope, String hash) {
      return memories.values().stream()
          .filter(m -> m.memory().scope().equals(scope) && m.memory().hash().equals(hash))
          .findFirst();
    }

    private List<StoredMemory> matching(ScopeFilter scope, FilterExpr filter) {
      return memories.values().stream()
          .filter(
              m -> scope.test(m.memory().scope()) && FilterEvaluator.matches(filter, m.memory()))
          .toList();
    }

    @Override
    public synchronized Page<StoredMemory> list(
        ScopeFilter scope, FilterExpr filter, PageRequest page) {
      String after = page.cursor();
      if (after != null && after.length() != 36) {
        throw new InvalidRequestException("cursor", "cursor is not one this store issued");
      }
      List<StoredMemory> rest =
          matching(scope, filter).stream()
              .filter(m -> after == null || m.id().compareTo(after) > 0)
              .toList();
      List<StoredMemory> items = rest.subList(0, Math.min(page.size(), rest.size()));
      String next = rest.size() > page.size() ? items.get(items.size() - 1).id() : null;
      return new Page<>(items, next);
    }

    @Override
    public synchronized long count(ScopeFilter scope, FilterExpr filter) {
      return matching(scope, filter).size();
    }

    @Override
    public synchronized Page<EntityCount> countByEntity(
        EntityType type, ScopeFilter scope, FilterExpr filter, PageRequest page) {
      String after = page.cursor();
      TreeMap<String, Long> counts = new TreeMap<>(InMemoryBackend::byCodePoint);
      for (StoredMemory m : matching(scope, filter)) {
        String id = type.idIn(m.memory().scope());
        if (id != null && (after == null || byCodePoint(id, after) > 0)) {
          counts.merge(id, 1L, Long::sum);
        }
      }
      List<EntityCount> items = new ArrayList<>();
      for (Map.Entry<String, Long> e : counts.entrySet()) {
        if (items.size() == page.size()) {
          return new Page<>(items, items.getLast().id());
        }
        items.add(new EntityCount(type, e.getKey(), e.getValue()));
      }
      return new Page<>(items, null);
    }

    @Override
    public synchronized List<ScoredId> vectorSearch(
        String model, float[] q, ScopeFilter scope, FilterExpr filter, int k) {
      return matching(scope, filter).stream()
          .filter(
              m -> m.memory().embeddingModel().equals(model) && m.embedding().length == q.length)
          .map(m -> new ScoredId(m.id(), dot(q, m.embedding())))
          .sorted(
              Comparator.comparingDouble(ScoredId::score).reversed().thenComparing(ScoredId::id))
          .limit(k)
          .toList();
    }

    @Override
    public synchronized List<ScoredId> textSearch(
        String query, ScopeFilter scope, FilterExpr filter, int k) {
      Map<String, Double> weights = termWeights(query);
      List<ScoredId> out = new ArrayList<>();
      for (StoredMemory m : matching(scope, filter)) {
        double score = textScore(weights, m);
        if (score > 0) {
          out.add(new ScoredId(m.id(), score));
        }
      }
      out.sort(Comparator.comparingDouble(ScoredId::score).reversed().thenComparing(ScoredId::id));
      return out.subList(0, Math.min(k, out.size()));
    }

    @Override
    public synchronized List<ScoredId> textScores(String query, Collection<String> ids) {
      Map<String, Double> weights = termWeights(query);
      List<ScoredId> out = new ArrayList<>();
      for (String id : new java.util.LinkedHashSet<>(ids)) {
        StoredMemory m = memories.get(id);
        double score = m == null ? 0 : textScore(weights, m);
        if (score > 0) {
          out.add(new ScoredId(id, score));
        }
      }
      return out;
    }

    @Override
    public synchronized Map<String, List<io.mnemo4j.spi.AddNeighbour>> addNeighbours(
        Collection<String> ids, int span) {
      Map<String, List<io.mnemo4j.spi.AddNeighbour>> out = new java.util.HashMap<>();
      for (String id : new java.util.LinkedHashSet<>(ids)) {
        StoredMemory m = memories.get(id);
        if (m == null) {
          continue;
        }
        // The same add: same scope and creation time; its order is the id order.
        java.util.TreeSet<String> add = new java.util.TreeSet<>();
        for (StoredMemory o : memories.values()) {
          if (o.memory().createdAt().equals(m.memory().createdAt())
              && o.memory().scope().equals(m.memory().scope())) {
            add.add(o.id());
          }
        }
        List<String> near = new ArrayList<>();
        near.addAll(add.headSet(id, false).descendingSet().stream().limit(span).toList());
        near.addAll(add.tailSet(id, false).stream().limit(span).toList());
        out.put(
            id, near.stream().map(n -> io.mnemo4j.spi.AddNeighbour.of(memories.get(n))).toList());
      }
      return out;
    }

    /**
     * The query's words the tenant knows, each weighted by its idf over the whole tenant (never
     * over a filtered subset: the contract wants scores independent of filters).
     */
    private Map<String, Double> termWeights(String query) {
      Map<String, Double> out = new HashMap<>();
      for (String t : words(query)) {
        int df = 0;
        for (StoredMemory m : memories.values()) {
          if (words(m.memory().text()).contains(t) || words(m.context()).contains(t)) {
            df++;
          }
        }
        if (df > 0) {
          out.put(t, Math.log(1 + (memories.size() - df + 0.5) / (df + 0.5)));
        }
      }
      return out;
    }

    /**
     * The share of the query's term weight a memory holds: a word of its own text counts fully, one
     * of its context (the messages around it) {@link #CONTEXT_WEIGHT}. In [0, 1].
     */
    private static double textScore(Map<String, Double> weights, StoredMemory m) {
      double total = 0;
      double held = 0;
      Set<String> doc = words(m.memory().text());
      Set<String> context = words(m.context());
      for (Map.Entry<String, Double> e : weights.entrySet()) {
        total += e.getValue() * (1 + CONTEXT_WEIGHT);
        held +=
            e.getValue()
                * ((doc.contains(e.getKey()) ? 1 : 0)
                    + (context.contains(e.getKey()) ? CONTEXT_WEIGHT : 0));
      }
      return total == 0 ? 0 : Math.min(1, held / total);
    }

    private static Set<String> words(String text) {
      Set<String> out = new HashSet<>();
      for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
        if (!w.isEmpty()) {
          out.add(w);
        }
      }
      return out;
    }

    private static double dot(float[] a, float[] b) {
      double s = 0;
      for (int i = 0; i < a.length; i++) {
        s += a[i] * b[i];
      }
      return s;
    }

    @Override
    public synchronized List<HistoryEntry> history(String memoryId) {
      return history.stream().filter(h -> h.memoryId().equals(memoryId)).toList();
    }

    @Override
    public ScopeGuard lockScope(Scope scope) {
      return ScopeGuard.NONE;
    }

    @Override
    public synchronized List<ConversationMessage> conversation(String conversationId) {
      return conversations.getOrDefault(conversationId, List.of());
    }

    @Override
    public synchronized void replaceConversation(
        String conversationId, List<ConversationMessage> messages) {
      if (messages.isEmpty()) {
        conversations.remove(conversationId);
      } else {
        conversations.put(conversationId, List.copyOf(messages));
      }
    }

    @Override
    public synchronized Page<String> conversationIds(PageRequest page) {
      String after = page.cursor();
      List<String> rest =
          List.copyOf(
              after == null
                  ? conversations.keySet()
                  : conversations.tailMap(after, false).keySet());
      List<String> items = rest.subList(0, Math.min(page.size(), rest.size()));
      return new Page<>(items, rest.size() > page.size() ? items.getLast() : null);
    }

    @Override
    public synchronized Optional<StoredEvent> event(String id) {
      return Optional.ofNullable(events.get(id));
    }

    @Override
    public synchronized Optional<StoredEvent> eventByIdempotencyKey(String key) {
      return events.values().stream().filter(e -> key.equals(e.idempotencyKey())).findFirst();
    }

    @Override
    public synchronized List<StoredEvent> events(Set<EventStatus> statuses, int limit) {
      return events.values().stream()
          .filter(e -> statuses.contains(e.status()))
          .sorted(Comparator.comparing(StoredEvent::createdAt).thenComparing(StoredEvent::id))
          .limit(limit)
          .toList();
    }

    @Override
    public synchronized Page<HistoryEntry> exportHistory(PageRequest page) {
      int from = page.cursor() == null ? 0 : Integer.parseInt(page.cursor());
      int to = Math.min(history.size(), from + page.size());
      return new Page<>(
          List.copyOf(history.subList(from, to)),
          to < history.size() ? Integer.toString(to) : null);
    }

    @Override
    public synchronized Page<StoredMessage> exportMessages(PageRequest page) {
      return afterId(messages, StoredMessage::id, page);
    }

    @Override
    public synchronized Page<StoredEvent> exportEvents(PageRequest page) {
      return afterId(events.values(), StoredEvent::id, page);
    }

    private static <T> Page<T> afterId(
        java.util.Collection<T> all, java.util.function.Function<T, String> id, PageRequest page) {
      List<T> rest =
          all.stream()
              .filter(t -> page.cursor() == null || id.apply(t).compareTo(page.cursor()) > 0)
              .sorted(Comparator.comparing(id))
              .toList();
      List<T> items = rest.subList(0, Math.min(page.size(), rest.size()));
      return new Page<>(items, rest.size() > page.size() ? id.apply(items.getLast()) : null);
    }

    @Override
    public void close() {}
  }

  private static final class MemCatalog implements Catalog {
    private final TreeMap<String, TenantInfo> tenants = new TreeMap<>();
    private final List<PurgeReceipt> receipts = new ArrayList<>();
    private final Map<String, ApiKey> keys = new java.util.LinkedHashMap<>();
    private final Map<String, String> settings = new java.util.HashMap<>();

    @Override
    public synchronized Optional<String> setting(String name) {
      return Optional.ofNullable(settings.get(name));
    }

    @Override
    public synchronized String recordSetting(String name, String value) {
      return settings.computeIfAbsent(name, n -> value);
    }

    @Override
    public synchronized void replaceSetting(String name, String value) {
      if (value.isEmpty()) {
        settings.remove(name);
      } else {
        settings.put(name, value);
      }
    }

    @Override
    public synchronized void switchRegion(io.mnemo4j.TenantMove move) {
      TenantInfo t = tenants.get(move.tenant().value());
      if (t == null) {
        throw new IllegalStateException("tenant " + move.tenant() + " vanished during its move");
      }
      tenants.put(t.id().value(), new TenantInfo(t.id(), move.to(), move.toShard(), t.createdAt()));
      settings.put(
          io.mnemo4j.TenantMove.settingName(move.tenant()),
          move.in(io.mnemo4j.TenantMove.Phase.SWITCHED).encode());
    }

    @Override
    public synchronized TenantInfo create(TenantInfo tenant) {
      if (tenants.putIfAbsent(tenant.id().value(), tenant) != null) {
        throw new ConflictException("tenant " + tenant.id() + " already exists");
      }
      return tenant;
    }

    @Override
    public synchronized Optional<TenantInfo> find(TenantId tenant) {
      return Optional.ofNullable(tenants.get(tenant.value()));
    }

    @Override
    public synchronized List<TenantInfo> list() {
      return List.copyOf(tenants.values());
    }

    @Override
    public synchronized void remove(TenantId tenant, PurgeReceipt receipt) {
      tenants.remove(tenant.value());
      keys.values().removeIf(k -> tenant.equals(k.tenant()));
      receipts.add(receipt);
    }

    @Override
    public synchronized List<PurgeReceipt> receipts() {
      return List.copyOf(receipts);
    }

    @Override
    public synchronized void addKey(ApiKey key) {
      if (keys.containsKey(key.id())
          || keys.values().stream().anyMatch(k -> k.hash().equals(key.hash()))) {
        throw new ConflictException("key " + key.id() + " already exists");
      }
      keys.put(key.id(), key);
    }

    @Override
    public synchronized Optional<ApiKey> findKeyByHash(String hash) {
      return keys.values().stream().filter(k -> k.hash().equals(hash)).findFirst();
    }

    @Override
    public synchronized List<ApiKey> keys(Optional<TenantId> tenant) {
      return keys.values().stream()
          .filter(k -> java.util.Objects.equals(k.tenant(), tenant.orElse(null)))
          .toList();
    }

    @Override
    public synchronized boolean removeKey(Optional<TenantId> tenant, String keyId) {
      ApiKey k = keys.get(keyId);
      if (k == null || !java.util.Objects.equals(k.tenant(), tenant.orElse(null))) {
        return false;
      }
      keys.remove(keyId);
      return true;
    }

    @Override
    public void close() {}
  }
}
