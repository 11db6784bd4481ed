package io.mnemo4j.spring.boot.autoconfigure;

import io.mnemo4j.spring.ai.MnemoMemoryAdvisor;

/**
 * The Spring AI long-term memory advisor: {@code mnemo.advisor.*}. Not thread-safe (bound once).
 */
public class MnemoAdvisorProperties {
  /** Whether to provide the MnemoMemoryAdvisor bean. */
  private boolean enabled = true;

  /** Most memories added to a prompt. */
  private int limit = 5;

  /** Query-to-memory cosine similarity a memory needs to be added to the prompt (0 to 1). */
  private double minScore = 0.0;

  /** Whether tenant-wide (organisation) memories are searched too (as in the core: on request). */
  private boolean includeTenantWide;

  /**
   * Appended to the system message when memories are found; {memories} is replaced by one line per
   * memory.
   */
  private String template = MnemoMemoryAdvisor.DEFAULT_TEMPLATE;

  /** Whether the exchange is added after the call in the background (false: before returning). */
  private boolean async = true;

  /** What is added after the call: exchange (user and assistant) or user (user messages only). */
  private String remember = "exchange";

  /** The advisor's order in the chain (after MessageChatMemoryAdvisor by default). */
  private int order = MnemoMemoryAdvisor.DEFAULT_ORDER;

  /** Returns whether the advisor is enabled. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Sets whether the advisor is enabled. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** Returns the limit. */
  public int getLimit() {
    return limit;
  }

  /** Sets the limit. */
  public void setLimit(int limit) {
    this.limit = limit;
  }

  /** Returns the minimum similarity. */
  public double getMinScore() {
    return minScore;
  }

  /** Sets the minimum similarity. */
  public void setMinScore(double minScore) {
    this.minScore = minScore;
  }

  /** Returns whether tenant-wide memories are searched. */
  public boolean isIncludeTenantWide() {
    return includeTenantWide;
  }

  /** Sets whether tenant-wide memories are searched. */
  public void setIncludeTenantWide(boolean includeTenantWide) {
    this.includeTenantWide = includeTenantWide;
  }

  /** Returns the template. */
  public String getTemplate() {
    return template;
  }

  /** Sets the template. */
  public void setTemplate(String template) {
    this.template = template;
  }

  /** Returns whether adds are asynchronous. */
  public boolean isAsync() {
    return async;
  }

  /** Sets whether adds are asynchronous. */
  public void setAsync(boolean async) {
    this.async = async;
  }

  /** Returns what is remembered. */
  public String getRemember() {
    return remember;
  }

  /** Sets what is remembered. */
  public void setRemember(String remember) {
    this.remember = remember;
  }

  /** Returns the order. */
  public int getOrder() {
    return order;
  }

  /** Sets the order. */
  public void setOrder(int order) {
    this.order = order;
  }
}
