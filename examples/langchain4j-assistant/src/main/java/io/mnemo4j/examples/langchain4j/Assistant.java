package io.mnemo4j.examples.langchain4j;

import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;
import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.embed.onnx.OnnxEmbedder;
import io.mnemo4j.langchain4j.MnemoChatMemoryStore;
import io.mnemo4j.langchain4j.MnemoContentRetriever;
import io.mnemo4j.langchain4j.ScopeMapping;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.nio.file.Path;

/** A chat assistant that remembers each user across sessions and restarts. */
public interface Assistant {
  /** One turn: the memory id is the user id. */
  String chat(@MemoryId String user, @UserMessage String text);

  /** Opens Mnemo4j's embedded default in {@code dataDir}. */
  static Mnemo openMnemo(Path dataDir) {
    return Mnemo.builder()
        .dataDir(dataDir)
        .backend(EmbeddedBackend.create())
        .embedder(OnnxEmbedder.bgeSmallEnV15Q())
        .build();
  }

  /** The assistant over one tenant's memory, answering with {@code model}. */
  static Assistant create(TenantMemory tenant, ChatModel model) {
    MnemoChatMemoryStore windows =
        MnemoChatMemoryStore.builder(tenant).rememberUserMessages(ScopeMapping.userId()).build();
    return AiServices.builder(Assistant.class)
        .chatModel(model)
        .chatMemoryProvider(
            id ->
                MessageWindowChatMemory.builder()
                    .id(id)
                    .maxMessages(20)
                    .chatMemoryStore(windows)
                    .build())
        .contentRetriever(MnemoContentRetriever.builder(tenant).limit(3).minScore(0.5).build())
        // The window keeps what the user said, not the prompt augmented with memories.
        .storeRetrievedContentInChatMemory(false)
        .build();
  }

  /** Runs a short scripted session and prints it. */
  static void main(String[] args) throws InterruptedException {
    try (Mnemo mnemo = openMnemo(Path.of("mnemo-data"))) {
      Assistant assistant = create(mnemo.tenant("default"), new ScriptedChatModel());
      for (String text :
          new String[] {
            "I am vegetarian and I live in Lisbon", "any vegetarian dinner ideas for tonight?"
          }) {
        System.out.println("alice> " + text);
        System.out.println("assistant> " + assistant.chat("alice", text));
      }
      mnemo.operations().awaitAsyncAdds(java.time.Duration.ofSeconds(30));
    }
  }
}
