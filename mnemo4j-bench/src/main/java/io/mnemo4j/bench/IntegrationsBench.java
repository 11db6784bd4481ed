package io.mnemo4j.bench;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.query.Metadata;
import dev.langchain4j.rag.query.Query;
import io.mnemo4j.AddOptions;
import io.mnemo4j.Hit;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.langchain4j.MnemoContentRetriever;
import io.mnemo4j.spring.ai.MnemoMemoryAdvisor;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.AdvisorChain;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the integrations cost on top of the memory engine, side by side in one run: for each query,
 * in rotating order, a direct {@link TenantMemory#search}, the LangChain4j {@link
 * MnemoContentRetriever} and the Spring AI {@link MnemoMemoryAdvisor}'s before-call step (search
 * and prompt augmentation); then the advisor's after-call step (queueing the exchange), and the
 * start-up time of a Spring Boot application using the starter with the embedded default. Same
 * tenant, same embedder, same queries for every path.
 */
final class IntegrationsBench {
  record Config(int memories, int queries, int warmup, int starts) {
    static Config from(Args a) {
      return new Config(
          a.intValue("memories", 2000),
          a.intValue("queries", 500),
          a.intValue("warmup", 100),
          a.intValue("starts", 5));
    }
  }

  private IntegrationsBench() {}

  /** A Spring AI chat model answering at once: the chain's cost without a model's. */
  static final class InstantModel implements ChatModel {
    @Override
    public ChatResponse call(Prompt prompt) {
      return new ChatResponse(List.of(new Generation(new AssistantMessage("ok"))));
    }
  }

