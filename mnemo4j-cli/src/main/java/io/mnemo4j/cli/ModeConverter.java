package io.mnemo4j.cli;

import io.mnemo4j.Search;
import java.util.Locale;
import picocli.CommandLine;

/** Parses {@code --mode hybrid|dense|text}. */
final class ModeConverter implements CommandLine.ITypeConverter<Search.Mode> {
  @Override
  public Search.Mode convert(String value) {
    try {
      return Search.Mode.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(
          "expected hybrid, dense or text but was '" + value + "'");
    }
  }
}
