package io.mnemo4j.internal.transfer;

import io.mnemo4j.ConflictException;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.Context;
import io.mnemo4j.internal.TenantHandles;
import io.mnemo4j.internal.Tenants;
import io.mnemo4j.internal.ingest.EmbeddingContexts;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import io.mnemo4j.transfer.ExportFormat;
import io.mnemo4j.transfer.ExportOptions;
import io.mnemo4j.transfer.ExportReader;
import io.mnemo4j.transfer.ExportRecord;
import io.mnemo4j.transfer.ExportRecord.ConversationLine;
import io.mnemo4j.transfer.ExportRecord.EventLine;
import io.mnemo4j.transfer.ExportRecord.Header;
import io.mnemo4j.transfer.ExportRecord.HistoryLine;
import io.mnemo4j.transfer.ExportRecord.MemoryLine;
import io.mnemo4j.transfer.ExportRecord.MessageLine;
import io.mnemo4j.transfer.ExportRecord.Trailer;
import io.mnemo4j.transfer.ExportWriter;
import io.mnemo4j.transfer.ImportOptions;
import io.mnemo4j.transfer.TransferProgress;
import io.mnemo4j.transfer.TransferReceipt;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Exports a tenant to the portable format and imports a file into a new or empty tenant. Both
 * stream: at most one page of records is held at a time, whatever the tenant's size. An import
 * reads its file twice: first to validate every line (nothing is written when one is bad), then to
 * write. Thread-safe; concurrent writes to a tenant being exported or imported are the caller's
 * concern (an export then holds some state between the two).
 */
public final class Transfers {
  private static final System.Logger LOG = System.getLogger(Transfers.class.getName());

  /** Records read or written per store call. */
  static final int PAGE = 500;

  private final Context context;

  /** Transfers of the tenants of {@code context}. */
  public Transfers(Context context) {
    this.context = context;
  }

  // ------------------------------------------------------------------------------------- export

