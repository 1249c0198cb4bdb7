package io.herald.examples;

import io.herald.Hub;
import io.herald.HubBuilder;
import java.io.PrintStream;

/**
 * One runnable example: how it configures the hub and what traffic it generates. The dashboard is one;
 * each seed system ({@code --example seed000} …) is another.
 */
interface ExampleApp {
    /** @return the name given to {@code --example}; {@code dashboard} for the default */
    String name();

    /** @return one line for {@code --help} */
    String summary();

    /**
     * Configures the hub; runs before the hub is built.
     *
     * @param builder the builder, with the demo's node name already set
     */
    void configure(HubBuilder builder);

    /**
     * Starts the example's demo traffic on its own daemon thread.
     *
     * @param hub the running hub
     * @return what stops the traffic
     */
    AutoCloseable startTraffic(Hub hub);

    /**
     * Prints what a user needs to try the example (tokens, sample frames).
     *
     * @param out where to print
     * @param port the HTTP port
     */
    default void printHelp(PrintStream out, int port) {
    }
}
