package io.herald.internal;

/**
 * The naming rules of topics, patterns and rooms. A topic is 1..16 segments separated by {@code .};
 * a segment is 1..64 characters of {@code [A-Za-z0-9_:-]}; the whole is at most 255 characters. A
 * pattern may use {@code *} (exactly one segment) or {@code **} (zero or more segments) as whole
 * segments. Rooms follow the topic rules.
 */
public final class Topics {
    /** The most characters in a topic, pattern or room. */
    public static final int MAX_LENGTH = 255;
    /** The most segments. */
    public static final int MAX_SEGMENTS = 16;
    /** The most characters in one segment. */
    public static final int MAX_SEGMENT_LENGTH = 64;
    /** The one-segment wildcard. */
    public static final String STAR = "*";
    /** The any-number-of-segments wildcard. */
    public static final String DOUBLE_STAR = "**";

    private static final boolean[] ALLOWED = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            ALLOWED[c] = true;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            ALLOWED[c] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            ALLOWED[c] = true;
        }
        ALLOWED['_'] = true;
        ALLOWED[':'] = true;
        ALLOWED['-'] = true;
    }

    private Topics() {
    }

    /**
     * @param topic a candidate topic
     * @return {@code null} when valid, else why not
     */
    public static String topicProblem(String topic) {
        return problem(topic, false, "topic");
    }

    /**
     * @param pattern a candidate pattern
     * @return {@code null} when valid, else why not
     */
    public static String patternProblem(String pattern) {
        return problem(pattern, true, "pattern");
    }

    /**
     * @param room a candidate room name
     * @return {@code null} when valid, else why not
     */
    public static String roomProblem(String room) {
        return problem(room, false, "room");
    }

    /**
     * @param topic a topic
     * @return the topic
     * @throws IllegalArgumentException naming the problem if it is not a valid topic
     */
    public static String checkTopic(String topic) {
        return check(topicProblem(topic), topic);
    }

    /**
     * @param pattern a pattern
     * @return the pattern
     * @throws IllegalArgumentException naming the problem if it is not a valid pattern
     */
    public static String checkPattern(String pattern) {
        return check(patternProblem(pattern), pattern);
    }

    /**
     * @param room a room name
     * @return the room name
     * @throws IllegalArgumentException naming the problem if it is not a valid room name
     */
    public static String checkRoom(String room) {
        return check(roomProblem(room), room);
    }

    /**
     * @param pattern a valid pattern
     * @return whether it contains a wildcard segment
     */
    public static boolean hasWildcard(String pattern) {
        return pattern.indexOf('*') >= 0;
    }

    /**
     * Splits a valid topic or pattern into its segments.
     *
     * @param name a valid topic or pattern
     * @return its segments
     */
    public static String[] split(String name) {
        int count = 1;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '.') {
                count++;
            }
        }
        String[] out = new String[count];
        int start = 0;
        int k = 0;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '.') {
                out[k++] = name.substring(start, i);
                start = i + 1;
            }
        }
        out[k] = name.substring(start);
        return out;
    }

    private static String check(String problem, String name) {
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return name;
    }

    private static String problem(String name, boolean wildcards, String what) {
        if (name == null || name.isEmpty()) {
            return what + " must not be empty";
        }
        if (name.length() > MAX_LENGTH) {
            return what + " is longer than " + MAX_LENGTH + " characters";
        }
        int segments = 0;
        int start = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '.') {
                segments++;
                if (segments > MAX_SEGMENTS) {
                    return what + " has more than " + MAX_SEGMENTS + " segments";
                }
                String p = segmentProblem(name, start, i, wildcards);
                if (p != null) {
                    return what + " '" + shorten(name) + "': " + p;
                }
                start = i + 1;
            }
        }
        return null;
    }

    private static String segmentProblem(String name, int from, int to, boolean wildcards) {
        int len = to - from;
        if (len == 0) {
            return "empty segment";
        }
        if (len > MAX_SEGMENT_LENGTH) {
            return "segment longer than " + MAX_SEGMENT_LENGTH + " characters";
        }
        if (name.charAt(from) == '*') {
            if (!wildcards) {
                return "wildcards are only allowed in subscription patterns";
            }
            if (len == 1 || (len == 2 && name.charAt(from + 1) == '*')) {
                return null;
            }
            return "'*' and '**' must be whole segments";
        }
        for (int i = from; i < to; i++) {
            char c = name.charAt(i);
            if (c >= 128 || !ALLOWED[c]) {
                return c == '*' ? "'*' and '**' must be whole segments"
                        : "character " + describe(c) + " is not allowed (use A-Z a-z 0-9 _ : -)";
            }
        }
        return null;
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private static String shorten(String name) {
        return name.length() <= 80 ? name : name.substring(0, 77) + "...";
    }
}
