/**
 * Micrometer meters for any lockkit backend ({@link io.lockkit.micrometer.LockKitMetrics}). Its public
 * API takes a {@code Backend} and a {@code MeterRegistry}, hence {@code requires transitive} on both;
 * Micrometer's module name is the {@code Automatic-Module-Name} its jar declares, {@code micrometer.core}.
 */
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module io.lockkit.micrometer {
    requires transitive io.lockkit;
    requires transitive micrometer.core;
    requires static org.jspecify;

    exports io.lockkit.micrometer;
}
