/**
 * The race comparison across processes: a coordinator spreads a scenario's workers over child JVMs
 * that talk to it over stdin/stdout lines, and puts holders through real faults (SIGSTOP, SIGKILL,
 * a cut TCP connection). Only store backends can take part: their state lives outside the JVM.
 */
@NullMarked
package io.lockkit.race.proc;

import org.jspecify.annotations.NullMarked;
