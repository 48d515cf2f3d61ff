package io.lockkit.tck;

/**
 * The test both kits begin with, on the test target itself rather than on a rule of the contract.
 */
public interface FixtureRules {
    /**
     * The fixture: the target opens independent clients of one store, declaring one lease kind.
     *
     * <p>If this fails, look at your {@link TckTarget}: {@code newClient()} must return a new client
     * of the same store; {@code capabilities()} must hold exactly one of {@code TIMED_LEASE}, {@code
     * SESSION_LEASE}; {@code name()} not blank. Fix this first: every other failure may follow from it.
     */
    void fixture_targetOpensIndependentClientsOfOneStore();
}
