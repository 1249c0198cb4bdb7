package io.herald.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.ErrorCode;
import io.herald.spi.ProtocolException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one field of a {@link Filter} must satisfy: a list of comparison operators and, optionally,
 * a set of allowed values ({@code in}). Every part must hold.
 *
 * <p>Immutable and thread-safe.
 */
final class FilterCondition {
    /** The comparison operators, in canonical order. */
    enum Op {
        EQ, NE, GT, GTE, LT, LTE;

        final String wire = name().toLowerCase(Locale.ROOT);
    }

    private static final String IN = "in";
    private static final String OPERATORS = "eq, ne, gt, gte, lt, lte or in";

    private final Op[] ops;
    private final FilterValue[] operands;
    private final ValueSet in;
    private final String canonical;

    private FilterCondition(Op[] ops, FilterValue[] operands, ValueSet in) {
        this.ops = ops;
        this.operands = operands;
        this.in = in;
        StringBuilder c = new StringBuilder("{");
        for (int i = 0; i < ops.length; i++) {
            c.append(i == 0 ? "" : ",").append('"').append(ops[i].wire).append("\":").append(operands[i]);
        }
        if (in != null) {
            c.append(ops.length == 0 ? "" : ",").append("\"in\":").append(in);
        }
        canonical = c.append('}').toString();
    }

    /**
     * @param path the field's name for messages, such as {@code filter.score}
     * @param spec a plain value (equality), an array ("one of") or an object of operators
     * @param ref the request's ref, for errors
     * @return the condition
     * @throws ProtocolException {@code BAD_REQUEST} naming the field when {@code spec} is malformed
     */
    static FilterCondition compile(String path, JsonNode spec, String ref) throws ProtocolException {
        if (spec.isArray()) {
            return new FilterCondition(new Op[0], new FilterValue[0], ValueSet.compile(path, spec, ref));
        }
        if (!spec.isObject()) {
            return new FilterCondition(new Op[] {Op.EQ}, new FilterValue[] {scalar(path, spec, ref)}, null);
        }
        if (spec.isEmpty()) {
            throw bad("field '" + path + "' must hold at least one operator (" + OPERATORS + ")", ref);
        }
        FilterValue[] byOp = new FilterValue[Op.values().length];
        ValueSet in = null;
        for (Map.Entry<String, JsonNode> e : spec.properties()) {
            String name = e.getKey();
            String opPath = path + "." + Filter.clip(name);
            if (IN.equals(name)) {
                in = ValueSet.compile(opPath, e.getValue(), ref);
                continue;
            }
            Op op = op(name);
            if (op == null) {
                throw bad("field '" + path + "' has unknown operator '" + Filter.clip(name) + "'; expected "
                        + OPERATORS, ref);
            }
            FilterValue v = scalar(opPath, e.getValue(), ref);
            if (op.compareTo(Op.GT) >= 0 && v.kind() != FilterValue.Kind.NUMBER
                    && v.kind() != FilterValue.Kind.STRING) {
                throw bad("field '" + opPath + "' must be a number or a string", ref);
            }
            byOp[op.ordinal()] = v;
        }
        List<Op> ops = new ArrayList<>();
        List<FilterValue> operands = new ArrayList<>();
        for (Op op : Op.values()) {
            if (byOp[op.ordinal()] != null) {
                ops.add(op);
                operands.add(byOp[op.ordinal()]);
            }
        }
        return new FilterCondition(ops.toArray(new Op[0]), operands.toArray(new FilterValue[0]), in);
    }

    private static Op op(String name) {
        for (Op op : Op.values()) {
            if (op.wire.equals(name)) {
                return op;
            }
        }
        return null;
    }

    private static FilterValue scalar(String path, JsonNode node, String ref) throws ProtocolException {
        FilterValue v = FilterValue.of(node);
        if (v == null) {
            throw bad("field '" + path + "' must be a string, number, boolean or null", ref);
        }
        return v;
    }

