import Testing
import XMPPCore
import XMPPExtensions

/// XEP-0115 §5: the verification string, with the XEP's two worked
/// examples as vectors, and the §5.4 rules for ill-formed answers.
@Suite struct CapsVerificationTests {
    static let info = "http://jabber.org/protocol/disco#info"
    static let features = [
        "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info",
        "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc",
    ]

    /// §5.2: one identity with a name, four features.
    static let simple = DiscoInfo(identities: [DiscoIdentity(category: "client", type: "pc", name: "Exodus 0.9.1")], features: Set(features))

    /// §5.3: two identities in two languages, an extended information form.
    static let complexQuery = """
        <query xmlns='http://jabber.org/protocol/disco#info' node='http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w='>
          <identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>
          <identity xml:lang='el' category='client' name='Ψ 0.11' type='pc'/>
          <feature var='http://jabber.org/protocol/caps'/>
          <feature var='http://jabber.org/protocol/disco#info'/>
          <feature var='http://jabber.org/protocol/disco#items'/>
          <feature var='http://jabber.org/protocol/muc'/>
          <x xmlns='jabber:x:data' type='result'>
            <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>
            <field var='ip_version'><value>ipv4</value><value>ipv6</value></field>
            <field var='os'><value>Mac</value></field>
            <field var='os_version'><value>10.5.1</value></field>
            <field var='software'><value>Psi</value></field>
            <field var='software_version'><value>0.11</value></field>
          </x>
        </query>
        """

    func query(_ children: String) throws -> XMLElement {
        try TestXML.element("<query xmlns='\(Self.info)'>\(children)</query>")
    }

    @Test("§5.2 simple example: S and ver QgayPKawpkPSDYmwT/WM94uAlu0=")
    func simpleVector() throws {
        #expect(try EntityCapabilities.verificationInput(for: Self.simple) == "client/pc//Exodus 0.9.1<" + Self.features.map { $0 + "<" }.joined())
        #expect(try EntityCapabilities.verificationString(for: Self.simple) == "QgayPKawpkPSDYmwT/WM94uAlu0=")
        // The same input under SHA-256 (checked with openssl).
        #expect(try EntityCapabilities.verificationString(for: Self.simple, using: .sha256) == "Wr6IGEKhx6b9627gBmi/cCmpxXBc/GYq5zWuYfWGWoc=")
    }

    @Test("§5.3 complex example: identities by language, the softwareinfo form; ver q07IKJEyjvHSyhy//CH0CxmKi8w=")
    func complexVector() throws {
        let element = try TestXML.element(Self.complexQuery)
        let info = try DiscoInfo(element: element)
        let expected = "client/pc/el/Ψ 0.11<client/pc/en/Psi 0.11<" + Self.features.map { $0 + "<" }.joined()
            + "urn:xmpp:dataforms:softwareinfo<ip_version<ipv4<ipv6<os<Mac<os_version<10.5.1<software<Psi<software_version<0.11<"
        #expect(try EntityCapabilities.verificationInput(for: info) == expected)
        #expect(try EntityCapabilities.verificationString(for: info) == "q07IKJEyjvHSyhy//CH0CxmKi8w=")
        let caps = EntityCapabilities(node: "http://psi-im.org", verification: "q07IKJEyjvHSyhy//CH0CxmKi8w=")
        let verified = try caps.verify(element)
        #expect(verified.node == nil && verified.features == info.features && verified.identities == info.identities)
    }

    @Test("The order things arrive in does not matter")
    func orderIndependent() throws {
        let shuffled = try query("""
            <x xmlns='jabber:x:data' type='result'>
              <field var='software_version'><value>0.11</value></field>
              <field var='ip_version'><value>ipv6</value><value>ipv4</value></field>
              <field var='os'><value>Mac</value></field>
              <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>
              <field var='software'><value>Psi</value></field>
              <field var='os_version'><value>10.5.1</value></field>
            </x>
            <feature var='http://jabber.org/protocol/muc'/>
            <identity xml:lang='el' category='client' name='Ψ 0.11' type='pc'/>
            <feature var='http://jabber.org/protocol/disco#items'/>
            <feature var='http://jabber.org/protocol/caps'/>
            <identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>
            <feature var='http://jabber.org/protocol/disco#info'/>
            """)
        #expect(try EntityCapabilities.verificationString(for: DiscoInfo(element: shuffled)) == "q07IKJEyjvHSyhy//CH0CxmKi8w=")
    }

