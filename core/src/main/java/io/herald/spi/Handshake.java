package io.herald.spi;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a client presented when it connected: address, headers, query parameters and cookies.
 * Built by the transport adapter from its container's request; immutable and thread-safe.
 * Header names are case-insensitive.
 */
public final class Handshake {
    private final String remoteAddress;
    private final Map<String, List<String>> headers;
    private final Map<String, List<String>> query;
    private final Map<String, String> cookies;

    private Handshake(Builder b) {
        this.remoteAddress = b.remoteAddress;
        TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        b.headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
        this.headers = Collections.unmodifiableMap(h);
        TreeMap<String, List<String>> q = new TreeMap<>();
        b.query.forEach((k, v) -> q.put(k, List.copyOf(v)));
        this.query = Collections.unmodifiableMap(q);
        this.cookies = Map.copyOf(b.cookies);
    }

    /** @return a builder for a handshake from the given remote address */
    public static Builder builder(String remoteAddress) {
        return new Builder(remoteAddress);
    }

    /** @return the client's IP address as the container saw it (no port) */
    public String remoteAddress() {
        return remoteAddress;
    }

    /**
     * @param name a header name, any case
     * @return the first value of that header
     */
    public Optional<String> header(String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.ofNullable(v.get(0));
    }

    /** @return every header, case-insensitive keys, unmodifiable */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * @param name a query parameter name (case-sensitive)
     * @return its first value
     */
    public Optional<String> queryParameter(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.ofNullable(v.get(0));
    }

    /** @return every query parameter, unmodifiable */
    public Map<String, List<String>> query() {
        return query;
    }

    /**
     * @param name a cookie name (case-sensitive)
     * @return its value
     */
    public Optional<String> cookie(String name) {
        return Optional.ofNullable(cookies.get(name));
    }

    /** @return the {@code Origin} header, if the client sent one */
    public Optional<String> origin() {
        return header("Origin");
    }

    /**
     * @return the bearer token of the {@code Authorization} header, if it carries one
     */
    public Optional<String> bearerToken() {
        return header("Authorization")
                .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(v -> v.substring(7).trim())
                .filter(v -> !v.isEmpty());
    }

    @Override
    public String toString() {
        return "Handshake[" + remoteAddress + ", headers=" + headers.keySet() + ", query=" + query.keySet() + "]";
    }

    /** Collects a handshake's parts; not thread-safe. */
    public static final class Builder {
        private final String remoteAddress;
        private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        private final Map<String, List<String>> query = new TreeMap<>();
        private final Map<String, String> cookies = new TreeMap<>();

        private Builder(String remoteAddress) {
            if (remoteAddress == null || remoteAddress.isEmpty()) {
                throw new IllegalArgumentException("remoteAddress must not be empty");
            }
            this.remoteAddress = remoteAddress;
        }

        /**
         * Adds header values; repeated names accumulate.
         *
         * @param name header name
         * @param values its values
         * @return this builder
         */
        public Builder header(String name, List<String> values) {
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new java.util.ArrayList<>()).addAll(values);
            return this;
        }

        /**
         * @param name header name
         * @param value one value
         * @return this builder
         */
        public Builder header(String name, String value) {
            return header(name, List.of(value));
        }

        /**
         * @param name parameter name
         * @param values its values
         * @return this builder
         */
        public Builder query(String name, List<String> values) {
            query.computeIfAbsent(name, k -> new java.util.ArrayList<>()).addAll(values);
            return this;
        }

        /**
         * @param name parameter name
         * @param value one value
         * @return this builder
         */
        public Builder query(String name, String value) {
            return query(name, List.of(value));
        }

        /**
         * @param name cookie name
         * @param value cookie value
         * @return this builder
         */
        public Builder cookie(String name, String value) {
            cookies.put(name, value);
            return this;
        }

        /** @return the immutable handshake */
        public Handshake build() {
            return new Handshake(this);
        }
    }
}
