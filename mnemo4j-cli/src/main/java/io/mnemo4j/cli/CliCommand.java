package io.mnemo4j.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of every subcommand: reaches the root command's global options and streams. */
abstract class CliCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  MnemoCli cli() {
    return (MnemoCli) spec.root().userObject();
  }

  PrintStream out() {
    return cli().out();
  }

  boolean json() {
    return cli().json();
  }
}
