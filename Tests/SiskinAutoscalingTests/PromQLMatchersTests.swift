import SiskinAutoscaling
import Testing

@Suite("Request conditions as PromQL matchers")
struct PromQLMatchersTests {
    @Test("each selector operator becomes the matcher prometheus-adapter would write")
    func selectorMatchers() throws {
        let selector = try LabelSelector(parsing: "a=x,b!=y,c in (p,q),d notin (r),e,!f")
        #expect(PromQLMatchers.matchers(for: selector) == [
            #"a="x""#, #"b!="y""#, #"c=~"p|q""#, #"d!~"r""#, #"e=~".+""#, #"f="""#,
        ])
    }

    @Test("label keys that are not Prometheus names are quoted; regex metacharacters in values are escaped")
    func quotingAndEscaping() throws {
        let selector = try LabelSelector(parsing: "app.kubernetes.io/name in (web.v1,api)")
        #expect(PromQLMatchers.matchers(for: selector) == [#""app.kubernetes.io/name"=~"web\\.v1|api""#])
    }

    @Test("a set of pods is one equality or a literal alternation the engine indexes")
    func podSets() {
        #expect(PromQLMatchers.oneOf("pod", ["web-1"]) == #"pod="web-1""#)
        #expect(PromQLMatchers.oneOf("pod", ["web-1", "web-2"]) == #"pod=~"web-1|web-2""#)
    }
}
