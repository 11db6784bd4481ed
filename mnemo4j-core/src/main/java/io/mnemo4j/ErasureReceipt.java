package io.mnemo4j;

/**
 * What erasing raw messages removed ({@link TenantMemory#eraseMessage}, {@link
 * TenantMemory#eraseRun}). Counts only, never text. Immutable.
 *
 * @param messages raw messages deleted
 * @param memories memories deleted because every message they came from was erased (closed earlier
 *     versions of them go too, and are not counted: they are history, not memories)
 * @param memoriesKept memories that came from an erased message and from others that remain: they
 *     stay, and their provenance no longer names the erased messages
 */
public record ErasureReceipt(long messages, long memories, long memoriesKept) {
  /** A receipt of nothing erased. */
  public static final ErasureReceipt NONE = new ErasureReceipt(0, 0, 0);

  /** The sum of two receipts. */
  public ErasureReceipt plus(ErasureReceipt other) {
    return new ErasureReceipt(
        messages + other.messages, memories + other.memories, memoriesKept + other.memoriesKept);
  }
}
