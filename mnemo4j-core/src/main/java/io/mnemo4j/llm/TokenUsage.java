package io.mnemo4j.llm;

/**
 * Tokens a call (or a sum of calls) consumed. Immutable.
 *
 * @param inputTokens prompt tokens
 * @param outputTokens completion tokens
 * @param calls how many model calls this covers
 */
public record TokenUsage(long inputTokens, long outputTokens, int calls) {
  /** Nothing used. */
  public static final TokenUsage NONE = new TokenUsage(0, 0, 0);

  /** One call's usage. */
  public static TokenUsage ofCall(long inputTokens, long outputTokens) {
    return new TokenUsage(inputTokens, outputTokens, 1);
  }

  /** The sum of both. */
  public TokenUsage plus(TokenUsage other) {
    return new TokenUsage(
        inputTokens + other.inputTokens, outputTokens + other.outputTokens, calls + other.calls);
  }

  /** Input plus output tokens. */
  public long totalTokens() {
    return inputTokens + outputTokens;
  }
}
