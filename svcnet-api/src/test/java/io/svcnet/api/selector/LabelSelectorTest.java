package io.svcnet.api.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LabelSelectorTest {

    private static final String QNAME_HINT = "must consist of alphanumeric characters, '-', '_' or '.', and must start and "
            + "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
            + "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    private static final String VALUE_HINT = "a valid label must be an empty string or consist of alphanumeric characters, "
            + "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
            + "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''                                   | ''",
        "'   '                                | ''",
        "app=nginx                            | app=nginx",
        "app == nginx                         | app==nginx",
        "app!=nginx                           | app!=nginx",
        "app                                  | app",
        "!app                                 | !app",
        "'  ! app '                           | !app",
        "tier in (b, a)                       | tier in (a,b)",
        "tier notin (prod)                    | tier notin (prod)",
        "x in ()                              | x in ()",
        "'x in (a,,b)'                        | 'x in (,a,b)'",
        "'x in (,a)'                          | 'x in (,a)'",
        "x=                                   | x=",
        "x>5                                  | x>5",
        "x < 3                                | x<3",
        "in in (in, notin)                    | in in (in,notin)",
        "'tier in (b,a),app=nginx,!gone,x>5'  | 'app=nginx,!gone,tier in (a,b),x>5'",
        "example.com/role=web                 | example.com/role=web",
        "'a=1,a!=2'                           | 'a=1,a!=2'",
    })
    void parsesToCanonicalForm(String input, String canonical) {
        assertThat(LabelSelector.parse(input).toString()).isEqualTo(canonical);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "x=(a)        | unable to parse requirement: found '(', expected: identifier",
        "x in a       | unable to parse requirement: found 'a' expected: '('",
        "x in (a      | unable to parse requirement: found '', expected: ',' or ')'",
        "x in (a b)   | unable to parse requirement: found 'b', expected: ',' or ')'",
        "x in (=)     | unable to parse requirement: found '=', expected: ',', ')' or identifier",
        "x y          | unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt",
        "x=a b        | found 'b', expected: ',' or 'end of string'",
        "'x=a,'       | found '', expected: identifier after ','",
        "',x'         | found ',', expected: !, identifier, or 'end of string'",
        "=a           | found '=', expected: !, identifier, or 'end of string'",
        "!=a          | found '!=', expected: !, identifier, or 'end of string'",
        "'!'          | unable to parse requirement: found '', expected: identifier",
        "x>a          | unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer",
    })
    void rejectsMalformedSelectorsWithUpstreamMessages(String input, String message) {
        assertThatThrownBy(() -> LabelSelector.parse(input))
                .isInstanceOf(SelectorParseException.class)
                .hasMessage(message);
    }

    @Test
    void validatesKeysWithTheParsersNilPath() {
        assertThatThrownBy(() -> LabelSelector.parse("-x=1"))
                .hasMessage("unable to parse requirement: <nil>: Invalid value: \"-x\": name part " + QNAME_HINT);
        assertThatThrownBy(() -> LabelSelector.parse("a/b/c"))
                .hasMessageStartingWith("unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of")
                .hasMessageEndingWith("with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
        assertThatThrownBy(() -> LabelSelector.parse("Example.com/x"))
                .hasMessageContaining("prefix part a lowercase RFC 1123 subdomain must consist of");
        String longKey = "k".repeat(64);
        assertThatThrownBy(() -> LabelSelector.parse(longKey))
                .hasMessage("unable to parse requirement: <nil>: Invalid value: \"" + longKey
                        + "\": name part must be no more than 63 characters");
    }

    @Test
    void validatesValues() {
        assertThatThrownBy(() -> LabelSelector.parse("x=a$b"))
                .hasMessage("unable to parse requirement: values[0][x]: Invalid value: \"a$b\": " + VALUE_HINT);
        assertThatThrownBy(() -> LabelSelector.parse("x<-3"))
                .as("a negative number is not a valid label value, so upstream rejects it too")
                .hasMessage("unable to parse requirement: values[0][x]: Invalid value: \"-3\": " + VALUE_HINT);
        String longValue = "v".repeat(64);
        assertThatThrownBy(() -> LabelSelector.parse("x in (a," + longValue + ")"))
                .hasMessage("unable to parse requirement: values[1][x]: Invalid value: \"" + longValue
                        + "\": must be no more than 63 characters");
    }

    @Test
    void matchesLikeApimachinery() {
        Map<String, String> labels = Map.of("app", "nginx", "tier", "frontend", "replicas", "3");
        assertThat(LabelSelector.parse("app=nginx").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("app=nginx,tier=backend").matches(labels)).isFalse();
        assertThat(LabelSelector.parse("app!=apache").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("missing!=x").matches(labels)).as("!= matches an absent key").isTrue();
        assertThat(LabelSelector.parse("missing notin (x)").matches(labels)).as("notin matches an absent key").isTrue();
        assertThat(LabelSelector.parse("missing in (x)").matches(labels)).isFalse();
        assertThat(LabelSelector.parse("tier in (frontend,backend)").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("tier notin (frontend)").matches(labels)).isFalse();
        assertThat(LabelSelector.parse("app").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("!app").matches(labels)).isFalse();
        assertThat(LabelSelector.parse("!missing").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("replicas>2").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("replicas<3").matches(labels)).isFalse();
        assertThat(LabelSelector.parse("app>1").matches(labels)).as("non-integer label never compares").isFalse();
        assertThat(LabelSelector.parse("missing>1").matches(labels)).isFalse();
        assertThat(LabelSelector.parse("x=").matches(Map.of("x", ""))).isTrue();
        assertThat(LabelSelector.parse("").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("").isEmpty()).isTrue();
    }

    @Test
    void matchesJsonLabelObjects() {
        JsonNode labels = json("{\"app\":\"web\"}");
        assertThat(LabelSelector.parse("app=web").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("app=web").matches(json("null"))).isFalse();
        assertThat(LabelSelector.parse("!app").matches((JsonNode) null)).isTrue();
    }

    @Test
    void convertsMetav1LabelSelector() {
        LabelSelector s = LabelSelector.fromJson(json("{\"matchLabels\":{\"tier\":\"fe\",\"app\":\"web\"},"
                + "\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"In\",\"values\":[\"prod\",\"dev\"]},"
                + "{\"key\":\"canary\",\"operator\":\"DoesNotExist\"},{\"key\":\"zone\",\"operator\":\"Exists\"},"
                + "{\"key\":\"os\",\"operator\":\"NotIn\",\"values\":[\"windows\"]}]}"));
        assertThat(s.toString()).isEqualTo("app=web,!canary,env in (dev,prod),os notin (windows),tier=fe,zone");
        assertThat(s.matches(Map.of("app", "web", "tier", "fe", "env", "prod", "zone", "a"))).isTrue();
        assertThat(s.matches(Map.of("app", "web", "tier", "fe", "env", "prod", "zone", "a", "canary", "y"))).isFalse();
        assertThat(s.equalityRequirements()).isEqualTo(Map.of("app", "web", "tier", "fe"));
        assertThat(s.equalityRequirements().keySet()).containsExactly("app", "tier");
        assertThat(s.requiredValue("app")).contains("web");
        assertThat(s.requiredValue("env")).isEmpty();

        assertThat(LabelSelector.fromJson(null).matchesNothing()).isTrue();
        assertThat(LabelSelector.fromJson(null).matches(Map.of())).isFalse();
        assertThat(LabelSelector.fromJson(json("{}")).isEmpty()).isTrue();
        assertThat(LabelSelector.fromJson(json("{}")).matches(Map.of("a", "b"))).isTrue();
    }

    @Test
    void rejectsInvalidMetav1Selectors() {
        assertThatThrownBy(() -> LabelSelector.fromJson(json("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Gt\"}]}")))
                .hasMessage("\"Gt\" is not a valid label selector operator");
        assertThatThrownBy(() -> LabelSelector.fromJson(json("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\"}]}")))
                .hasMessage("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
        assertThatThrownBy(() -> LabelSelector.fromJson(json("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\",\"values\":[\"x\"]}]}")))
                .hasMessage("values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist");
        assertThatThrownBy(() -> LabelSelector.fromJson(json("{\"matchLabels\":{\"a b\":\"x\"}}")))
                .hasMessage("key: Invalid value: \"a b\": name part " + QNAME_HINT);
    }

    @Test
    void fromMapIsAnEqualitySelector() {
        LabelSelector s = LabelSelector.fromMap(Map.of("b", "2", "a", "1"));
        assertThat(s.toString()).isEqualTo("a=1,b=2");
        assertThat(s.matches(Map.of("a", "1", "b", "2", "c", "3"))).isTrue();
        assertThat(LabelSelector.fromMap(Map.of()).isEmpty()).isTrue();
        assertThat(LabelSelector.parse("b=2,a=1")).isEqualTo(s);
    }

    private static JsonNode json(String s) {
        return Json.parse(s.getBytes(StandardCharsets.UTF_8));
    }
}