    static ProtocolException bad(String message, String ref) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message, ref);
    }

    /**
     * @param v the data's value of this field, present
     * @return whether every operator holds and, with {@code in}, the value is one of the set
     */
    boolean test(JsonNode v) {
        for (int i = 0; i < ops.length; i++) {
            int c = operands[i].compare(v);
            boolean holds;
            switch (ops[i]) {
                case EQ:
                    holds = c == 0;
                    break;
                case NE:
                    holds = c != 0; // also when the types differ: "not equal" is then true
                    break;
                case GT:
                    holds = c != FilterValue.INCOMPARABLE && c > 0;
                    break;
                case GTE:
                    holds = c != FilterValue.INCOMPARABLE && c >= 0;
                    break;
                case LT:
                    holds = c != FilterValue.INCOMPARABLE && c < 0;
                    break;
                default:
                    holds = c != FilterValue.INCOMPARABLE && c <= 0;
                    break;
            }
            if (!holds) {
                return false;
            }
        }
        return in == null || in.contains(v);
    }

    /** @return the canonical operator object, such as {@code {"gte":80,"in":[1,2]}} */
    @Override
    public String toString() {
        return canonical;
    }

    /** A set of scalars for "one of": strings hashed, numbers compared by value. */
    private static final class ValueSet {
        private final Set<String> strings;
        private final FilterValue[] numbers;
        private final boolean hasTrue;
        private final boolean hasFalse;
        private final boolean hasNull;
        private final String canonical;

        private ValueSet(Set<String> strings, FilterValue[] numbers, boolean hasTrue, boolean hasFalse,
                boolean hasNull, String canonical) {
            this.strings = strings;
            this.numbers = numbers;
            this.hasTrue = hasTrue;
            this.hasFalse = hasFalse;
            this.hasNull = hasNull;
            this.canonical = canonical;
        }

        static ValueSet compile(String path, JsonNode array, String ref) throws ProtocolException {
            if (!array.isArray()) {
                throw bad("field '" + path + "' must be an array", ref);
            }
            if (array.isEmpty()) {
                throw bad("field '" + path + "' must not be an empty array", ref);
            }
            if (array.size() > Filter.MAX_VALUES) {
                throw bad("field '" + path + "' has " + array.size() + " values; at most " + Filter.MAX_VALUES
                        + " are allowed", ref);
            }
            Set<String> strings = new HashSet<>();
            List<FilterValue> numbers = new ArrayList<>();
            Set<String> canonicalItems = new TreeSet<>();
            boolean hasTrue = false;
            boolean hasFalse = false;
            boolean hasNull = false;
            for (int i = 0; i < array.size(); i++) {
                FilterValue v = scalar(path + "[" + i + "]", array.get(i), ref);
                if (!canonicalItems.add(v.toString())) {
                    continue; // a duplicate, such as 1 after 1.0
                }
                switch (v.kind()) {
                    case STRING -> strings.add(array.get(i).textValue());
                    case NUMBER -> numbers.add(v);
                    case BOOLEAN -> {
                        hasTrue |= array.get(i).booleanValue();
                        hasFalse |= !array.get(i).booleanValue();
                    }
                    default -> hasNull = true;
                }
            }
            String canonical = "[" + String.join(",", canonicalItems) + "]";
            return new ValueSet(Set.copyOf(strings), numbers.toArray(new FilterValue[0]), hasTrue, hasFalse,
                    hasNull, canonical);
        }

        boolean contains(JsonNode v) {
            switch (v.getNodeType()) {
                case STRING:
                    return strings.contains(v.textValue());
                case NUMBER:
                    for (FilterValue n : numbers) {
                        if (n.compare(v) == 0) {
                            return true;
                        }
                    }
                    return false;
                case BOOLEAN:
                    return v.booleanValue() ? hasTrue : hasFalse;
                case NULL:
                    return hasNull;
                default:
                    return false;
            }
        }

        @Override
        public String toString() {
            return canonical;
        }
    }
}
