package io.svcnet.api.patch;

import static io.svcnet.api.patch.Jsons.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JsonPatchTest {

    /** RFC 6902 Appendix A examples that succeed, then our own. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("A.1 add an object member", "{'foo':'bar'}",
                        "[{'op':'add','path':'/baz','value':'qux'}]", "{'baz':'qux','foo':'bar'}"),
                Arguments.of("A.2 add an array element", "{'foo':['bar','baz']}",
                        "[{'op':'add','path':'/foo/1','value':'qux'}]", "{'foo':['bar','qux','baz']}"),
                Arguments.of("A.3 remove an object member", "{'baz':'qux','foo':'bar'}",
                        "[{'op':'remove','path':'/baz'}]", "{'foo':'bar'}"),
                Arguments.of("A.4 remove an array element", "{'foo':['bar','qux','baz']}",
                        "[{'op':'remove','path':'/foo/1'}]", "{'foo':['bar','baz']}"),
                Arguments.of("A.5 replace a value", "{'baz':'qux','foo':'bar'}",
                        "[{'op':'replace','path':'/baz','value':'boo'}]", "{'baz':'boo','foo':'bar'}"),
                Arguments.of("A.6 move a value", "{'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}}",
                        "[{'op':'move','from':'/foo/waldo','path':'/qux/thud'}]",
                        "{'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}"),
                Arguments.of("A.7 move an array element", "{'foo':['all','grass','cows','eat']}",
                        "[{'op':'move','from':'/foo/1','path':'/foo/3'}]", "{'foo':['all','cows','eat','grass']}"),
                Arguments.of("A.8 test a value: success", "{'baz':'qux','foo':['a',2,'c']}",
                        "[{'op':'test','path':'/baz','value':'qux'},{'op':'test','path':'/foo/1','value':2}]",
                        "{'baz':'qux','foo':['a',2,'c']}"),
                Arguments.of("A.10 add a nested member object", "{'foo':'bar'}",
                        "[{'op':'add','path':'/child','value':{'grandchild':{}}}]", "{'foo':'bar','child':{'grandchild':{}}}"),
                Arguments.of("A.11 ignore unrecognized elements", "{'foo':'bar'}",
                        "[{'op':'add','path':'/baz','value':'qux','xyz':123}]", "{'foo':'bar','baz':'qux'}"),
                Arguments.of("A.14 ~ escape ordering", "{'/':9,'~1':10}",
                        "[{'op':'test','path':'/~01','value':10}]", "{'/':9,'~1':10}"),
                Arguments.of("A.16 add an array value", "{'foo':['bar']}",
                        "[{'op':'add','path':'/foo/-','value':['abc','def']}]", "{'foo':['bar',['abc','def']]}"),
                Arguments.of("~1 in a label key", "{'metadata':{'labels':{}}}",
                        "[{'op':'add','path':'/metadata/labels/app.kubernetes.io~1name','value':'web'}]",
                        "{'metadata':{'labels':{'app.kubernetes.io/name':'web'}}}"),
                Arguments.of("copy", "{'a':{'b':1}}", "[{'op':'copy','from':'/a','path':'/c'}]", "{'a':{'b':1},'c':{'b':1}}"),
                Arguments.of("replace the whole document", "{'a':1}", "[{'op':'replace','path':'','value':[1]}]", "[1]"),
                Arguments.of("add to the end with -", "{'l':[1]}", "[{'op':'add','path':'/l/-','value':2}]", "{'l':[1,2]}"),
                Arguments.of("add at index size", "{'l':[1]}", "[{'op':'add','path':'/l/1','value':2}]", "{'l':[1,2]}"),
                Arguments.of("test compares numbers by value", "{'n':1}", "[{'op':'test','path':'/n','value':1.0}]", "{'n':1}"),
                Arguments.of("operations apply in order", "{'spec':{'replicas':1}}",
                        "[{'op':'test','path':'/spec/replicas','value':1},{'op':'replace','path':'/spec/replicas','value':3},"
                                + "{'op':'test','path':'/spec/replicas','value':3}]", "{'spec':{'replicas':3}}"),
                Arguments.of("move to the same place", "{'a':1}", "[{'op':'move','from':'/a','path':'/a'}]", "{'a':1}"),
                Arguments.of("add null", "{}", "[{'op':'add','path':'/a','value':null}]", "{'a':null}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void applies(String name, String target, String patch, String expected) {
        JsonNode t = json(target);
        JsonNode copy = t.deepCopy();
        assertThat(JsonPatch.apply(t, json(patch))).isEqualTo(json(expected));
        assertThat(t).as("target untouched").isEqualTo(copy);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("A.9 test a value: error", "{'baz':'qux'}", "[{'op':'test','path':'/baz','value':'bar'}]",
                        "testing value /baz failed"),
                Arguments.of("A.12 add to a nonexistent target", "{'foo':'bar'}",
                        "[{'op':'add','path':'/baz/bat','value':'qux'}]", "doc is missing path: \"/baz/bat\""),
                Arguments.of("A.15 string is not a number", "{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':'10'}]",
                        "testing value /~01 failed"),
                Arguments.of("remove a missing key", "{'a':1}", "[{'op':'remove','path':'/b'}]", "Unable to remove nonexistent key: b"),
                Arguments.of("replace a missing key", "{'a':1}", "[{'op':'replace','path':'/b','value':1}]", "doc is missing key: /b"),
                Arguments.of("index out of range", "{'l':[1]}", "[{'op':'add','path':'/l/5','value':1}]", "invalid index"),
                Arguments.of("remove with -", "{'l':[1]}", "[{'op':'remove','path':'/l/-'}]", "invalid index"),
                Arguments.of("leading zero index", "{'l':[1,2]}", "[{'op':'replace','path':'/l/01','value':1}]", "invalid index"),
                Arguments.of("move into own child", "{'a':{'b':1}}", "[{'op':'move','from':'/a','path':'/a/b/c'}]", "own child"),
                Arguments.of("copy from nowhere", "{}", "[{'op':'copy','from':'/x','path':'/y'}]", "doc is missing path"),
                Arguments.of("test a missing path", "{}", "[{'op':'test','path':'/x','value':null}]", "testing value /x failed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void unprocessable(String name, String target, String patch, String message) {
        JsonNode t = json(target);
        JsonNode copy = t.deepCopy();
        assertThatThrownBy(() -> JsonPatch.apply(t, json(patch)))
                .isInstanceOfSatisfying(PatchException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.isBadRequest()).isFalse();
                    assertThat(e.getMessage()).contains(message);
                });
        assertThat(t).isEqualTo(copy);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("not an array", "{'op':'add'}", "JSON array"),
                Arguments.of("operation not an object", "[1]", "not an object"),
                Arguments.of("no op", "[{'path':'/a'}]", "no \"op\""),
                Arguments.of("unknown op", "[{'op':'frobnicate','path':'/a'}]", "Unexpected kind: frobnicate"),
                Arguments.of("no path", "[{'op':'add','value':1}]", "missing \"path\""),
                Arguments.of("no from", "[{'op':'move','path':'/a'}]", "missing \"from\""),
                Arguments.of("no value", "[{'op':'add','path':'/a'}]", "missing \"value\""),
                Arguments.of("pointer without slash", "[{'op':'add','path':'a','value':1}]", "must be empty or start with"),
                Arguments.of("bad escape", "[{'op':'add','path':'/a~2','value':1}]", "invalid escape"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void badRequest(String name, String patch, String message) {
        assertThatThrownBy(() -> JsonPatch.apply(json("{'a':1}"), json(patch)))
                .isInstanceOfSatisfying(PatchException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.reason()).isEqualTo("BadRequest");
                    assertThat(e.getMessage()).contains(message);
                });
    }

    @Test
    void aFailingOperationLeavesNothingHalfApplied() {
        JsonNode target = json("{'a':1}");
        assertThatThrownBy(() -> JsonPatch.apply(target,
                json("[{'op':'add','path':'/b','value':2},{'op':'test','path':'/a','value':5}]")))
                .isInstanceOf(PatchException.class);
        assertThat(target).isEqualTo(json("{'a':1}"));
    }
}
