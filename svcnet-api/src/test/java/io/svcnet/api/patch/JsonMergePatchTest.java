package io.svcnet.api.patch;

import static io.svcnet.api.patch.Jsons.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JsonMergePatchTest {

    /** The cases of RFC 7386 Appendix A, plus a few of our own. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("{'a':'b'}", "{'a':'c'}", "{'a':'c'}"),
                Arguments.of("{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}"),
                Arguments.of("{'a':'b'}", "{'a':null}", "{}"),
                Arguments.of("{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}"),
                Arguments.of("{'a':['b']}", "{'a':'c'}", "{'a':'c'}"),
                Arguments.of("{'a':'c'}", "{'a':['b']}", "{'a':['b']}"),
                Arguments.of("{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}", "{'a':{'b':'d'}}"),
                Arguments.of("{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}"),
                Arguments.of("['a','b']", "['c','d']", "['c','d']"),
                Arguments.of("{'a':'b'}", "['c']", "['c']"),
                Arguments.of("{'a':'foo'}", "null", "null"),
                Arguments.of("{'a':'foo'}", "'bar'", "'bar'"),
                Arguments.of("{'e':null}", "{'a':1}", "{'e':null,'a':1}"),
                Arguments.of("[1,2]", "{'a':'b','c':null}", "{'a':'b'}"),
                Arguments.of("{}", "{'a':{'bb':{'ccc':null}}}", "{'a':{'bb':{}}}"),
                // RFC 7386 section 3
                Arguments.of("{'title':'Goodbye!','author':{'givenName':'John','familyName':'Doe'},'tags':['example','sample'],'content':'This will be unchanged'}",
                        "{'title':'Hello!','phoneNumber':'+01-123-456-7890','author':{'familyName':null},'tags':['example']}",
                        "{'title':'Hello!','author':{'givenName':'John'},'tags':['example'],'content':'This will be unchanged','phoneNumber':'+01-123-456-7890'}"),
                // kubectl scale on /scale, and a merge patch on a list (replaced whole)
                Arguments.of("{'spec':{'replicas':1},'status':{'replicas':1}}", "{'spec':{'replicas':3}}",
                        "{'spec':{'replicas':3},'status':{'replicas':1}}"),
                Arguments.of("{'spec':{'ports':[{'port':80},{'port':443}]}}", "{'spec':{'ports':[{'port':8080}]}}",
                        "{'spec':{'ports':[{'port':8080}]}}"));
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("cases")
    void rfc7386(String target, String patch, String expected) {
        JsonNode t = json(target);
        JsonNode p = json(patch);
        JsonNode tCopy = t.deepCopy();

        assertThat(JsonMergePatch.apply(t, p)).isEqualTo(json(expected));
        assertThat(t).as("target untouched").isEqualTo(tCopy);
    }

    @Test
    void missingTargetIsNoDocument() {
        assertThat(JsonMergePatch.apply(null, json("{'a':{'b':null,'c':1}}"))).isEqualTo(json("{'a':{'c':1}}"));
    }

    @Test
    void resultSharesNoNodesWithThePatch() {
        JsonNode patch = json("{'a':{'b':[1]}}");
        JsonNode result = JsonMergePatch.apply(json("{}"), patch);
        ((com.fasterxml.jackson.databind.node.ArrayNode) result.at("/a/b")).add(2);
        assertThat(patch).isEqualTo(json("{'a':{'b':[1]}}"));
    }
}
