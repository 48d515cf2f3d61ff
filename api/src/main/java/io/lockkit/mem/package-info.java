/**
 * The in-memory reference backend ({@code mem:}): every rule of the contract, in one process, on an
 * injectable clock, with both lease kinds and fault injection — the TCK's positive control and a
 * test double for users. Start at {@link io.lockkit.mem.MemBackend#builder(MemStore)}.
 */
@NullMarked
package io.lockkit.mem;

import org.jspecify.annotations.NullMarked;
