package io.mnemo4j.spi;

/**
 * What a store removed when purging a tenant's namespace.
 *
 * @param memories memories removed
 * @param historyRows history rows removed
 * @param messages raw messages removed, and the messages of conversation windows
 * @param files files removed (0 for a database backend)
 * @param bytes bytes removed (files, or the namespace's relation sizes)
 */
public record PurgeStats(long memories, long historyRows, long messages, long files, long bytes) {}
