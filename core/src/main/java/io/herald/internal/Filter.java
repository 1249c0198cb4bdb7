package io.herald.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.spi.ProtocolException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A compiled subscription filter: the {@code filter} object of a {@code subscribe} request, which
 * restricts a subscription by the top-level fields of an event's {@code data}.
 *
 * <p>Each field of the filter object names a data field and what it must satisfy: a plain value
 * means equality, an array means "one of", an object holds operators {@code eq ne gt gte lt lte in},
 * all of which must hold. All fields must match, and data that lacks a field does not match.
 * Comparison rules:
 * <ul>
 *   <li>numbers compare by value ({@code 1 == 1.0}, big decimals and integers exactly);</li>
 *   <li>strings order by UTF-16 code units for {@code gt gte lt lte} (as JavaScript's {@code <});</li>
 *   <li>values of different JSON types never match {@code eq gt gte lt lte in}; {@code ne} holds
 *       when the types differ ({@code {"ne":"x"}} matches {@code 5}), since they are indeed not equal;
 *       {@code ne} does not match a missing field;</li>
 *   <li>{@code gt gte lt lte} take a number or a string; {@code eq ne} and "one of" take any scalar,
 *       {@code null} included; objects and arrays are never operands.</li>
 * </ul>
 * An empty filter object has no condition: it matches every event, whatever its data, exactly like no
 * filter at all ({@link #isEmpty()}). A non-empty filter never matches data that is not an object.
 * Limits: at most {@value #MAX_FIELDS} fields and {@value #MAX_VALUES} values per "one of".
 *
 * <p>Everything is worked out in {@link #compile}; {@link #test} allocates nothing for the values
 * {@link JsonCodec} produces. Immutable and thread-safe; two filters with the same canonical form
 * ({@link #toString()}) are equal.
 */
public final class Filter {
    /** The most fields one filter may test. */
    public static final int MAX_FIELDS = 16;
    /** The most values in one "one of" array or {@code in} operator. */
    public static final int MAX_VALUES = 64;
    /** The most characters of a field name repeated in an error message. */
    private static final int MAX_ECHOED_NAME = 64;

    private final String[] fields;
    private final FilterCondition[] conditions;
    private final String canonical;

    private Filter(String[] fields, FilterCondition[] conditions, String canonical) {
        this.fields = fields;
        this.conditions = conditions;
        this.canonical = canonical;
    }

    /**
     * Compiles a filter object, for errors without a ref.
     *
     * @param filterObject the {@code filter} of a request
     * @return the compiled filter
     * @throws ProtocolException {@code BAD_REQUEST} naming the field that is wrong
     * @see #compile(JsonNode, String)
     */
    public static Filter compile(JsonNode filterObject) throws ProtocolException {
        return compile(filterObject, null);
    }

    /**
     * Compiles a filter object.
     *
     * @param filterObject the {@code filter} of a request
     * @param ref the request's ref, carried by the exception so the error answers that request; or
     *     {@code null}
     * @return the compiled filter
     * @throws ProtocolException {@code BAD_REQUEST} naming the field when the filter is not an object,
     *     has more than {@value #MAX_FIELDS} fields, uses an unknown operator, gives an object or array
     *     where a scalar is required, gives {@code gt gte lt lte} something other than a number or a
     *     string, or has an empty, non-array or oversized ({@value #MAX_VALUES}) "one of"
     */
    public static Filter compile(JsonNode filterObject, String ref) throws ProtocolException {
        if (filterObject == null || !filterObject.isObject()) {
            throw FilterCondition.bad("field 'filter' must be an object", ref);
        }
        int n = filterObject.size();
        if (n > MAX_FIELDS) {
            throw FilterCondition.bad("field 'filter' has " + n + " fields; at most " + MAX_FIELDS
                    + " are allowed", ref);
        }
        TreeMap<String, FilterCondition> sorted = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : filterObject.properties()) {
            sorted.put(e.getKey(), FilterCondition.compile("filter." + clip(e.getKey()), e.getValue(), ref));
        }
        String[] fields = new String[n];
        FilterCondition[] conditions = new FilterCondition[n];
        StringBuilder canonical = new StringBuilder("{");
        int i = 0;
        for (Map.Entry<String, FilterCondition> e : sorted.entrySet()) {
            fields[i] = e.getKey();
            conditions[i] = e.getValue();
            canonical.append(i == 0 ? "" : ",").append(quote(e.getKey())).append(':').append(e.getValue());
            i++;
        }
        return new Filter(fields, conditions, canonical.append('}').toString());
    }

    /**
     * Tests one event's data. Called once per recipient; allocates nothing for the values
     * {@link JsonCodec#readTree} produces.
     *
     * @param data the event's data, as a tree
     * @return whether every field matches; {@code true} for an empty filter; {@code false} when
     *     {@code data} is not an object or lacks a field
     */
    public boolean test(JsonNode data) {
        if (fields.length == 0) {
            return true;
        }
        if (data == null || !data.isObject()) {
            return false;
        }
        for (int i = 0; i < fields.length; i++) {
            JsonNode v = data.get(fields[i]);
            if (v == null || !conditions[i].test(v)) {
                return false;
            }
        }
        return true;
    }

    /** @return whether the filter has no condition and so matches everything */
    public boolean isEmpty() {
        return fields.length == 0;
    }

    /**
     * @return the canonical filter as JSON: fields sorted by name, each as an operator object with
     *     operators in the order {@code eq ne gt gte lt lte in}, "one of" values sorted and without
     *     duplicates, numbers without trailing zeros; such as {@code {"score":{"gte":80}}}
     */
    @Override
    public String toString() {
        return canonical;
    }

    /** @return whether {@code o} is a filter with the same canonical form */
    @Override
    public boolean equals(Object o) {
        return o instanceof Filter f && canonical.equals(f.canonical);
    }

    /** @return the canonical form's hash */
    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    static String quote(String s) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
    }

    static String clip(String name) {
        if (name.length() <= MAX_ECHOED_NAME) {
            return name;
        }
        int end = MAX_ECHOED_NAME - (Character.isHighSurrogate(name.charAt(MAX_ECHOED_NAME - 1)) ? 1 : 0);
        return name.substring(0, end) + "…";
    }
}
