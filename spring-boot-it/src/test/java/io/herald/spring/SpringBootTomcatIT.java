package io.herald.spring;

/** {@link SpringBootContract} on Spring Boot's default web server, Tomcat, with {@link HeraldApplication}. */
class SpringBootTomcatIT extends SpringBootContract {
    @Override
    protected Class<?> application() {
        return HeraldApplication.class;
    }
}
