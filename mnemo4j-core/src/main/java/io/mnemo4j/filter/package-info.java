/**
 * The filter language: a JSON syntax (after Mem0's) parsed into a sealed, typed expression tree.
 */
@NullMarked
package io.mnemo4j.filter;

import org.jspecify.annotations.NullMarked;
