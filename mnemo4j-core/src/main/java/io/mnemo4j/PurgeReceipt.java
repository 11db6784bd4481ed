package io.mnemo4j;

import java.time.Instant;

/**
 * Proof of offboarding: what {@link Admin#purgeTenant} removed. Holds counts and ids only, never
 * memory text.
 *
 * @param tenant the purged tenant
 * @param region the region its data lived in
 * @param memories memories removed
 * @param historyRows history rows removed
 * @param messages raw messages removed, and the messages of conversation windows
 * @param files files removed
 * @param bytes bytes those files held
 * @param purgedAt when the purge finished
 */
public record PurgeReceipt(
    String tenant,
    String region,
    long memories,
    long historyRows,
    long messages,
    long files,
    long bytes,
    Instant purgedAt) {}
