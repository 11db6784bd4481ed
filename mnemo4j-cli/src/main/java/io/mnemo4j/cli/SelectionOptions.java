package io.mnemo4j.cli;

import io.mnemo4j.Selection;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterParser;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Which memories {@code search} and {@code list} see: a scope, optionally with tenant-wide memory,
 * or explicitly the whole tenant, narrowed by a filter. No scope and no {@code --all} selects
 * tenant-wide (organisation) memory only.
 */
final class SelectionOptions {
  @Mixin ScopeOptions scope = new ScopeOptions();

  @Option(
      names = "--with-tenant-wide",
      description = "Also include tenant-wide (organisation) memories.")
  boolean withTenantWide;

  @Option(
      names = "--all",
      description = "The whole tenant, every scope (not combinable with --user/--agent/--run).")
  boolean all;

  @Option(
      names = "--filters",
      paramLabel = "JSON",
      description = "Filter (Mem0 v2 syntax), e.g. '{\"metadata\":{\"topic\":\"crm\"}}'.")
  @Nullable String filters;

  Selection selection() {
    if (all && (scope.any() || withTenantWide)) {
      throw new MnemoCli.UsageException(
          "--all selects the whole tenant; it cannot be combined with --user, --agent, --run or --with-tenant-wide");
    }
    Selection s = all ? Selection.everywhere() : Selection.in(scope.scope());
    if (withTenantWide && !all) {
      s = s.withTenantWide();
    }
    return s.filter(filter());
  }

  private FilterExpr filter() {
    return filters == null ? new FilterExpr.All() : FilterParser.parse(filters);
  }
}
