import SiskinIngest
import Testing

/// The token file format with namespace scopes (docs/aggregator.md,
/// "Credentials"): `TOKEN [namespaces=a,b]` per line.
@Suite("Token files: namespace scopes")
struct TokenFileTests {
    @Test("a token followed by namespaces= is restricted to those namespaces; a bare token to none")
    func scopes() throws {
        let tokens = try BearerTokens(fileContents: """
            # team tokens
            team-a-token namespaces=team-a
            shared-token\tnamespaces=team-a,team-b
            admin-token
            """)
        #expect(tokens.count == 3)
        #expect(tokens.scopedCount == 2)
        #expect(tokens.match(authorization: "Bearer team-a-token") == .accepted(.namespaces(["team-a"]), line: 2))
        #expect(tokens.match(authorization: "Bearer shared-token") == .accepted(.namespaces(["team-a", "team-b"]), line: 3))
        #expect(tokens.match(authorization: "Bearer admin-token") == .accepted(.all, line: 4))
        // The attribute is not part of the token.
        #expect(tokens.match(authorization: "Bearer team-a-token namespaces=team-a") == .unknown)
        #expect(tokens.match(authorization: "Bearer team-b-token") == .unknown)
        #expect(tokens.match(authorization: nil) == .missing)
        #expect(tokens.match(authorization: "Basic dGVhbS1hLXRva2Vu") == .missing)
    }

    @Test("a scope allows exactly its namespaces")
    func allows() {
        let scope = TokenScope.namespaces(["team-a", "team-b"])
        #expect(scope.allows(namespace: "team-a"))
        #expect(scope.allows(namespace: "team-b"))
        #expect(!scope.allows(namespace: "team-c"))
        #expect(!scope.allows(namespace: "team-a "))
        #expect(!scope.allows(namespace: ""))
        #expect(TokenScope.all.allows(namespace: "anything"))
    }

    @Test("mistakes are refused with the line number, never the token",
          arguments: [
              ("ok\ns3cret-one namespace=team-a", 2, "unknown attribute 'namespace'"),
              ("s3cret-one namespaces=", 1, "needs a comma-separated list"),
              ("s3cret-one namespaces=a,,b", 1, "needs a comma-separated list"),
              ("s3cret-one namespaces=Team_A", 1, "'Team_A' is not a Kubernetes namespace name"),
              ("s3cret-one namespaces=a namespaces=b", 1, "given twice"),
              ("s3cret-one\n\n# c\ns3cret-one namespaces=a", 4, "repeats the token of line 1"),
          ])
    func mistakes(file: String, line: Int, reason: String) {
        let error = #expect(throws: TokenFileError.self) { try BearerTokens(fileContents: file) }
        #expect(error?.line == line)
        #expect(error?.reason.contains(reason) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("s3cret") == false)
    }

    @Test("shared tokens between two sets are found by line")
    func shared() throws {
        let push = try BearerTokens(fileContents: "p1\nboth\n")
        let read = try BearerTokens(fileContents: "r1\nr2\nboth\n")
        let shared = push.lines(sharedWith: read)
        #expect(shared.count == 1)
        #expect(shared.first?.line == 2)
        #expect(shared.first?.otherLine == 3)
        #expect(push.lines(sharedWith: try BearerTokens(fileContents: "r1\n")).isEmpty)
    }
}
