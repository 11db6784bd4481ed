package io.mnemo4j.spring.boot.autoconfigure;

/**
 * The Spring AI ChatMemoryRepository: {@code mnemo.chat-memory.*}. Not thread-safe (bound once).
 */
public class MnemoChatMemoryProperties {
  /** Whether to provide the ChatMemoryRepository bean (windows kept in mnemo.tenant). */
  private boolean enabled = true;

  /** Returns whether the repository is enabled. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Sets whether the repository is enabled. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }
}
