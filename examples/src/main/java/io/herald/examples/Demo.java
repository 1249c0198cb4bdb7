package io.herald.examples;

/** Entry point of the demo jar; the servers arrive with the WebSocket and examples issues. */
public final class Demo {
    private Demo() {
    }

    /** @param args command-line flags */
    public static void main(String[] args) {
        System.out.println("Herald demo: the core is being built; see README.md.");
    }
}
