package io.mnemo4j.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.AddOptions;
import io.mnemo4j.AddResult;
import io.mnemo4j.EventType;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Message;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code add_memory}: {@code text} (or Mem0's {@code messages}) into the scope the call names, else
 * the caller's default user and agent, else organisation (tenant-wide) memory. Stateless and
 * thread-safe.
 */
final class AddMemoryTool {
  private static final int MAX_MESSAGES = 256;

  private AddMemoryTool() {}

  /** Runs the tool; the events the add applied are appended to {@code events}. */
  static JsonNode run(Caller caller, Args args, List<EventType> events) {
    ToolSupport.refuseAppId(args);
    String text = args.requiredString("text");
    List<Message> messages = messages(args).orElseGet(() -> List.of(userMessage(text)));
    Optional<String> user = args.string("user_id");
    Optional<String> agent = args.string("agent_id");
    Optional<String> run = args.string("run_id");
    Scope requested;
    if (user.isEmpty() && agent.isEmpty() && run.isEmpty()) {
      requested = new Scope(caller.defaultUser(), caller.defaultAgent(), null);
    } else {
      // As Mem0's server: ids named in the call replace the defaults.
      requested = ToolSupport.scope(user.orElse(null), agent.orElse(null), run.orElse(null));
    }
    Scope scope = caller.writeScope(requested, "user_id");
    AddOptions options = AddOptions.none();
    Optional<ObjectNode> metadata = args.object("metadata");
    if (metadata.isPresent()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> md = Shapes.MAPPER.convertValue(metadata.get(), Map.class);
      options = options.withMetadata(md);
    }
    AddResult result = caller.memory().ingest(messages, scope, options);
    result.events().forEach(e -> events.add(e.event()));
    ObjectNode answer = Shapes.added(result);
    if (args.bool("enable_graph").orElse(false)) {
      answer.putArray("relations");
    }
    return answer;
  }

  private static Message userMessage(String text) {
    try {
      return new Message(Role.USER, text, null);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("text", e.getMessage().replace("message content", "text"));
    }
  }

  private static Optional<List<Message>> messages(Args args) {
    Optional<JsonNode> node = args.array("messages");
    if (node.isEmpty() || node.get().isEmpty()) {
      return Optional.empty();
    }
    JsonNode items = node.get();
    if (items.size() > MAX_MESSAGES) {
      throw new InvalidRequestException(
          "messages", "at most " + MAX_MESSAGES + " messages per call");
    }
    List<Message> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String at = "messages[" + i + "]";
      JsonNode m = items.get(i);
      if (!m.isObject()) {
        throw new InvalidRequestException(at, at + " must be an object with role and content");
      }
      for (var it = m.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!key.equals("role") && !key.equals("content") && !key.equals("name")) {
          throw new InvalidRequestException(
              at + "." + Args.clip(key),
              "unknown field '"
                  + Args.clip(key)
                  + "' in "
                  + at
                  + "; a message has role, content"
                  + " and name");
        }
      }
      String role = text(m, "role", at, true);
      String content = text(m, "content", at, true);
      String name = text(m, "name", at, false);
      Role r = Role.parse(at + ".role", Objects.requireNonNull(role));
      try {
        out.add(new Message(r, Objects.requireNonNull(content), name));
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException(e.field().replace("messages", at), e.getMessage());
      }
    }
    return Optional.of(out);
  }

  private static @Nullable String text(JsonNode obj, String name, String at, boolean required) {
    JsonNode v = obj.get(name);
    if (v == null || v.isNull()) {
      if (required) {
        throw new InvalidRequestException(at + "." + name, at + "." + name + " is required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidRequestException(at + "." + name, at + "." + name + " must be a string");
    }
    return v.asText();
  }
}
