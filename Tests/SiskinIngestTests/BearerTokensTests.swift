import Foundation
import SiskinIngest
import Testing

@Suite("Bearer tokens guard ingest")
struct BearerTokensTests {
    let tokens = BearerTokens(tokens: ["s3cret-token", "second"])

    @Test("a configured token is accepted after a 'Bearer ' scheme, in any letter case")
    func acceptsConfiguredTokens() {
        #expect(tokens.accepts(authorization: "Bearer s3cret-token"))
        #expect(tokens.accepts(authorization: "bearer s3cret-token"))
        #expect(tokens.accepts(authorization: "BEARER second"))
        #expect(tokens.accepts(authorization: "bEaReR second"))
        #expect(!tokens.isOpen)
        #expect(tokens.count == 2)
    }

    @Test("anything but an exact configured token is rejected",
          arguments: [
              nil, "", "Bearer", "Bearer ", "s3cret-token", "Basic s3cret-token", "Token s3cret-token",
              "Bearer s3cret-toke", "Bearer s3cret-token2", "Bearer S3CRET-TOKEN", "Bearer  s3cret-token",
              "Bearer s3cret-token ", "Bearers3cret-token", "Bearer second\n", "Bearer s3cret-tokensecond",
          ] as [String?])
    func rejectsEverythingElse(header: String?) {
        #expect(!tokens.accepts(authorization: header))
    }

    @Test("without tokens ingest is open: every request is accepted, with or without a header")
    func openMode() {
        #expect(BearerTokens.open.isOpen)
        #expect(BearerTokens.open.count == 0)
        #expect(BearerTokens.open.accepts(authorization: nil))
        #expect(BearerTokens.open.accepts(authorization: "Bearer anything"))
        #expect(BearerTokens(tokens: []).accepts(authorization: "Basic nonsense"))
    }

    @Test("a token file holds one token per line; blank lines and # comments are skipped, whitespace trimmed")
    func tokenFile() throws {
        let file = try BearerTokens(fileContents: "# agents in cluster a\n  alpha \t\r\n\n#beta\r\ngamma\rdelta\n")
        #expect(file.count == 3)
        for token in ["alpha", "gamma", "delta"] {
            #expect(file.accepts(authorization: "Bearer \(token)"), "\(token)")
        }
        #expect(!file.accepts(authorization: "Bearer beta"))
        #expect(!file.accepts(authorization: "Bearer #beta"))
        #expect(!file.accepts(authorization: "Bearer  alpha "))
    }

    @Test("empty tokens are never configured, so an empty bearer token cannot match")
    func emptyTokensIgnored() {
        let withEmpty = BearerTokens(tokens: ["", "x"])
        #expect(withEmpty.count == 1)
        #expect(!withEmpty.accepts(authorization: "Bearer "))
        #expect(withEmpty.accepts(authorization: "Bearer x"))
    }

    @Test("non-ASCII tokens compare byte for byte")
    func unicodeTokens() {
        let unicode = BearerTokens(tokens: ["clé-🔑"])
        #expect(unicode.accepts(authorization: "Bearer clé-🔑"))
        #expect(!unicode.accepts(authorization: "Bearer cle\u{301}-🔑"))
        #expect(!unicode.accepts(authorization: "Bearer clé-"))
    }

    @Test("basic credentials present the token as their password, whatever the user name (Flagger's MetricTemplates send basic auth)")
    func basicAuth() {
        func basic(_ credentials: String) -> String { "Basic " + Data(credentials.utf8).base64EncodedString() }
        for user in ["flagger", ""] {
            #expect(tokens.accepts(authorization: basic("\(user):s3cret-token")), "\(user)")
            #expect(tokens.accepts(authorization: basic("\(user):second").replacingOccurrences(of: "Basic", with: "bAsIc")))
        }
        // One to three bytes in the last group: every padding case decodes.
        for password in ["s3cret-token", "second"] {
            for prefix in ["", "u", "us"] {
                #expect(tokens.accepts(authorization: basic("\(prefix):\(password)")), "\(prefix)")
            }
        }
        for header in [
            basic("flagger:s3cret-toke"), basic("s3cret-token"), basic("s3cret-token:"), basic(":"),
            "Basic", "Basic ", "Basic !!!!", "Basic " + Data("flagger:s3cret-token".utf8).base64EncodedString().dropLast(),
            "Basic =" + Data("a:second".utf8).base64EncodedString().dropFirst(),
        ] {
            #expect(!tokens.accepts(authorization: header), "\(header)")
        }
    }
}
