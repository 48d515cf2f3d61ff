/** Implementation details of lockkit-api. Public for lockkit's own modules; not API. */
@NullMarked
package io.lockkit.internal;

import org.jspecify.annotations.NullMarked;
