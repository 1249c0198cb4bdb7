package io.herald.spring;

/** {@link SpringBootContract} on Spring Boot with Jetty 12.1 (ee11), with {@link HeraldJettyApplication}. */
class SpringBootJettyIT extends SpringBootContract {
    @Override
    protected Class<?> application() {
        return HeraldJettyApplication.class;
    }
}
