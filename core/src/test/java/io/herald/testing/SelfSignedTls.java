package io.herald.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code 127.0.0.1}, made by the JDK's {@code keytool}, for servers that tests
 * start with TLS, and a client context that trusts exactly that certificate (hostname checks pass: the
 * certificate names the address).
 *
 * @param keyStore the PKCS12 key store holding the key and certificate
 * @param password the store's and the key's password
 */
public record SelfSignedTls(Path keyStore, String password) {
    /**
     * @param dir where the key store is written
     * @return the certificate, made now (valid for two days)
     * @throws IOException when keytool cannot run or fails
     */
    public static SelfSignedTls create(Path dir) throws IOException, InterruptedException {
        Path store = dir.resolve("herald-test-tls.p12");
        String password = "herald-test";
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "herald", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (keytool.waitFor() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        return new SelfSignedTls(store, password);
    }

    /** @return a client context that trusts this certificate only */
    public SSLContext clientContext() throws IOException, GeneralSecurityException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            trusted.load(in, password.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
