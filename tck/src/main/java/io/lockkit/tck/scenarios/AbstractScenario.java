package io.lockkit.tck.scenarios;

import io.lockkit.tck.Rule;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.internal.Traces;
import java.util.List;

/**
 * The frame every scenario shares: a row is always produced, and an exception thrown by the
 * scenario's own steps (setup, fault injection, checks) is reported in it instead of lost.
 */
abstract class AbstractScenario implements Scenario {
    private final String id;
    private final String title;
    private final List<Rule> rules;

    AbstractScenario(String id, String title, Rule... rules) {
        this.id = id;
        this.title = title;
        this.rules = List.of(rules);
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String title() {
        return title;
    }

    @Override
    public final List<Rule> rules() {
        return rules;
    }

    @Override
    public final ScenarioRow run(TckTarget target, TckSettings settings) throws Exception {
        Row row = new Row(this, target.name());
        try {
            execute(target, settings, row);
        } catch (InterruptedException e) {
            throw e;
        } catch (UnsupportedOperationException e) {
            row.addUncaught(1);
            row.aborted(
                    "aborted: something is not implemented (every backend MUST implement all of StoreFaults): %s",
                    Traces.of(e));
        } catch (Exception | AssertionError e) {
            row.addUncaught(1);
            row.aborted("aborted by an exception: %s", Traces.of(e));
        }
        return row.build();
    }

    /** The scenario's steps; every check goes into {@code row}. */
    abstract void execute(TckTarget target, TckSettings settings, Row row) throws Exception;

    @Override
    public String toString() {
        return "scenario " + id + " " + title + " (" + Rule.ids(rules) + ")";
    }
}
