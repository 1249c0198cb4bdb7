package io.herald.examples;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The examples this build contains, by {@code --example} name, in the order {@code --help} lists them. */
final class Examples {
    static final Map<String, Supplier<ExampleApp>> SEEDS = seeds();

    private Examples() {
    }

    private static Map<String, Supplier<ExampleApp>> seeds() {
        Map<String, Supplier<ExampleApp>> seeds = new LinkedHashMap<>();
        seeds.put("seed000", Seed000App::new);
        seeds.put("seed001", Seed001App::new);
        seeds.put("seed002", Seed002App::new);
        seeds.put("seed003", Seed003App::new);
        seeds.put("seed004", Seed004App::new);
        return seeds;
    }

    /**
     * @param name an {@code --example} name, or {@code null} for the dashboard
     * @return a new instance of that example
     */
    static ExampleApp create(String name) {
        return name == null ? new DashboardApp() : SEEDS.get(name).get();
    }
}
