package io.herald.examples;

import io.herald.Hub;
import io.herald.HubBuilder;
import io.herald.Principal;
import io.herald.spi.Authorizer;
import java.time.Duration;

/** The default example: the live dashboard with the demo's tasks, health and chat. */
final class DashboardApp implements ExampleApp {
    @Override
    public String name() {
        return "dashboard";
    }

    @Override
    public String summary() {
        return "the live dashboard (default)";
    }

    @Override
    public void configure(HubBuilder builder) {
        builder.authenticator(new DemoAuthenticator())
                .authorizer(new DemoAuthorizer())
                .heartbeat(Duration.ofSeconds(15));
    }

    @Override
    public AutoCloseable startTraffic(Hub hub) {
        DemoTraffic traffic = new DemoTraffic(hub);
        traffic.start();
        return traffic;
    }

    /**
     * The dashboard's policy: everything the default allows (subscribe to and receive any topic, join
     * rooms, publish into joined rooms), plus publishing to topics under {@code demo.}.
     */
    static final class DemoAuthorizer implements Authorizer {
        @Override
        public boolean mayPublish(Principal principal, String topic) {
            return topic.startsWith("demo.");
        }
    }
}
