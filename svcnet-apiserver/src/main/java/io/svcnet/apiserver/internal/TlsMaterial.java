package io.svcnet.apiserver.internal;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The apiserver's TLS identity and client token, created on first start in the data directory and reused
 * afterwards (as kubeadm's {@code /etc/kubernetes/pki}): a self-signed CA ({@code ca.crt}, {@code ca.key}),
 * a serving certificate signed by it for localhost, 127.0.0.1, ::1 and any extra names
 * ({@code apiserver.crt}, {@code apiserver.key}), and a random bearer token ({@code token}). Private keys and the
 * token are written owner-only. The serving certificate is re-issued when its names no longer cover the
 * requested ones.
 */
public final class TlsMaterial {

    private final Path caCert;
    private final Path serverCert;
    private final Path serverKey;
    private final String token;

    private TlsMaterial(Path caCert, Path serverCert, Path serverKey, String token) {
        this.caCert = caCert;
        this.serverCert = serverCert;
        this.serverKey = serverKey;
        this.token = token;
    }

    public Path caCertFile() {
        return caCert;
    }

    public Path serverCertFile() {
        return serverCert;
    }

    public Path serverKeyFile() {
        return serverKey;
    }

    /** The bearer token clients must present. Never log it. */
    public String token() {
        return token;
    }

    /** The serving key, for the TLS handler. */
    public PrivateKey serverPrivateKey() {
        try {
            return readPrivateKey(serverKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The serving certificate followed by the CA certificate. */
    public X509Certificate[] serverCertChain() {
        try {
            return new X509Certificate[] {readCert(serverCert), readCert(caCert)};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String caCertPem() {
        try {
            return Files.readString(caCert);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads the material from {@code dir}, creating what is missing. */
    public static TlsMaterial loadOrCreate(Path dir, List<String> extraSans) {
        try {
            Files.createDirectories(dir);
            Path caCrt = dir.resolve("ca.crt");
            Path caKey = dir.resolve("ca.key");
            Path srvCrt = dir.resolve("apiserver.crt");
            Path srvKey = dir.resolve("apiserver.key");
            Path tokenFile = dir.resolve("token");
            if (!Files.exists(caCrt) || !Files.exists(caKey)) {
                KeyPair ca = newKeyPair();
                X509Certificate cert = sign(new X500Name("CN=svcnet-ca"), ca, new X500Name("CN=svcnet-ca"), ca.getPrivate(), null, true, List.of());
                writePrivate(caKey, pem(ca.getPrivate()));
                Files.writeString(caCrt, pem(cert));
                Files.deleteIfExists(srvCrt);
            }
            List<String> sans = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1", "kubernetes", "kubernetes.default",
                    "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"));
            for (String s : extraSans) {
                if (!sans.contains(s)) {
                    sans.add(s);
                }
            }
            Path sansFile = dir.resolve("apiserver.sans");
            String sansText = String.join("\n", sans);
            if (!Files.exists(srvCrt) || !Files.exists(srvKey) || !Files.exists(sansFile) || !Files.readString(sansFile).equals(sansText)) {
                PrivateKey caPrivate = readPrivateKey(caKey);
                X509Certificate caCert = readCert(caCrt);
                KeyPair srv = newKeyPair();
                X509Certificate cert = sign(new X500Name("CN=kube-apiserver"), srv,
                        new X500Name(caCert.getSubjectX500Principal().getName()), caPrivate, caCert, false, sans);
                writePrivate(srvKey, pem(srv.getPrivate()));
                Files.writeString(srvCrt, pem(cert));
                Files.writeString(sansFile, sansText);
            }
            if (!Files.exists(tokenFile)) {
                byte[] b = new byte[24];
                new SecureRandom().nextBytes(b);
                StringBuilder sb = new StringBuilder();
                for (byte x : b) {
                    sb.append(String.format("%02x", x));
                }
                writePrivate(tokenFile, sb.toString());
            }
            return new TlsMaterial(caCrt, srvCrt, srvKey, Files.readString(tokenFile).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare TLS material in " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create TLS material in " + dir, e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
            X509Certificate issuerCert, boolean isCa, List<String> sans)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                new BigInteger(63, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(isCa ? 3650 : 825))), subject, subjectKeys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKeys.getPublic()));
        if (isCa) {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        } else {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerCert));
            List<GeneralName> names = new ArrayList<>();
            for (String s : sans) {
                boolean ip = s.matches("[0-9.]+") || s.contains(":");
                names.add(ip ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(s).getHostAddress())
                        : new GeneralName(GeneralName.dNSName, s));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        X509CertificateHolder h = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey));
        return new JcaX509CertificateConverter().getCertificate(h);
    }

    private static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            if (o instanceof PrivateKey k) {
                w.writeObject(new JcaPKCS8Generator(k, null)); // PKCS#8, readable by Netty and openssl
            } else {
                w.writeObject(o);
            }
        }
        return sw.toString();
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }

    private static PrivateKey readPrivateKey(Path file) throws IOException {
        try (PEMParser p = new PEMParser(Files.newBufferedReader(file))) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return conv.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo pki) {
                return conv.getPrivateKey(pki);
            }
            throw new IOException("no private key in " + file);
        }
    }

    private static X509Certificate readCert(Path file) throws IOException, GeneralSecurityException {
        try (PEMParser p = new PEMParser(Files.newBufferedReader(file))) {
            return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) p.readObject());
        }
    }
}