  /** The application whose start-up is timed: the starter and nothing else. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class StarterApp {}

  static Report run(BenchMain.Common common, Config c) throws IOException, InterruptedException {
    Report report = new Report();
    Path work =
        Files.createTempDirectory(Files.createDirectories(common.workDir()), "integrations-");
    Texts texts = Texts.synthetic(common.seed(), c.memories(), c.queries() + c.warmup());
    Stats direct = new Stats();
    Stats retriever = new Stats();
    Stats advisorBefore = new Stats();
    Stats advisorAfter = new Stats();
    try (Mnemo mnemo =
        Mnemo.builder()
            .dataDir(work.resolve("data"))
            .backend(EmbeddedBackend.create())
            .embedder(Embedders.open(common.embedder()))
            .expirySweep(Duration.ZERO, Duration.ZERO)
            .build()) {
      TenantMemory tenant = mnemo.tenant("bench");
      Scope alice = Scope.user("alice");
      List<String> turns = texts.turns();
      for (int i = 0; i < turns.size(); i += 50) {
        List<Message> batch =
            turns.subList(i, Math.min(turns.size(), i + 50)).stream().map(Message::user).toList();
        tenant.add(batch, alice, AddOptions.none().withInfer(false));
      }
      MnemoContentRetriever lc4j =
          MnemoContentRetriever.builder(tenant).limit(5).includeTenantWide(true).build();
      MnemoMemoryAdvisor advisor =
          MnemoMemoryAdvisor.builder(mnemo)
              .tenant("bench")
              .limit(5)
              .includeTenantWide(true)
              .async(true)
              .build();
      InstantModel model = new InstantModel();
      Search search = Search.in(alice).limit(5).withTenantWide();
      Map<String, Object> params = Map.of(MnemoMemoryAdvisor.USER_ID, "alice");
      AdvisorChain chain = new NoChain();
      List<String> questions = texts.questions();
      int sink = 0;
      for (int i = 0; i < questions.size(); i++) {
        String q = questions.get(i);
        boolean measure = i >= c.warmup();
        for (int k = 0; k < 3; k++) {
          // Rotating order: no path always runs first (with a cold cache) or last.
          switch ((i + k) % 3) {
            case 0 -> {
              long t = System.nanoTime();
              List<Hit> hits = tenant.search(q, search);
              record(measure, direct, t);
              sink += hits.size();
            }
            case 1 -> {
              long t = System.nanoTime();
              List<Content> found =
                  lc4j.retrieve(
                      Query.from(q, Metadata.from(UserMessage.from(q), "alice", List.of())));
              record(measure, retriever, t);
              sink += found.size();
            }
            case 2 -> {
              ChatClientRequest request =
                  ChatClientRequest.builder().prompt(new Prompt(q)).context(params).build();
              long t = System.nanoTime();
              ChatClientRequest augmented = advisor.before(request, chain);
              record(measure, advisorBefore, t);
              sink += augmented.prompt().getInstructions().size();
            }
            default -> {}
          }
        }
      }
      // The after-call step, queueing the exchange (async, the default), timed alone.
      for (int i = 0; i < Math.min(200, questions.size()); i++) {
        String q = questions.get(i);
        ChatClientRequest augmented =
            advisor.before(
                ChatClientRequest.builder().prompt(new Prompt(q)).context(params).build(), chain);
        ChatClientResponse response =
            ChatClientResponse.builder()
                .chatResponse(model.call(augmented.prompt()))
                .context(augmented.context())
                .build();
        long t = System.nanoTime();
        advisor.after(response, chain);
        advisorAfter.add(System.nanoTime() - t);
      }
      mnemo.operations().awaitAsyncAdds(Duration.ofMinutes(5));
      report.put("sink", sink);
    }
    report.line(
        "integrations: %d memories in one user scope, %d queries (+%d warm-up), embedder %s",
        c.memories(), c.queries(), c.warmup(), common.embedder());
    line(report, "TenantMemory.search (direct)", direct);
    line(report, "LangChain4j MnemoContentRetriever", retriever);
    line(report, "Spring AI advisor before() (search + prompt)", advisorBefore);
    line(report, "advisor after() (queue the exchange)", advisorAfter);
    report.line(
        "overhead over a direct search (p50): retriever %+.3f ms, advisor before() %+.3f ms",
        retriever.percentileMs(50) - direct.percentileMs(50),
        advisorBefore.percentileMs(50) - direct.percentileMs(50));
    report.put("direct_search", direct.toJson());
    report.put("retriever", retriever.toJson());
    report.put("advisor_before", advisorBefore.toJson());
    report.put("advisor_after_async", advisorAfter.toJson());

    // Start-up: the first start in this JVM pays class loading and the ONNX model; later ones less.
    Stats starts = new Stats();
    double first = Double.NaN;
    for (int i = 0; i < c.starts(); i++) {
      Path dataDir = work.resolve("starter-" + i);
      long t = System.nanoTime();
      SpringApplication app = new SpringApplication(StarterApp.class);
      app.setWebApplicationType(WebApplicationType.NONE);
      try (ConfigurableApplicationContext context =
          app.run(
              "--mnemo.data-dir=" + dataDir,
              "--spring.main.banner-mode=off",
              "--logging.level.root=warn")) {
        long elapsed = System.nanoTime() - t;
        if (i == 0) {
          first = elapsed / 1e6;
        } else {
          starts.add(elapsed);
        }
        context.getBean(Mnemo.class).tenant("default");
      }
    }
    report.line(
        "starter start-up, embedded default: first in the JVM %.0f ms; later starts p50 %.0f ms (n=%d)",
        first, starts.percentileMs(50), starts.count());
    report.put("starter_first_start_ms", Stats.round1(first));
    report.put("starter_later_starts", starts.toJson());
    return report;
  }

  private static void record(boolean measure, Stats stats, long start) {
    long elapsed = System.nanoTime() - start;
    if (measure) {
      stats.add(elapsed);
    }
  }

  private static void line(Report r, String name, Stats s) {
    r.line(
        "  %-50s p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms  (n=%d)",
        name, s.percentileMs(50), s.percentileMs(90), s.percentileMs(99), s.count());
  }

  /** The chain handed to the advisor's steps, which never call it. */
  private static final class NoChain implements AdvisorChain {}
}
