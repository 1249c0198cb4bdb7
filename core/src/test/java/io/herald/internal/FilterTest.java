package io.herald.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.ErrorCode;
import io.herald.spi.ProtocolException;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class FilterTest {

    @Test
    void plainValuesMeanEquality() {
        Filter f = filter("{\"source\":\"agent_001\",\"n\":3,\"ok\":true,\"gone\":null}");
        assertThat(f.test(data("{\"source\":\"agent_001\",\"n\":3,\"ok\":true,\"gone\":null,\"extra\":1}"))).isTrue();
        assertThat(f.test(data("{\"source\":\"agent_002\",\"n\":3,\"ok\":true,\"gone\":null}"))).isFalse();
        assertThat(f.test(data("{\"source\":\"agent_001\",\"n\":3,\"ok\":false,\"gone\":null}"))).isFalse();
        assertThat(f.test(data("{\"source\":\"agent_001\",\"n\":3,\"ok\":true,\"gone\":0}"))).isFalse();
    }

    @Test
    void theProtocolsExampleMatchesAsDocumented() {
        Filter f = filter("{\"priority\":[\"high\",\"critical\"],\"source\":\"agent_001\",\"score\":{\"gte\":80}}");
        assertThat(f.test(data("{\"priority\":\"critical\",\"source\":\"agent_001\",\"score\":80}"))).isTrue();
        assertThat(f.test(data("{\"priority\":\"high\",\"source\":\"agent_001\",\"score\":99.5}"))).isTrue();
        assertThat(f.test(data("{\"priority\":\"low\",\"source\":\"agent_001\",\"score\":99}"))).isFalse();
        assertThat(f.test(data("{\"priority\":\"high\",\"source\":\"agent_001\",\"score\":79.999}"))).isFalse();
    }

    @Test
    void numbersCompareByValueWhateverTheirForm() {
        Filter one = filter("{\"n\":1}");
        assertThat(one.test(data("{\"n\":1.0}"))).isTrue();
        assertThat(one.test(data("{\"n\":1E0}"))).isTrue();
        assertThat(one.test(data("{\"n\":1.000000000000000000001}"))).isFalse();
        assertThat(one.test(object("n", DoubleNode.valueOf(1.0)))).isTrue();
        Filter tenth = filter("{\"n\":0.1}");
        assertThat(tenth.test(object("n", DoubleNode.valueOf(0.1)))).isTrue();
        assertThat(tenth.test(data("{\"n\":0.10}"))).isTrue();
    }

    @Test
    void bigNumbersCompareExactly() {
        Filter f = filter("{\"n\":{\"gt\":9223372036854775807}}");
        assertThat(f.test(data("{\"n\":9223372036854775808}"))).isTrue();
        assertThat(f.test(data("{\"n\":9223372036854775807}"))).isFalse();
        assertThat(f.test(data("{\"n\":9223372036854775807.5}"))).isTrue();
        Filter huge = filter("{\"n\":{\"lt\":1e999999999}}");
        assertThat(huge.test(data("{\"n\":123456789012345678901234567890}"))).isTrue();
        assertThat(huge.test(data("{\"n\":-5}"))).isTrue();
        Filter tiny = filter("{\"n\":{\"gt\":1e-999999999}}");
        assertThat(tiny.test(data("{\"n\":1}"))).isTrue();
        assertThat(tiny.test(data("{\"n\":0}"))).isFalse();
        assertThat(tiny.test(object("n", JsonNodeFactory.instance.numberNode(BigInteger.TEN.pow(30))))).isTrue();
    }

    @Test
    void integersCompareWithFractionalBoundsWithoutRounding() {
        Filter f = filter("{\"score\":{\"gte\":80.5,\"lt\":-0.5e3}}");
        assertThat(filter("{\"s\":{\"gte\":80.5}}").test(data("{\"s\":80}"))).isFalse();
        assertThat(filter("{\"s\":{\"gte\":80.5}}").test(data("{\"s\":81}"))).isTrue();
        assertThat(filter("{\"s\":{\"lte\":-0.5}}").test(data("{\"s\":-1}"))).isTrue();
        assertThat(filter("{\"s\":{\"lte\":-0.5}}").test(data("{\"s\":0}"))).isFalse();
        assertThat(filter("{\"s\":{\"gt\":-80.5}}").test(data("{\"s\":-80}"))).isTrue();
        assertThat(filter("{\"s\":{\"gt\":-80.5}}").test(data("{\"s\":-81}"))).isFalse();
        assertThat(f.test(data("{\"score\":90}"))).isFalse(); // both must hold, and cannot
    }

    @Test
    void allOperatorsOfAFieldMustHold() {
        Filter range = filter("{\"t\":{\"gte\":10,\"lt\":20,\"ne\":15}}");
        assertThat(range.test(data("{\"t\":10}"))).isTrue();
        assertThat(range.test(data("{\"t\":19.99}"))).isTrue();
        assertThat(range.test(data("{\"t\":15}"))).isFalse();
        assertThat(range.test(data("{\"t\":20}"))).isFalse();
        assertThat(range.test(data("{\"t\":9}"))).isFalse();
        Filter eqIn = filter("{\"t\":{\"eq\":\"a\",\"in\":[\"a\",\"b\"]}}");
        assertThat(eqIn.test(data("{\"t\":\"a\"}"))).isTrue();
        assertThat(eqIn.test(data("{\"t\":\"b\"}"))).isFalse();
    }

    @Test
    void oneOfAcceptsAnyListedScalar() {
        Filter f = filter("{\"v\":[\"x\",2,true,null]}");
        assertThat(f.test(data("{\"v\":\"x\"}"))).isTrue();
        assertThat(f.test(data("{\"v\":2.0}"))).isTrue();
        assertThat(f.test(data("{\"v\":true}"))).isTrue();
        assertThat(f.test(data("{\"v\":null}"))).isTrue();
        assertThat(f.test(data("{\"v\":false}"))).isFalse();
        assertThat(f.test(data("{\"v\":\"2\"}"))).isFalse();
        assertThat(f.test(data("{\"v\":[\"x\"]}"))).isFalse();
        assertThat(filter("{\"v\":{\"in\":[1,3]}}").test(data("{\"v\":3}"))).isTrue();
    }

    @Test
    void stringsOrderLexicographically() {
        Filter f = filter("{\"name\":{\"gte\":\"b\",\"lt\":\"c\"}}");
        assertThat(f.test(data("{\"name\":\"b\"}"))).isTrue();
        assertThat(f.test(data("{\"name\":\"bzzz\"}"))).isTrue();
        assertThat(f.test(data("{\"name\":\"c\"}"))).isFalse();
        assertThat(f.test(data("{\"name\":\"B\"}"))).isFalse();
        assertThat(f.test(data("{\"name\":\"abc\"}"))).isFalse();
    }

    @Test
    void mismatchedTypesNeverMatchExceptNe() {
        assertThat(filter("{\"n\":5}").test(data("{\"n\":\"5\"}"))).isFalse();
        assertThat(filter("{\"n\":{\"gt\":5}}").test(data("{\"n\":\"9\"}"))).isFalse();
        assertThat(filter("{\"n\":{\"lt\":5}}").test(data("{\"n\":\"1\"}"))).isFalse();
        assertThat(filter("{\"n\":{\"lte\":\"m\"}}").test(data("{\"n\":1}"))).isFalse();
        assertThat(filter("{\"n\":{\"gt\":5}}").test(data("{\"n\":{\"v\":9}}"))).isFalse();
        assertThat(filter("{\"n\":true}").test(data("{\"n\":1}"))).isFalse();
        assertThat(filter("{\"n\":{\"ne\":\"x\"}}").test(data("{\"n\":5}"))).isTrue();
        assertThat(filter("{\"n\":{\"ne\":null}}").test(data("{\"n\":0}"))).isTrue();
        assertThat(filter("{\"n\":{\"ne\":null}}").test(data("{\"n\":null}"))).isFalse();
        assertThat(filter("{\"n\":{\"ne\":5}}").test(data("{\"n\":5.0}"))).isFalse();
    }

    @Test
    void aMissingFieldNeverMatchesNotEvenNe() {
        assertThat(filter("{\"a\":1,\"b\":2}").test(data("{\"a\":1}"))).isFalse();
        assertThat(filter("{\"b\":{\"ne\":2}}").test(data("{\"a\":1}"))).isFalse();
        assertThat(filter("{\"b\":null}").test(data("{\"a\":1}"))).isFalse();
    }

    @Test
    void dataThatIsNotAnObjectNeverMatches() {
        Filter f = filter("{\"a\":{\"ne\":1}}");
        assertThat(f.test(data("[1]"))).isFalse();
        assertThat(f.test(data("\"a\""))).isFalse();
        assertThat(f.test(data("null"))).isFalse();
        assertThat(f.test(null)).isFalse();
    }

    @Test
    void anEmptyFilterMatchesEverything() {
        Filter f = filter("{}");
        assertThat(f.isEmpty()).isTrue();
        assertThat(f.test(data("{\"a\":1}"))).isTrue();
        assertThat(f.test(data("[1]"))).isTrue();
        assertThat(f.toString()).isEqualTo("{}");
        assertThat(filter("{\"a\":1}").isEmpty()).isFalse();
    }

    @Test
    void malformedFiltersAreRefusedNamingTheField() {
        refused("[1]", "field 'filter' must be an object");
        refused("{\"a\":{\"gtx\":1}}", "field 'filter.a' has unknown operator 'gtx'; expected eq, ne, gt, gte, lt, lte or in");
        refused("{\"a\":{\"in\":1}}", "field 'filter.a.in' must be an array");
        refused("{\"a\":{\"in\":[]}}", "field 'filter.a.in' must not be an empty array");
        refused("{\"a\":[]}", "field 'filter.a' must not be an empty array");
        refused("{\"a\":[1,{\"b\":2}]}", "field 'filter.a[1]' must be a string, number, boolean or null");
        refused("{\"a\":{\"in\":[[1]]}}", "field 'filter.a.in[0]' must be a string, number, boolean or null");
        refused("{\"a\":{\"eq\":{\"b\":1}}}", "field 'filter.a.eq' must be a string, number, boolean or null");
        refused("{\"a\":{\"ne\":[1]}}", "field 'filter.a.ne' must be a string, number, boolean or null");
        refused("{\"a\":{\"gt\":true}}", "field 'filter.a.gt' must be a number or a string");
        refused("{\"a\":{\"lte\":null}}", "field 'filter.a.lte' must be a number or a string");
        refused("{\"a\":{}}", "field 'filter.a' must hold at least one operator");
        StringBuilder seventeen = new StringBuilder("{");
        for (int i = 0; i < 17; i++) {
            seventeen.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":1");
        }
        refused(seventeen.append('}').toString(), "field 'filter' has 17 fields; at most 16 are allowed");
        StringBuilder many = new StringBuilder("{\"a\":[");
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append(i);
        }
        refused(many.append("]}").toString(), "field 'filter.a' has 65 values; at most 64 are allowed");
        refused("{\"" + "k".repeat(500) + "\":{\"zz\":1}}", "field 'filter." + "k".repeat(64) + "…' has unknown operator");
    }

    @Test
    void limitsThemselvesAreAccepted() {
        StringBuilder sixteen = new StringBuilder("{");
        for (int i = 0; i < 16; i++) {
            sixteen.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":").append(i);
        }
        assertThat(filter(sixteen.append('}').toString()).toString()).startsWith("{\"f0\":{\"eq\":0},\"f1\":");
        StringBuilder values = new StringBuilder("{\"a\":[");
        for (int i = 0; i < 64; i++) {
            values.append(i == 0 ? "" : ",").append(i);
        }
        assertThat(filter(values.append("]}").toString()).test(data("{\"a\":63}"))).isTrue();
    }

    @Test
    void compileErrorsCarryTheRequestsRef() {
        assertThatThrownBy(() -> Filter.compile(data("{\"a\":{\"bad\":1}}"), "r-1"))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.ref()).isEqualTo("r-1");
                });
    }

    @Test
    void toStringIsTheCanonicalFilter() {
        assertThat(filter("{\"z\":[\"b\",\"a\",\"b\"],\"a\":{\"lt\":10.50,\"gte\":1.0},\"m\":\"x\\\"y\"}").toString())
                .isEqualTo("{\"a\":{\"gte\":1,\"lt\":10.5},\"m\":{\"eq\":\"x\\\"y\"},\"z\":{\"in\":[\"a\",\"b\"]}}");
        assertThat(filter("{\"n\":{\"eq\":1e30}}").toString()).isEqualTo("{\"n\":{\"eq\":1E+30}}");
        assertThat(filter("{\"n\":{\"in\":[1e-3, 1000]}}").toString()).isEqualTo("{\"n\":{\"in\":[0.001,1000]}}");
    }

    @Test
    void identicalFiltersAreEqual() {
        Filter a = filter("{\"p\":[\"high\",\"low\"],\"s\":{\"gte\":80}}");
        Filter b = filter("{\"s\":{\"gte\":80.0},\"p\":{\"in\":[\"low\",\"high\",\"low\"]}}");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(filter("{\"a\":1}")).isEqualTo(filter("{\"a\":{\"eq\":1.00}}"));
        assertThat(filter("{\"a\":1}")).isNotEqualTo(filter("{\"a\":\"1\"}"));
        assertThat(filter("{\"a\":{\"gt\":1}}")).isNotEqualTo(filter("{\"a\":{\"gte\":1}}"));
    }

    @Test
    void hostileExponentsCompileAndTestQuickly() {
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            Filter f = filter("{\"n\":{\"gt\":1e-999999999,\"lt\":1e999999999,\"ne\":-1e999999999}}");
            assertThat(f.test(data("{\"n\":1e-999999998}"))).isTrue();
            assertThat(f.test(data("{\"n\":1e999999999}"))).isFalse();
            assertThat(f.test(data("{\"n\":5}"))).isTrue();
        });
    }

    @Test
    void testingAllocatesNothingForCodecProducedData() throws Exception {
        Filter f = filter("{\"priority\":[\"high\",\"critical\"],\"source\":\"agent_001\",\"score\":{\"gte\":80.5,\"lt\":1e3},"
                + "\"ratio\":{\"ne\":0.25},\"ok\":true,\"tag\":{\"in\":[1,2,3]}}");
        JsonNode match = data("{\"priority\":\"critical\",\"source\":\"agent_001\",\"score\":90,\"ratio\":0.5,\"ok\":true,"
                + "\"tag\":3,\"other\":[1,2]}");
        JsonNode miss = data("{\"priority\":\"critical\",\"source\":\"agent_001\",\"score\":80}");
        boolean sink = false;
        for (int i = 0; i < 20_000; i++) {
            sink ^= f.test(match) ^ f.test(miss);
            if (i % 1000 == 0) {
                allocatedBytes(); // warms the reflective call too
            }
        }
        long before = allocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sink ^= f.test(match) ^ f.test(miss);
        }
        long allocated = allocatedBytes() - before;
        assertThat(sink).isFalse(); // 120,000 true results, an even count
        // One object per call would be >= 3.2 MB; what remains is the measurement's and the JIT's noise.
        assertThat(allocated).as("bytes allocated by 200,000 tests").isLessThan(64 * 1024);
    }

    /**
     * This thread's allocation counter. Reached by reflection because the tests are compiled into the
     * {@code io.herald.core} module, which does not read {@code jdk.management}; they run on the class path.
     */
    private static long allocatedBytes() throws Exception {
        Object threads;
        Method current;
        try {
            threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            current = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ClassNotFoundException e) {
            assumeTrue(false, "no allocation counter on this JVM");
            return 0;
        }
        long bytes = (long) current.invoke(threads);
        assumeTrue(bytes >= 0, "allocation counting is disabled");
        return bytes;
    }

    // ---- support ---------------------------------------------------------------------------------

    private static Filter filter(String json) {
        try {
            return Filter.compile(data(json));
        } catch (ProtocolException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static void refused(String json, String message) {
        assertThatThrownBy(() -> Filter.compile(data(json)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).startsWith(message);
                    assertThat(e.ref()).isNull();
                });
    }

    private static JsonNode data(String json) {
        return JsonCodec.readTree(json.getBytes(UTF_8));
    }

    private static ObjectNode object(String field, JsonNode value) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set(field, value);
        return o;
    }
}
