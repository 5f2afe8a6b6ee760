import XMPPCore

@testable import XMPP

/// Parses server XML the way the session's reader does.
enum XMLTestParsing {
    struct NoElement: Error {}

    /// The first top-level element of `xml`, read inside a client stream.
    static func element(_ xml: String) throws -> XMLElement {
        let reader = XMLStreamReader()
        let events = try reader.read(Array((ScriptedServer.header + xml).utf8))
        for case .element(let element) in events { return element }
        throw NoElement()
    }
}

/// The ping payload of XEP-0199.
let pingPayload = XMLElement("ping", namespace: "urn:xmpp:ping")

/// Test errors a handler may throw.
struct SecretDatabaseFailure: Error, CustomStringConvertible {
    var description: String { "password table at /var/db/secret is corrupt" }
}

extension SessionHandlerHarness {
    /// A harness whose session is established over direct TLS as
    /// alice@example.com/r1 (PLAIN), with the client's output drained.
    static func established() throws -> SessionHandlerHarness {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        try harness.serverSends(ScriptedServer.header + ScriptedServer.plainFeatures)
        try harness.serverSends(ScriptedServer.success)
        try harness.serverSends(ScriptedServer.header + ScriptedServer.bindFeatures)
        try harness.serverSends(ScriptedServer.bindResult)
        guard harness.session != nil else { throw XMLTestParsing.NoElement() }
        _ = try harness.clientWrote()
        return harness
    }
}
