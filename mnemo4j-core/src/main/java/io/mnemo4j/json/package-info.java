/**
 * The JSON shapes of memories, hits, events, history and receipts shared by the CLI and the server
 * ({@link io.mnemo4j.json.WireJson}), and the JSON text backends store memory fields as ({@link
 * io.mnemo4j.json.StoredJson}).
 */
@NullMarked
package io.mnemo4j.json;

import org.jspecify.annotations.NullMarked;