  /** Writes the tenant to {@code out} (not closed) as one export file. */
  public TransferReceipt export(TenantId id, OutputStream out, ExportOptions options) {
    long start = System.nanoTime();
    Tenants tenants = context.tenants();
    TenantInfo info = tenants.require(id);
    try (TenantHandles.Lease lease = context.lease(info)) {
      TenantStore store = lease.store();
      Header header =
          new Header(
              ExportFormat.NAME,
              ExportFormat.VERSION,
              id.value(),
              info.region(),
              context.embedder().modelId(),
              context.now(),
              options.vectors());
      ExportWriter writer = new ExportWriter(out, header);
      Trailer trailer = write(store, writer, options.vectors(), options.progress());
      LOG.log(
          System.Logger.Level.INFO,
          "tenant exported: {0} ({1} memories)",
          id,
          trailer.counts().getOrDefault("memory", 0L));
      return new TransferReceipt(
          id.value(),
          info.region(),
          trailer.counts(),
          trailer.checksums(),
          0,
          Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /** Writes every record of {@code store} after the header, then the trailer. */
  static Trailer write(
      TenantStore store, ExportWriter writer, boolean vectors, TransferProgress progress) {
    ScopeFilter everything = new ScopeFilter.Everything();
    FilterExpr all = new FilterExpr.All();
    long total = store.count(everything, all);
    long done = 0;
    progress.update("export", 0, total);
    String cursor = null;
    do {
      Page<StoredMemory> page = store.list(everything, all, new PageRequest(cursor, PAGE));
      for (StoredMemory m : page.items()) {
        writer.write(new MemoryLine(m, vectors));
      }
      done += page.items().size();
      progress.update("export", done, total);
      cursor = page.nextCursor();
    } while (cursor != null);
    cursor = null;
    do {
      Page<HistoryEntry> page = store.exportHistory(new PageRequest(cursor, PAGE));
      page.items().forEach(h -> writer.write(new HistoryLine(h)));
      cursor = page.nextCursor();
    } while (cursor != null);
    cursor = null;
    do {
      Page<StoredMessage> page = store.exportMessages(new PageRequest(cursor, PAGE));
      page.items().forEach(m -> writer.write(new MessageLine(m)));
      cursor = page.nextCursor();
    } while (cursor != null);
    cursor = null;
    do {
      Page<StoredEvent> page = store.exportEvents(new PageRequest(cursor, PAGE));
      page.items().forEach(e -> writer.write(new EventLine(e)));
      cursor = page.nextCursor();
    } while (cursor != null);
    cursor = null;
    do {
      Page<String> page = store.conversationIds(new PageRequest(cursor, PAGE));
      for (String conversation : page.items()) {
        writer.write(new ConversationLine(conversation, store.conversation(conversation)));
      }
      cursor = page.nextCursor();
    } while (cursor != null);
    return writer.finish();
  }

  // ------------------------------------------------------------------------------------- import

  /**
   * Imports {@code file} into the tenant, creating it when missing (in the options' region); an
   * existing tenant must be empty. Every line is validated before anything is written; a failure
   * while writing clears what was written, so the tenant is left as it was found.
   *
   * @throws InvalidRequestException naming the line and field of the first bad line
   * @throws ConflictException if the tenant holds data already
   */
  public TransferReceipt importFile(TenantId id, Path file, ImportOptions options) {
    long start = System.nanoTime();
    Embedder embedder = context.embedder();
    Validation checked = validate(file, embedder, options.progress());
    Tenants tenants = context.tenants();
    Optional<TenantInfo> existing = tenants.find(id);
    TenantInfo info;
    if (existing.isPresent()) {
      info = existing.get();
      try (TenantHandles.Lease lease = context.lease(info)) {
        requireEmpty(id, lease.store());
      }
    } else {
      info = tenants.create(id, options.regionIfSet().orElse(tenants.defaultRegion()));
    }
    long embedded;
    try {
      embedded = load(info, file, checked, options.progress());
    } catch (RuntimeException e) {
      try {
        if (existing.isPresent()) {
          tenants.clearNamespace(id);
        } else {
          tenants.purge(id);
        }
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    LOG.log(
        System.Logger.Level.INFO,
        "tenant imported: {0} ({1} memories, {2} embedded again)",
        id,
        checked.trailer.counts().getOrDefault("memory", 0L),
        embedded);
    return new TransferReceipt(
        id.value(),
        info.region(),
        checked.trailer.counts(),
        checked.trailer.checksums(),
        embedded,
        Duration.ofNanos(System.nanoTime() - start));
  }

  /** What the validation pass learnt. */
  private record Validation(Header header, Trailer trailer, long memories) {}

  /**
   * Reads the whole file, decoding and checking every line, without writing anything. A vector of
   * this instance's model must have its dimension; vectors of other models are embedded again.
   */
  private static Validation validate(Path file, Embedder embedder, TransferProgress progress) {
    long memories = 0;
    try (ExportReader reader = new ExportReader(open(file))) {
      for (Optional<ExportRecord> next = reader.next(); next.isPresent(); next = reader.next()) {
        ExportRecord r = next.get();
        if (r instanceof MemoryLine m) {
          memories++;
          if (m.hasVector()
              && m.memory().memory().embeddingModel().equals(embedder.modelId())
              && m.memory().embedding().length != embedder.dimension()) {
            throw new InvalidRequestException(
                "lines[" + reader.lineNumber() + "].vector.dimension",
                "line "
                    + reader.lineNumber()
                    + ": vector.dimension is "
                    + m.memory().embedding().length
                    + ", but "
                    + embedder.modelId()
                    + " makes vectors of "
                    + embedder.dimension());
          }
          if (memories % PAGE == 0) {
            progress.update("validate", memories, -1);
          }
        }
      }
      progress.update("validate", memories, memories);
      return new Validation(reader.header(), reader.trailer().orElseThrow(), memories);
    }
  }

  private static void requireEmpty(TenantId id, TenantStore store) {
    boolean empty =
        store.count(new ScopeFilter.Everything(), new FilterExpr.All()) == 0
            && store.exportHistory(PageRequest.first(1)).items().isEmpty()
            && store.exportMessages(PageRequest.first(1)).items().isEmpty()
            && store.exportEvents(PageRequest.first(1)).items().isEmpty()
            && store.conversationIds(PageRequest.first(1)).items().isEmpty();
    if (!empty) {
      throw new ConflictException(
          "tenant",
          "tenant "
              + id
              + " already holds data; import into a new tenant, or purge this one first");
    }
  }

  /** The writing pass; returns how many memories were embedded again. */
  private long load(TenantInfo info, Path file, Validation checked, TransferProgress progress) {
    try (TenantHandles.Lease lease = context.lease(info)) {
      return load(lease.store(), file, checked, progress);
    }
  }

  /**
   * Validates {@code file} and writes it into {@code target}, a store opened outside the tenant
   * cache (a move's copy in another region); returns the file's trailer.
   */
  public Trailer copyInto(TenantStore target, Path file, TransferProgress progress) {
    Validation checked = validate(file, context.embedder(), progress);
    load(target, file, checked, progress);
    return checked.trailer;
  }

  /** The trailer an export of {@code store} would end with (counts and checksums per kind). */
  public Trailer summarize(TenantStore store, TenantId id, String region) {
    Header header =
        new Header(
            ExportFormat.NAME,
            ExportFormat.VERSION,
            id.value(),
            region,
            context.embedder().modelId(),
            context.now(),
            true);
    return write(
        store,
        new ExportWriter(OutputStream.nullOutputStream(), header),
        true,
        TransferProgress.NONE);
  }

  private long load(TenantStore store, Path file, Validation checked, TransferProgress progress) {
    Embedder embedder = context.embedder();
    long embedded = 0;
    long done = 0;
    progress.update("import", 0, checked.memories);
    try (ExportReader reader = new ExportReader(open(file))) {
      Batch batch = new Batch(new EmbeddingContexts(context.settings().contextWindow()));
      for (Optional<ExportRecord> next = reader.next(); next.isPresent(); next = reader.next()) {
        switch (next.get()) {
          case MemoryLine m -> batch.memories.add(m);
          case HistoryLine h -> batch.history.add(h.entry());
          case MessageLine m -> batch.messages.add(m.message());
          case EventLine e -> batch.events.add(e.event());
          case ConversationLine c -> batch.conversations.add(c);
          case Header h -> throw new IllegalStateException("the reader returns no header");
          case Trailer t -> throw new IllegalStateException("the reader returns no trailer");
        }
        if (batch.size() >= PAGE) {
          done += batch.memories.size();
          embedded += batch.flush(store, embedder);
          progress.update("import", done, checked.memories);
        }
      }
      done += batch.memories.size();
      embedded += batch.flush(store, embedder);
      progress.update("import", done, checked.memories);
    }
    return embedded;
  }

  /** Records waiting to be written together. */
  private static final class Batch {
    /** What each memory was embedded as, followed across batches (the file is in id order). */
    final EmbeddingContexts contexts;

    final List<MemoryLine> memories = new ArrayList<>();
    final List<HistoryEntry> history = new ArrayList<>();
    final List<StoredMessage> messages = new ArrayList<>();
    final List<StoredEvent> events = new ArrayList<>();
    final List<ConversationLine> conversations = new ArrayList<>();

    int size() {
      return memories.size()
          + history.size()
          + messages.size()
          + events.size()
          + conversations.size();
    }

    Batch(EmbeddingContexts contexts) {
      this.contexts = contexts;
    }

    /**
     * Writes everything held, embedding memories without a vector of this model as ingest embedded
     * them (with their add's earlier messages); clears.
     */
    long flush(TenantStore store, Embedder embedder) {
      List<Integer> missing = new ArrayList<>();
      List<String> inputs = new ArrayList<>();
      for (int i = 0; i < memories.size(); i++) {
        MemoryLine m = memories.get(i);
        Memory memory = m.memory().memory();
        if (!m.hasVector() || !memory.embeddingModel().equals(embedder.modelId())) {
          missing.add(i);
          inputs.add(contexts.inputOf(memory));
        } else {
          contexts.remember(memory);
        }
      }
      List<float[]> vectors =
          missing.isEmpty() ? List.of() : embedder.embedAll(inputs, Embedder.Purpose.DOCUMENT);
      List<Change> changes = new ArrayList<>(memories.size());
      int next = 0;
      for (int i = 0; i < memories.size(); i++) {
        StoredMemory stored = memories.get(i).memory();
        if (next < missing.size() && missing.get(next) == i) {
          Memory m = stored.memory();
          Memory renamed =
              m.withText(m.text(), m.hash(), m.metadata(), m.updatedAt(), embedder.modelId());
          stored = new StoredMemory(renamed, vectors.get(next), stored.context());
          next++;
        }
        changes.add(new Change.Put(stored));
      }
      if (!changes.isEmpty() || !history.isEmpty() || !messages.isEmpty() || !events.isEmpty()) {
        store.write(new WriteBatch(changes, history, messages, events));
      }
      for (ConversationLine c : conversations) {
        store.replaceConversation(c.id(), c.messages());
      }
      long embeddedHere = missing.size();
      memories.clear();
      history.clear();
      messages.clear();
      events.clear();
      conversations.clear();
      return embeddedHere;
    }
  }

  private static InputStream open(Path file) {
    try {
      return Files.newInputStream(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file, e);
    }
  }
}
