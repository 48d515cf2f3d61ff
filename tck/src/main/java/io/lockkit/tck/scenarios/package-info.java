/**
 * The race scenarios of the contract (CONTRACT.md §8), each a constant of {@link
 * io.lockkit.tck.scenarios.Scenarios}: run by the kits as tests, and outside JUnit by the race
 * comparison, each yielding a {@link io.lockkit.tck.scenarios.ScenarioRow}.
 */
@NullMarked
package io.lockkit.tck.scenarios;

import org.jspecify.annotations.NullMarked;