    @Test("Sorting compares UTF-8 bytes (i;octet), not Swift's canonical String order")
    func octetOrder() throws {
        // Swift orders "éa" (precomposed) before "e\u{301}x" (decomposed,
        // canonically "éx"); by bytes 0x65 comes before 0xC3.
        let info = DiscoInfo(identities: [DiscoIdentity(category: "client", type: "pc")], features: ["éa", "e\u{301}x", "Z"])
        #expect("éa" < "e\u{301}x")
        #expect(try EntityCapabilities.verificationInput(for: info) == "client/pc//<Z<e\u{301}x<éa<")
        // Identities sort by category, then type, then language.
        let identities = DiscoInfo(identities: [
            DiscoIdentity(category: "client", type: "pc", name: "B", language: "en"),
            DiscoIdentity(category: "client", type: "bot"),
            DiscoIdentity(category: "account", type: "registered"),
            DiscoIdentity(category: "client", type: "pc", name: "A", language: "de"),
        ], features: [])
        #expect(try EntityCapabilities.verificationInput(for: identities) == "account/registered//<client/bot//<client/pc/de/A<client/pc/en/B<")
    }

    @Test("A literal &lt; in the character data stays four characters (the XEP's warning)")
    func literalEntityText() throws {
        let element = try query("<identity category='client' type='pc' name='SomeClient&amp;lt;http://jabber.org/protocol/muc'/>")
        let input = try EntityCapabilities.verificationInput(for: DiscoInfo(element: element))
        #expect(input == "client/pc//SomeClient&lt;http://jabber.org/protocol/muc<")
    }

    @Test("Forms without a hidden FORM_TYPE, or that are not data forms, are left out")
    func ignoredForms() throws {
        let base = try EntityCapabilities.verificationString(for: Self.simple)
        let forms = [
            "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE'><value>urn:a</value></field><field var='f'><value>1</value></field></x>",
            "<x xmlns='jabber:x:data' type='result'><field var='f'><value>1</value></field></x>",
            "<x xmlns='jabber:x:data'><field var='FORM_TYPE' type='hidden'><value>urn:b</value></field></x>",
            "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'/></x>",
        ]
        for form in forms {
            var info = Self.simple
            info.forms = [try TestXML.element(form)]
            #expect(try EntityCapabilities.verificationString(for: info) == base, "\(form)")
        }
    }

    @Test("Ill-formed (§5.4): a repeated identity, a repeated feature, a repeated FORM_TYPE, a FORM_TYPE with two values")
    func illFormed() throws {
        let identity = "<identity category='client' type='pc' name='X'/>"
        let form = "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:a</value></field></x>"
        let cases = [
            identity + identity,
            identity + "<feature var='urn:xmpp:ping'/><feature var='urn:xmpp:ping'/>",
            identity + form + form,
            identity + "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:a</value><value>urn:b</value></field></x>",
            "<identity category='client'/>",
        ]
        for children in cases {
            let element = try query(children)
            let caps = EntityCapabilities(node: "n", verification: "whatever")
            let error = #expect(throws: EntityCapabilitiesError.self, "\(children)") { try caps.verify(element) }
            #expect(error?.code == .illFormedDiscoInfo)
        }
        // Two values of FORM_TYPE that are the same are fine.
        let same = try query(identity + "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:a</value><value>urn:a</value></field></x>")
        #expect(try EntityCapabilities.verificationInput(for: DiscoInfo(element: same)) == "client/pc//X<urn:a<")
    }

    @Test("verify: a mismatch is reported, never accepted; legacy and unknown hashes cannot be verified")
    func verifyOutcomes() throws {
        let element = try TestXML.element(Self.complexQuery)
        let forged = EntityCapabilities(node: "http://psi-im.org", verification: "QgayPKawpkPSDYmwT/WM94uAlu0=")
        #expect(throws: EntityCapabilitiesError.self) { try forged.verify(element) }
        #expect((try? forged.verify(element)) == nil)
        do {
            _ = try forged.verify(element)
        } catch {
            #expect(error.code == .verificationMismatch)
        }
        for algorithm in [nil, CapsHashAlgorithm(name: "md5")] {
            let caps = EntityCapabilities(node: "n", verification: "q07IKJEyjvHSyhy//CH0CxmKi8w=", hashAlgorithm: algorithm)
            let error = #expect(throws: EntityCapabilitiesError.self) { try caps.verify(element) }
            #expect(error?.code == .unsupportedHash)
        }
        #expect(CapsHashAlgorithm.sha1.isSupported && CapsHashAlgorithm.sha512.isSupported && !CapsHashAlgorithm(name: "md5").isSupported)
    }
}
