package io.mnemo4j.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.Memory;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoredJsonTest {

  @Test
  void writeProvenance_isTheStoredForm() {
    Memory.Provenance p = new Memory.Provenance(Memory.Provenance.VERBATIM, List.of("msg-1"));

    assertThat(StoredJson.writeProvenance(p))
        .isEqualTo("{\"source\":\"verbatim\",\"message_ids\":[\"msg-1\"]}");
  }

  @Test
  void readProvenance_ofWritten_roundTrips() throws IOException {
    Memory.Provenance p = new Memory.Provenance(Memory.Provenance.INFERRED, List.of("a", "b"));

    assertThat(StoredJson.readProvenance(StoredJson.writeProvenance(p))).isEqualTo(p);
  }

  @Test
  void readProvenance_withoutMessageIds_hasNone() throws IOException {
    assertThat(StoredJson.readProvenance("{\"source\":\"verbatim\"}").messageIds()).isEmpty();
  }

  /**
   * NullAway found it: a stored provenance without a source (or with a non-text one) was cast and
   * handed to {@code Provenance}, which failed with a NullPointerException (or a
   * ClassCastException) instead of the IOException that every other unreadable stored JSON gives.
   */
  @Test
  void readProvenance_withoutTextSource_isIOException() {
    assertThatThrownBy(() -> StoredJson.readProvenance("{\"message_ids\":[]}"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("source");
    assertThatThrownBy(() -> StoredJson.readProvenance("{\"source\":1}"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void readObject_ofWrittenMetadata_keepsOrderAndValues() throws IOException {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("z", List.of("a", 1L));
    metadata.put("a", Map.of("x", true));

    String json = StoredJson.write(metadata);

    assertThat(json).isEqualTo("{\"z\":[\"a\",1],\"a\":{\"x\":true}}");
    assertThat(StoredJson.readObject(json))
        .containsExactly(Map.entry("z", List.of("a", 1)), Map.entry("a", Map.of("x", true)));
  }

  @Test
  void readStrings_ofWrittenCategories_roundTrips() throws IOException {
    assertThat(StoredJson.readStrings(StoredJson.write(List.of("food", "é"))))
        .containsExactly("food", "é");
  }

  @Test
  void readObject_malformed_isIOException() {
    assertThatThrownBy(() -> StoredJson.readObject("{\"a\":")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> StoredJson.readProvenance("[1]")).isInstanceOf(IOException.class);
  }

  @Test
  void write_notJsonCompatible_isIllegalState() {
    assertThatThrownBy(() -> StoredJson.write(new Object()))
        .isInstanceOf(IllegalStateException.class);
  }
}
