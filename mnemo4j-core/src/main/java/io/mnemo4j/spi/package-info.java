/** Service provider interfaces a backend implements: embedders, stores and the tenant catalog. */
@NullMarked
package io.mnemo4j.spi;

import org.jspecify.annotations.NullMarked;
