package io.mnemo4j.spring.boot.autoconfigure;

import io.mnemo4j.Mnemo;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.spring.ai.MnemoChatMemoryRepository;
import io.mnemo4j.spring.ai.MnemoMemoryAdvisor;
import io.mnemo4j.spring.ai.SpringAiLanguageModel;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Mnemo4j in Spring AI: the application's {@link ChatModel} becomes Mnemo4j's language model (no
 * second model configuration), a {@link ChatMemoryRepository} keeps chat windows in the {@code
 * mnemo.tenant} tenant (before Spring AI's in-memory one is configured, which then backs off), and
 * a {@link MnemoMemoryAdvisor} bean is ready to add to chat clients. Each backs off when the
 * application defines its own.
 */
@AutoConfiguration(
    after = MnemoAutoConfiguration.class,
    beforeName =
        "org.springframework.ai.model.chat.memory.autoconfigure.ChatMemoryAutoConfiguration")
@ConditionalOnClass({ChatModel.class, Mnemo.class})
@ConditionalOnBooleanProperty(name = "mnemo.enabled", matchIfMissing = true)
public class MnemoSpringAiAutoConfiguration {
  private static final System.Logger LOG =
      System.getLogger(MnemoSpringAiAutoConfiguration.class.getName());

  /** Creates the configuration (Spring calls it). */
  public MnemoSpringAiAutoConfiguration() {}

  /**
   * Offers the application's ChatModel to the Mnemo bean, resolved when that bean is built: the one
   * named by {@code mnemo.inference.chat-model}, else the only one.
   */
  @Bean
  ModelSource mnemoSpringAiModelSource(ListableBeanFactory beans, MnemoProperties properties) {
    return () -> chatModel(beans, properties.getInference());
  }

  private static Optional<LanguageModel> chatModel(
      ListableBeanFactory beans, MnemoInferenceProperties p) {
    Map<String, ChatModel> models = beans.getBeansOfType(ChatModel.class);
    String name = p.getChatModel();
    ChatModel model;
    String id;
    if (name != null) {
      model = models.get(name);
      if (model == null) {
        throw new IllegalArgumentException(
            "mnemo.inference.chat-model: no ChatModel bean named '"
                + name
                + "'; the ChatModel beans are "
                + models.keySet());
      }
      id = name;
    } else if (models.size() == 1) {
      Map.Entry<String, ChatModel> only = models.entrySet().iterator().next();
      model = only.getValue();
      id = only.getKey();
    } else {
      if (models.size() > 1) {
        LOG.log(
            System.Logger.Level.WARNING,
            "several ChatModel beans {0}: set mnemo.inference.chat-model to use one for fact"
                + " extraction; adds are verbatim meanwhile",
            models.keySet());
      }
      return Optional.empty();
    }
    boolean nativeSchema =
        switch (p.getStructuredOutput().toLowerCase(Locale.ROOT)) {
          case "auto" -> true;
          case "prompt" -> false;
          default ->
              throw new IllegalArgumentException(
                  "mnemo.inference.structured-output must be auto or prompt, got '"
                      + p.getStructuredOutput()
                      + "'");
        };
    return Optional.of(new SpringAiLanguageModel(model, "spring-ai:" + id, nativeSchema));
  }

  /** Chat windows in the {@code mnemo.tenant} tenant. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBooleanProperty(name = "mnemo.chat-memory.enabled", matchIfMissing = true)
  static class ChatMemoryConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(Mnemo.class)
    ChatMemoryRepository mnemoChatMemoryRepository(Mnemo mnemo, MnemoProperties properties) {
      return new MnemoChatMemoryRepository(mnemo.tenant(properties.getTenant()));
    }
  }

  /** The long-term memory advisor (needs Spring AI's chat client). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.ai.chat.client.advisor.api.BaseAdvisor")
  @ConditionalOnBooleanProperty(name = "mnemo.advisor.enabled", matchIfMissing = true)
  static class AdvisorConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(Mnemo.class)
    MnemoMemoryAdvisor mnemoMemoryAdvisor(Mnemo mnemo, MnemoProperties properties) {
      MnemoAdvisorProperties a = properties.getAdvisor();
      boolean answers =
          switch (a.getRemember().toLowerCase(Locale.ROOT)) {
            case "exchange" -> true;
            case "user" -> false;
            default ->
                throw new IllegalArgumentException(
                    "mnemo.advisor.remember must be exchange or user, got '"
                        + a.getRemember()
                        + "'");
          };
      return MnemoMemoryAdvisor.builder(mnemo)
          .tenant(properties.getTenant())
          .limit(a.getLimit())
          .minScore(a.getMinScore())
          .includeTenantWide(a.isIncludeTenantWide())
          .template(a.getTemplate())
          .async(a.isAsync())
          .rememberAnswers(answers)
          .order(a.getOrder())
          .build();
    }
  }
}
