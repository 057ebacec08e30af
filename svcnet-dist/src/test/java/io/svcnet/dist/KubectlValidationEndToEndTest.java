package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl's validation paths against {@code svcnet up}, with Kubernetes' own messages: kinds svcnet does not
 * serve reach kubectl's REST-mapping error (OpenAPI v3 has no group/version, the CRD list is empty, the protobuf
 * {@code /openapi/v2} lacks the kind so client-side validation skips it), {@code kind: List} is validated client-side
 * against {@code /openapi/v2}, {@code explain} renders from v2, and a create reports a malformed body before a missing
 * namespace.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KubectlValidationEndToEndTest {

    @TempDir
    static Path tmp;

    static SvcnetProcess svcnet;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        svcnet = new SvcnetProcess(data, "--nodes", "0");
        kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("kube-cache"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (svcnet != null) {
            svcnet.close();
        }
    }

    private static Path write(String name, String yaml) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    private static String mappingError(String name, String namespace, Path file, String kind, String apiVersion) {
        return "error: resource mapping not found for name: \"" + name + "\" namespace: \"" + namespace + "\" from \"" + file
                + "\": no matches for kind \"" + kind + "\" in version \"" + apiVersion + "\"\nensure CRDs are installed first\n";
    }

    @Test
    void unservedKindsGetKubectlsMappingErrorAfterReadingOpenApiV2AsProtobuf() throws Exception {
        Path role = write("clusterrole.yaml", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: x
                rules: []
                """);
        Kubectl.Result r = kubectl.run("apply", "-f", role.toString(), "-v=8");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("/openapi/v2").contains("Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
        assertThat(r.err()).endsWith(mappingError("x", "", role, "ClusterRole", "rbac.authorization.k8s.io/v1"));

        Kubectl.Result create = kubectl.run("create", "-f", role.toString());
        assertThat(create.err()).isEqualTo(mappingError("x", "", role, "ClusterRole", "rbac.authorization.k8s.io/v1"));

        Path oldIngress = write("old-ingress.yaml", """
                apiVersion: extensions/v1beta1
                kind: Ingress
                metadata:
                  name: web
                  namespace: default
                spec:
                  backend:
                    serviceName: web
                    servicePort: 80
                """);
        assertThat(kubectl.run("apply", "-f", oldIngress.toString()).err())
                .isEqualTo(mappingError("web", "default", oldIngress, "Ingress", "extensions/v1beta1"));

        Path custom = write("certificate.yaml", """
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata:
                  name: tls
                spec:
                  secretName: tls
                """);
        assertThat(kubectl.run("apply", "-f", custom.toString(), "--server-side").err())
                .isEqualTo(mappingError("tls", "", custom, "Certificate", "cert-manager.io/v1"));

        // a kind missing from a served group/version goes through the v2 verifier and kubectl's CRD lookup
        Path sts = write("statefulset.yaml", """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: db
                spec:
                  serviceName: db
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec: {containers: [{name: db, image: redis}]}
                """);
        assertThat(kubectl.run("apply", "-f", sts.toString()).err()).isEqualTo(mappingError("db", "", sts, "StatefulSet", "apps/v1"));
    }

    @Test
    void aMultiDocumentFileAppliesTheServedKindsAndReportsTheOthers() throws Exception {
        Path f = write("mixed.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: mixed-one
                data:
                  a: "1"
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: reader
                rules: []
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: mixed-two
                spec:
                  ports:
                  - port: 80
                """);
        Kubectl.Result r = kubectl.run("apply", "-f", f.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("configmap/mixed-one created\nservice/mixed-two created\n");
        assertThat(r.err()).isEqualTo(mappingError("reader", "", f, "ClusterRole", "rbac.authorization.k8s.io/v1"));
        assertThat(kubectl.ok("get", "cm/mixed-one", "svc/mixed-two", "-o", "name")).isEqualTo("configmap/mixed-one\nservice/mixed-two\n");
    }

    @Test
    void aListIsValidatedClientSideAgainstOpenApiV2() throws Exception {
        Path f = write("list.yaml", """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Service
                  metadata:
                    name: listed
                  spec:
                    foo: bar
                    ports:
                    - port: "80"
                """);
        Kubectl.Result r = kubectl.run("apply", "-f", f.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: error validating \"" + f + "\": error validating data: [ValidationError(Service.spec): unknown field "
                + "\"foo\" in io.k8s.api.core.v1.ServiceSpec, ValidationError(Service.spec.ports[0].port): invalid type for "
                + "io.k8s.api.core.v1.ServicePort.port: got \"string\", expected \"integer\"]; if you choose to ignore these errors, "
                + "turn validation off with --validate=false\n");

        Files.writeString(f, Files.readString(f).replace("    foo: bar\n", "").replace("port: \"80\"", "port: 80"));
        assertThat(kubectl.ok("apply", "-f", f.toString())).isEqualTo("service/listed created\n");
    }

    @Test
    void explainRendersFromOpenApiV2() {
        String out = kubectl.ok("explain", "svc.spec.ports", "--output", "plaintext-openapiv2");
        assertThat(out).contains("KIND:     Service").contains("VERSION:  v1").contains("RESOURCE: ports <[]Object>")
                .contains("targetPort\t<string>");
    }

    @Test
    void aMalformedCreateIsReportedBeforeTheMissingNamespace() throws Exception {
        Path f = write("ingress-v1beta1-fields.yaml", """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: web
                  namespace: nowhere
                spec:
                  rules:
                  - http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          serviceName: web
                          servicePort: 80
                """);
        String strict = "Ingress in version \"v1\" cannot be handled as a Ingress: strict decoding error: "
                + "unknown field \"spec.rules[0].http.paths[0].backend.serviceName\", unknown field \"spec.rules[0].http.paths[0].backend.servicePort\"\n";
        assertThat(kubectl.run("create", "-f", f.toString()).err())
                .isEqualTo("Error from server (BadRequest): error when creating \"" + f + "\": " + strict);
        assertThat(kubectl.run("apply", "-f", f.toString()).err())
                .isEqualTo("Error from server (BadRequest): error when creating \"" + f + "\": " + strict);
        assertThat(kubectl.run("apply", "--server-side", "-f", f.toString()).err()).isEqualTo("Error from server (BadRequest): " + strict);
        // without validation the body decodes, and NamespaceLifecycle admission finds no namespace
        assertThat(kubectl.run("create", "--validate=false", "-f", f.toString()).err())
                .isEqualTo("Error from server (NotFound): error when creating \"" + f + "\": namespaces \"nowhere\" not found\n");
    }

    @Test
    void serverSideDryRunsChangeNothingAndBadDryRunValuesAreInvalid() {
        // kubectl delete --dry-run=server sends DeleteOptions {"dryRun":["All"]} in the body, not in the query
        kubectl.ok("create", "configmap", "keep-me", "--from-literal=a=b");
        assertThat(kubectl.ok("delete", "configmap", "keep-me", "--dry-run=server"))
                .isEqualTo("configmap \"keep-me\" deleted (server dry run)\n");
        assertThat(kubectl.ok("get", "configmap", "keep-me", "-o", "name")).isEqualTo("configmap/keep-me\n");
        assertThat(kubectl.ok("label", "configmap", "keep-me", "x=y", "--dry-run=server"))
                .isEqualTo("configmap/keep-me labeled (server dry run)\n");
        assertThat(kubectl.ok("get", "configmap", "keep-me", "-o", "jsonpath={.metadata.labels}")).isEmpty();
        Kubectl.Result bad = kubectl.run("delete", "--raw", "/api/v1/namespaces/default/configmaps/keep-me?dryRun=yes");
        assertThat(bad.err()).isEqualTo("The DeleteOptions \"\" is invalid: dryRun: Unsupported value: []string{\"yes\"}: supported values: \"All\"\n");
        assertThat(kubectl.ok("delete", "configmap", "keep-me")).isEqualTo("configmap \"keep-me\" deleted\n");
    }
}
