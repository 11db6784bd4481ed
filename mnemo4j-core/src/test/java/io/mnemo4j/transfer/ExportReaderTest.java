package io.mnemo4j.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The file-level rules of the reader: header first, end last and matching, nothing after it. */
class ExportReaderTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00.123456789Z");

  private static String file(int historyRows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ExportWriter w =
        new ExportWriter(
            out,
            new ExportRecord.Header(
                ExportFormat.NAME, ExportFormat.VERSION, "acme", "eu", "m", T, true))) {
      for (int i = 0; i < historyRows; i++) {
        w.write(
            new ExportRecord.HistoryLine(
                new HistoryEntry("h" + i, "m" + i, EventType.ADD, null, "text " + i, "api", T)));
      }
      w.finish();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static List<ExportRecord> readAll(String text) {
    List<ExportRecord> out = new ArrayList<>();
    try (ExportReader r =
        new ExportReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
      Optional<ExportRecord> next;
      while ((next = r.next()).isPresent()) {
        out.add(next.get());
      }
      assertThat(r.trailer()).isPresent();
    }
    return out;
  }

  @Test
  void read_writtenFile_givesItsRecordsWithTimesToTheNanosecond() {
    List<ExportRecord> records = readAll(file(3));
    assertThat(records).hasSize(3);
    assertThat(((ExportRecord.HistoryLine) records.get(2)).entry().at()).isEqualTo(T);
    assertThat(readAll(file(0))).isEmpty();
    assertThat(readAll(file(2).replace("\n", "\r\n"))).hasSize(2);
  }

  @Test
  void read_fileCutShort_isRefusedAtItsEnd() {
    String text = file(3);
    String cut = text.substring(0, text.lastIndexOf("{\"kind\":\"end\""));
    assertThatThrownBy(() -> readAll(cut))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("line 5: the file ends without its end record (cut short?)");
  }

  @Test
  void read_lineAfterTheEnd_isRefused() {
    assertThatThrownBy(() -> readAll(file(1) + "{}\n"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("nothing may follow the end record");
  }

  @Test
  void read_alteredLine_failsItsChecksum() {
    String altered = file(3).replace("text 1", "text X");
    assertThatThrownBy(() -> readAll(altered))
        .isInstanceOfSatisfying(
            InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("lines[5].checksums.history"));
  }

  @Test
  void read_droppedLine_failsItsCount() {
    String text = file(3);
    String dropped = text.replaceFirst("\\{\"kind\":\"history\",\"id\":\"h1\"[^\n]*\n", "");
    assertThatThrownBy(() -> readAll(dropped))
        .isInstanceOfSatisfying(
            InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("lines[4].counts.history"));
  }

  @Test
  void read_noHeaderOrASecondOne_isRefused() {
    String text = file(1);
    String body = text.substring(text.indexOf('\n') + 1);
    assertThatThrownBy(() -> readAll(body))
        .hasMessage("line 1: kind must be header (the file must start with its header)");
    String header = text.substring(0, text.indexOf('\n') + 1);
    assertThatThrownBy(() -> readAll(header + text)).hasMessage("line 2: a second header");
    assertThatThrownBy(() -> readAll("")).hasMessageContaining("the file is empty");
    assertThatThrownBy(() -> readAll(header.replace("\"version\":1", "\"version\":2")))
        .hasMessageContaining("format version 2 is not supported");
  }

  @Test
  void read_invalidUtf8_isRefusedNamingTheLine() {
    byte[] bytes = file(1).getBytes(StandardCharsets.UTF_8);
    byte[] bad = new byte[bytes.length + 1];
    int cut = file(1).indexOf('\n') + 1;
    System.arraycopy(bytes, 0, bad, 0, cut);
    bad[cut] = (byte) 0xC3; // a lead byte followed by '{': malformed
    System.arraycopy(bytes, cut, bad, cut + 1, bytes.length - cut);
    assertThatThrownBy(
            () -> {
              try (ExportReader r = new ExportReader(new ByteArrayInputStream(bad))) {
                while (r.next().isPresent()) {
                  // read on
                }
              }
            })
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("not UTF-8");
  }
}
