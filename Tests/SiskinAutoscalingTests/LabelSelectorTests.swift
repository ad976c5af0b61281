import SiskinAutoscaling
import Testing

@Suite("Label selectors in Kubernetes syntax")
struct LabelSelectorTests {
    let podinfo = ["app": "podinfo", "pod-template-hash": "7d9c8b6f5d", "version": "v1"]

    func parse(_ text: String) throws -> LabelSelector { try LabelSelector(parsing: text) }

    @Test("each operator parses to its requirement")
    func operators() throws {
        #expect(try parse("app=podinfo").requirements == [.equal("app", "podinfo")])
        #expect(try parse("app==podinfo").requirements == [.equal("app", "podinfo")])
        #expect(try parse("app!=podinfo").requirements == [.notEqual("app", "podinfo")])
        #expect(try parse("env in (prod,staging)").requirements == [.in("env", ["prod", "staging"])])
        #expect(try parse("env notin (dev)").requirements == [.notIn("env", ["dev"])])
        #expect(try parse("canary").requirements == [.exists("canary")])
        #expect(try parse("!canary").requirements == [.doesNotExist("canary")])
        #expect(try parse("").isEverything)
    }

    @Test("a comma means AND; spaces around operators and values are allowed")
    func conjunction() throws {
        let selector = try parse("app = podinfo, version in ( v1 , v2 ),!canary")
        #expect(selector.requirements == [.equal("app", "podinfo"), .in("version", ["v1", "v2"]), .doesNotExist("canary")])
        #expect(selector.matches(podinfo))
        #expect(!selector.matches(podinfo.merging(["canary": "true"]) { a, _ in a }))
        #expect(!selector.matches(["app": "podinfo", "version": "v3"]))
    }

    @Test("prefixed keys such as app.kubernetes.io/name are label keys")
    func prefixedKeys() throws {
        let selector = try parse("app.kubernetes.io/name=podinfo")
        #expect(selector.matches(["app.kubernetes.io/name": "podinfo"]))
        #expect(!selector.matches(["app": "podinfo"]))
    }

    @Test("!= and notin hold for objects without the label, = and in do not")
    func missingLabels() throws {
        #expect(try parse("tier!=db").matches(podinfo))
        #expect(try parse("tier notin (db)").matches(podinfo))
        #expect(!(try parse("tier=db").matches(podinfo)))
        #expect(!(try parse("tier in (db)").matches(podinfo)))
        #expect(try parse("tier=").matches(["tier": ""]))
    }

    @Test("malformed selectors are rejected",
          arguments: ["app in (a", "=podinfo", "app podinfo", "app=podinfo extra", "app in a", "a,,b", "app=-x", "-app=x", "app=x,"])
    func rejected(text: String) {
        #expect(throws: LabelSelectorError.self) { try LabelSelector(parsing: text) }
    }

    @Test("the string form round-trips")
    func description() throws {
        let text = "app=podinfo,env in (a,b),x notin (c),y!=z,k,!m"
        #expect(try parse(text).description == text)
    }
}
