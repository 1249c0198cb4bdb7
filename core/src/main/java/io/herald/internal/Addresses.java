package io.herald.internal;

/**
 * The key under which a client's address is counted by the per-address limits (connections per address,
 * the handshake rate, the publish rate of HTTP callers).
 *
 * <p>An IPv4 address is its own key. An IPv6 client usually holds a whole /64 and may pick a new address in
 * it for every connection, so an IPv6 address counts as its /64 ({@code 2001:db8:1:2::/64}); an IPv4-mapped
 * IPv6 address ({@code ::ffff:192.0.2.1}) counts as the IPv4 address. Anything that is not an IP literal (a
 * transport's {@code unknown}, a host name) is its own key, as given.
 */
final class Addresses {
    private Addresses() {
    }

    /**
     * @param address a client's address as the transport gave it: a literal, optionally in brackets or with a
     *     zone ({@code fe80::1%eth0}); may be {@code null}
     * @return the key its limits count it under
     */
    static String limitKey(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return address;
        }
        int[] hextets = parseIpv6(address);
        if (hextets == null) {
            return address;
        }
        if (hextets[0] == 0 && hextets[1] == 0 && hextets[2] == 0 && hextets[3] == 0 && hextets[4] == 0
                && hextets[5] == 0xffff) {
            return (hextets[6] >> 8) + "." + (hextets[6] & 0xff) + "." + (hextets[7] >> 8) + "." + (hextets[7] & 0xff);
        }
        return Integer.toHexString(hextets[0]) + ':' + Integer.toHexString(hextets[1]) + ':'
                + Integer.toHexString(hextets[2]) + ':' + Integer.toHexString(hextets[3]) + "::/64";
    }

    /** @return the eight 16-bit groups of an IPv6 literal, or {@code null} when it is not one */
    static int[] parseIpv6(String address) {
        String s = address;
        if (s.length() > 2 && s.charAt(0) == '[' && s.charAt(s.length() - 1) == ']') {
            s = s.substring(1, s.length() - 1);
        }
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone);
        }
        if (s.isEmpty() || s.length() > 45) {
            return null;
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        if (gap < 0) {
            int[] all = groups(s);
            return all == null || all.length != 8 ? null : all;
        }
        String before = s.substring(0, gap);
        // a dotted IPv4 part may only end the address
        int[] head = before.indexOf('.') >= 0 ? null : groups(before);
        int[] tail = groups(s.substring(gap + 2));
        if (head == null || tail == null || head.length + tail.length > 7) {
            return null;
        }
        int[] out = new int[8];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(tail, 0, out, 8 - tail.length, tail.length);
        return out;
    }

    /**
     * @param s colon-separated groups, the last of which may be a dotted IPv4 address (two groups); empty
     *     for none
     * @return the groups, or {@code null} when one is malformed
     */
    private static int[] groups(String s) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        boolean dotted = parts[parts.length - 1].indexOf('.') >= 0;
        int[] out = new int[parts.length + (dotted ? 1 : 0)];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (dotted && i == parts.length - 1) {
                int v4 = ipv4(p);
                if (v4 == -1) {
                    return null;
                }
                out[i] = v4 >>> 16;
                out[i + 1] = v4 & 0xffff;
                continue;
            }
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                int d = Character.digit(p.charAt(j), 16);
                if (d < 0) {
                    return null;
                }
                v = v << 4 | d;
            }
            out[i] = v;
        }
        return out;
    }

    /** @return a dotted-quad IPv4 address as an int, or -1 when it is not one */
    private static int ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) {
                return -1;
            }
            int n = 0;
            for (int j = 0; j < p.length(); j++) {
                char c = p.charAt(j);
                if (c < '0' || c > '9') {
                    return -1;
                }
                n = n * 10 + (c - '0');
            }
            if (n > 255) {
                return -1;
            }
            v = v << 8 | n;
        }
        return v;
    }
}
