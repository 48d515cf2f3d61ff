/**
 * lockkit's one SVG chart generator ({@link io.lockkit.race.report.SvgChart}), for the race report and the
 * benchmark's chart. Needs only the JDK.
 */
@NullMarked
package io.lockkit.race.report;

import org.jspecify.annotations.NullMarked;
