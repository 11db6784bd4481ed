/**
 * The JSON shapes of memories, hits, events, history and receipts shared by the CLI and the server.
 */
@NullMarked
package io.mnemo4j.json;

import org.jspecify.annotations.NullMarked;
