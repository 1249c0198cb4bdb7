package io.herald.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DemoOptionsTest {
    @Test
    void noFlagsMeanPort8080WithTheDemoPolicy() {
        assertThat(DemoOptions.parse()).isEqualTo(new DemoOptions(8080, false, null, false));
    }

    @Test
    void portOpenAndHelpAreRead() {
        assertThat(DemoOptions.parse("--port", "9001", "--open", "--help"))
                .isEqualTo(new DemoOptions(9001, true, null, true));
    }

    @Test
    void redisIsRefusedWithAMessageSayingTheBridgeIsNotAvailableYet() {
        assertThatThrownBy(() -> DemoOptions.parse("--redis", "redis://localhost:6379"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("not available yet");
    }

    @Test
    void badPortsUnknownFlagsAndUnknownExamplesAreRefusedByName() {
        assertThatThrownBy(() -> DemoOptions.parse("--port", "x")).hasMessageContaining("--port");
        assertThatThrownBy(() -> DemoOptions.parse("--port", "70000")).hasMessageContaining("--port");
        assertThatThrownBy(() -> DemoOptions.parse("--port")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> DemoOptions.parse("--verbose")).hasMessageContaining("--verbose");
        assertThatThrownBy(() -> DemoOptions.parse("--example", "nope")).hasMessageContaining("nope");
    }

    @Test
    void everySeedExampleIsAcceptedByName() {
        assertThat(DemoOptions.EXAMPLES).containsExactly("seed000", "seed001", "seed002", "seed003", "seed004");
        DemoOptions.EXAMPLES.forEach(name -> assertThat(DemoOptions.parse("--example", name).example()).isEqualTo(name));
    }

    @Test
    void helpListsEveryExampleInThisBuild() {
        DemoOptions.EXAMPLES.forEach(name -> assertThat(DemoOptions.USAGE).contains(name));
    }
}
