/** Binds a Herald hub's metrics to Micrometer. */
module io.herald.micrometer {
    requires transitive io.herald.core;
    requires transitive micrometer.core;

    exports io.herald.micrometer;
}
