package io.mnemo4j.cli;

import io.mnemo4j.Scope;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * {@code --user}, {@code --agent}, {@code --run}: the scope inside a tenant. Mixed into commands.
 */
final class ScopeOptions {
  @Option(names = "--user", paramLabel = "U", description = "User id.")
  @Nullable String user;

  @Option(names = "--agent", paramLabel = "A", description = "Agent id.")
  @Nullable String agent;

  @Option(names = "--run", paramLabel = "R", description = "Run (session) id.")
  @Nullable String run;

  /** The scope; none of the options means tenant-wide (organisation memory). */
  Scope scope() {
    return new Scope(user, agent, run);
  }

  boolean any() {
    return user != null || agent != null || run != null;
  }
}
