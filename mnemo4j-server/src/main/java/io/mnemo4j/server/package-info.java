/**
 * The Mnemo4j HTTP server: {@link io.mnemo4j.server.MnemoServer} serves one {@link
 * io.mnemo4j.Mnemo} over REST (native routes, Mem0-compatible routes, tenant administration,
 * health, metrics, OpenAPI), configured by {@link io.mnemo4j.server.ServerConfig}. Everything else
 * in this package is implementation.
 */
@NullMarked
package io.mnemo4j.server;

import org.jspecify.annotations.NullMarked;
