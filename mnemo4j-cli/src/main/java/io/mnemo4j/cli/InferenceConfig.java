package io.mnemo4j.cli;

import io.mnemo4j.InferenceMode;
import io.mnemo4j.InferenceSettings;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantId;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.llm.langchain4j.LanguageModels;
import io.mnemo4j.llm.langchain4j.LlmConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Turns the {@code llm}, {@code inference} and {@code tenants} sections of the configuration file
 * into the builder's inference settings. Keys are checked when the file is read, so a typo fails at
 * start, never at the first add. Secrets come from the environment ({@code env}).
 */
final class InferenceConfig {
  private InferenceConfig() {}

  /** Applies the configuration to {@code builder}. */
  static Mnemo.Builder apply(
      Mnemo.Builder builder, ConfigFile config, Function<String, String> env) {
    LanguageModel model = model(config.llm(), "llm", env);
    InferenceSettings base =
        settings(InferenceSettings.none().withModel(model), config.inference(), "inference");
    builder.inference(base);
    if (config.tenants() != null) {
      for (Map.Entry<String, ConfigFile.TenantOverride> e : config.tenants().entrySet()) {
        String where = "tenants." + e.getKey();
        try {
          TenantId.of(e.getKey());
        } catch (InvalidRequestException bad) {
          throw new InvalidRequestException("config." + where, bad.getMessage());
        }
        ConfigFile.TenantOverride o = e.getValue();
        InferenceSettings s = base;
        if (o != null && o.llm() != null) {
          s = s.withModel(model(o.llm(), where + ".llm", env));
        }
        if (o != null) {
          s = settings(s, o.inference(), where + ".inference");
        }
        builder.tenantInference(e.getKey(), s);
      }
    }
    return builder;
  }

  private static @Nullable LanguageModel model(
      @Nullable Map<String, Object> block, String where, Function<String, String> env) {
    if (block == null) {
      return null;
    }
    try {
      return LanguageModels.create(LlmConfig.parse(block), env);
    } catch (InvalidRequestException e) {
      // LlmConfig names fields from "llm."; re-root them where this block sits in the file.
      String field = e.field() == null ? where : e.field().replaceFirst("^llm", where);
      throw new InvalidRequestException("config." + field, e.getMessage());
    }
  }

  private static InferenceSettings settings(
      InferenceSettings base, ConfigFile.@Nullable Inference section, String where) {
    if (section == null) {
      return base;
    }
    InferenceSettings s = base;
    if (section.mode() != null) {
      s = s.withMode(InferenceMode.parse("config." + where + ".mode", section.mode()));
    }
    if (section.instructions() != null) {
      s = s.withInstructions(section.instructions());
    }
    if (section.categories() != null) {
      List<String> cats = section.categories();
      for (String c : cats) {
        if (c == null || c.isBlank() || c.length() > 128) {
          throw new InvalidRequestException(
              "config." + where + ".categories", "categories must be 1 to 128 characters");
        }
      }
      s = s.withCategories(cats);
    }
    if (section.maxFacts() != null || section.maxFactChars() != null) {
      try {
        s =
            s.withLimits(
                section.maxFacts() != null ? section.maxFacts() : s.maxFacts(),
                section.maxFactChars() != null ? section.maxFactChars() : s.maxFactChars());
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException("config." + where + "." + e.field(), e.getMessage());
      }
    }
    return s;
  }
}
