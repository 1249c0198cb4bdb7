package io.herald.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * One scalar operand of a {@link Filter}, with everything a comparison needs computed up front so
 * that {@link #compare} allocates nothing for strings, booleans, {@code null}, integers and
 * {@link BigDecimal}-backed numbers (what {@link JsonCodec} produces).
 *
 * <p>Numbers compare by value: {@code 1}, {@code 1.0} and {@code 1E0} are equal. A {@code double}
 * compares by its shortest decimal form ({@link Double#toString}), so {@code 0.1} as a double equals
 * {@code 0.1} as a decimal. Strings compare by UTF-16 code units ({@link String#compareTo}, the same
 * order as JavaScript's {@code <}).
 *
 * <p>Immutable and thread-safe.
 */
final class FilterValue {
    /** What {@link #compare} answers when the data's JSON type differs from the operand's. */
    static final int INCOMPARABLE = Integer.MIN_VALUE;

    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    /** Doubles of smaller magnitude that hold an integer convert to {@code long} exactly. */
    private static final double EXACT_LONG_LIMIT = 0x1p62;

    enum Kind { NULL, BOOLEAN, NUMBER, STRING }

    private final Kind kind;
    private final String string;
    private final boolean bool;
    private final BigDecimal number;
    /** The number is an integer within {@code long} range: compare with {@link #longValue}. */
    private final boolean isLong;
    private final long longValue;
    /** The number lies within {@code long} range (integer or not). */
    private final boolean inLongRange;
    /** For a non-integer within {@code long} range: the greatest integer below it. */
    private final long floor;
    private final String canonical;

    private FilterValue(Kind kind, String string, boolean bool, BigDecimal number) {
        this.kind = kind;
        this.string = string;
        this.bool = bool;
        this.number = number;
        if (number != null) {
            BigDecimal stripped = number.stripTrailingZeros();
            inLongRange = number.compareTo(LONG_MIN) >= 0 && number.compareTo(LONG_MAX) <= 0;
            isLong = inLongRange && stripped.scale() <= 0;
            longValue = isLong ? stripped.longValueExact() : 0;
            floor = inLongRange && !isLong ? floorOf(number) : 0;
            canonical = canonicalNumber(stripped);
        } else {
            inLongRange = false;
            isLong = false;
            longValue = 0;
            floor = 0;
            canonical = switch (kind) {
                case NULL -> "null";
                case BOOLEAN -> Boolean.toString(bool);
                default -> Filter.quote(string);
            };
        }
    }

    /**
     * @param node a filter operand
     * @return the operand, or {@code null} when {@code node} is not a scalar (an object, an array, a
     *     binary or POJO node, or a non-finite double)
     */
    static FilterValue of(JsonNode node) {
        if (node == null) {
            return null;
        }
        switch (node.getNodeType()) {
            case STRING:
                return new FilterValue(Kind.STRING, node.textValue(), false, null);
            case BOOLEAN:
                return new FilterValue(Kind.BOOLEAN, null, node.booleanValue(), null);
            case NULL:
                return new FilterValue(Kind.NULL, null, false, null);
            case NUMBER:
                BigDecimal n = decimal(node);
                return n == null ? null : new FilterValue(Kind.NUMBER, null, false, n);
            default:
                return null;
        }
    }

    private static BigDecimal decimal(JsonNode node) {
        switch (node.numberType()) {
            case INT:
            case LONG:
                return BigDecimal.valueOf(node.longValue());
            case BIG_INTEGER:
                return new BigDecimal(node.bigIntegerValue());
            case BIG_DECIMAL:
                return node.decimalValue();
            default:
                double d = node.doubleValue();
                return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
        }
    }

    private static long floorOf(BigDecimal n) {
        if (n.abs().compareTo(BigDecimal.ONE) < 0) {
            // Avoids rescaling a tiny value such as 1E-999999999, which would take forever.
            return n.signum() < 0 ? -1 : 0;
        }
        // |n| >= 1 and within long range, so its scale is below its precision: cheap to rescale.
        return n.setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    private static String canonicalNumber(BigDecimal stripped) {
        int scale = stripped.scale();
        return scale >= -20 && scale <= 20 ? stripped.toPlainString() : stripped.toString();
    }

    /** @return the operand's JSON type */
    Kind kind() {
        return kind;
    }

    /**
     * Compares a data value with this operand. Allocates nothing unless the data is a
     * {@code BigInteger} beyond {@code long} or a non-integer {@code double}.
     *
     * @param v the data value
     * @return negative, zero or positive as {@code v} is below, equal to or above the operand (for
     *     booleans only zero or not); {@link #INCOMPARABLE} when the JSON types differ or {@code v} is NaN
     */
    int compare(JsonNode v) {
        switch (kind) {
            case STRING:
                return v.isTextual() ? Integer.signum(v.textValue().compareTo(string)) : INCOMPARABLE;
            case NUMBER:
                return v.isNumber() ? compareNumber(v) : INCOMPARABLE;
            case BOOLEAN:
                return v.isBoolean() ? (v.booleanValue() == bool ? 0 : 1) : INCOMPARABLE;
            default:
                return v.isNull() ? 0 : INCOMPARABLE;
        }
    }

    private int compareNumber(JsonNode v) {
        switch (v.numberType()) {
            case INT:
            case LONG:
                return compareLong(v.longValue());
            case BIG_DECIMAL:
                return v.decimalValue().compareTo(number);
            case BIG_INTEGER:
                return v.canConvertToLong() ? compareLong(v.longValue())
                        : new BigDecimal(v.bigIntegerValue()).compareTo(number);
            default:
                double d = v.doubleValue();
                if (Double.isNaN(d)) {
                    return INCOMPARABLE;
                }
                if (Double.isInfinite(d)) {
                    return d > 0 ? 1 : -1;
                }
                if (d == Math.rint(d) && Math.abs(d) < EXACT_LONG_LIMIT) {
                    return compareLong((long) d);
                }
                return BigDecimal.valueOf(d).compareTo(number);
        }
    }

    private int compareLong(long x) {
        if (isLong) {
            return Long.compare(x, longValue);
        }
        if (!inLongRange) {
            return number.signum() > 0 ? -1 : 1;
        }
        return x <= floor ? -1 : 1; // the operand lies strictly between floor and floor + 1
    }

    /** @return the operand as canonical JSON: numbers without trailing zeros, strings escaped */
    @Override
    public String toString() {
        return canonical;
    }
}
