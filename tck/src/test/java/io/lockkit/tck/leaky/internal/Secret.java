package io.lockkit.tck.leaky.internal;

/** For {@code PublicSignaturesTest}: an internal type. */
public interface Secret {}
