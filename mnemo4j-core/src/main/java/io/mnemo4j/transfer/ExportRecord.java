package io.mnemo4j.transfer;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of an export file. A closed set: the header comes first, the trailer last, and every
 * other line is one stored record of the tenant, kept whole (ids and times included). Records are
 * immutable.
 */
public sealed interface ExportRecord {
  /** The {@code kind} field naming this record's type on its line. */
  String kind();

  /**
   * The first line: what the file holds and where it came from.
   *
   * @param format always {@link ExportFormat#NAME}
   * @param version the format version, at most {@link ExportFormat#VERSION} for this reader
   * @param tenant the tenant exported
   * @param region its region at export time
   * @param embeddingModel the model the exporting instance embeds with
   * @param exportedAt when the export started
   * @param vectors whether memory lines carry their vectors
   */
  record Header(
      String format,
      int version,
      String tenant,
      String region,
      String embeddingModel,
      Instant exportedAt,
      boolean vectors)
      implements ExportRecord {
    /** Checks nulls. */
    public Header {
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(embeddingModel, "embeddingModel");
      Objects.requireNonNull(exportedAt, "exportedAt");
    }

    @Override
    public String kind() {
      return "header";
    }
  }

  /**
   * A memory with every field, open or closed ({@code valid_to} set), and its search context.
   *
   * @param memory the memory and what the store keeps beside it; its vector is meaningful only when
   *     {@code hasVector}
   * @param hasVector whether the line carries the vector (of {@code memory.embeddingModel()})
   */
  record MemoryLine(StoredMemory memory, boolean hasVector) implements ExportRecord {
    /** Checks nulls. */
    public MemoryLine {
      Objects.requireNonNull(memory, "memory");
    }

    /** The vector, when the line carries one. */
    public Optional<float[]> vector() {
      return hasVector ? Optional.of(memory.embedding()) : Optional.empty();
    }

    @Override
    public String kind() {
      return "memory";
    }
  }

  /**
   * One history row (history outlives its memory).
   *
   * @param entry the row
   */
  record HistoryLine(HistoryEntry entry) implements ExportRecord {
    @Override
    public String kind() {
      return "history";
    }
  }

  /**
   * One raw message as received.
   *
   * @param message the message
   */
  record MessageLine(StoredMessage message) implements ExportRecord {
    @Override
    public String kind() {
      return "message";
    }
  }

  /**
   * One operation record (queued add, idempotent answer).
   *
   * @param event the record
   */
  record EventLine(StoredEvent event) implements ExportRecord {
    @Override
    public String kind() {
      return "event";
    }
  }

  /**
   * One conversation window (chat memory of the integrations), its messages in order.
   *
   * @param id the window id
   * @param messages the messages
   */
  record ConversationLine(String id, List<ConversationMessage> messages) implements ExportRecord {
    /** Copies the list. */
    public ConversationLine {
      Objects.requireNonNull(id, "id");
      messages = List.copyOf(messages);
    }

    @Override
    public String kind() {
      return "conversation";
    }
  }

  /**
   * The last line: how many records of each kind precede it, and a SHA-256 of each kind's lines, so
   * that a truncated or altered file is refused and two copies of a tenant can be compared.
   *
   * @param counts records per kind ({@code memory}, {@code history}, ...)
   * @param checksums hex SHA-256 per kind over its lines' UTF-8 bytes, each followed by a newline
   */
  record Trailer(Map<String, Long> counts, Map<String, String> checksums) implements ExportRecord {
    /** Copies the maps. */
    public Trailer {
      counts = Map.copyOf(counts);
      checksums = Map.copyOf(checksums);
    }

    @Override
    public String kind() {
      return "end";
    }
  }
}
