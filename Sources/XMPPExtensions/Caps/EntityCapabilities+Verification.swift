import XMPP
public import XMPPCore

extension EntityCapabilities {
    /// The annotation that advertises `info`: its verification string
    /// computed with `hashAlgorithm`.
    /// - Parameters:
    ///   - info: What disco#info answers about us.
    ///   - node: The software's URI.
    ///   - hashAlgorithm: The hash function; SHA-1 by default.
    /// - Throws: ``EntityCapabilitiesError``, as from
    ///   ``verificationString(for:using:)``.
    public init(advertising info: DiscoInfo, node: String, hashAlgorithm: CapsHashAlgorithm = .sha1) throws(EntityCapabilitiesError) {
        self.init(node: node, verification: try Self.verificationString(for: info, using: hashAlgorithm), hashAlgorithm: hashAlgorithm)
    }

    /// The verification string of `info` (XEP-0115 §5.1): the base64 of
    /// the hash of ``verificationInput(for:)``.
    /// - Parameters:
    ///   - info: The identities, features and extended information.
    ///   - algorithm: The hash function.
    /// - Throws: ``EntityCapabilitiesError``: `illFormedDiscoInfo` as from
    ///   ``verificationInput(for:)``; `unsupportedHash`; `hashFailed`.
    public static func verificationString(
        for info: DiscoInfo, using algorithm: CapsHashAlgorithm = .sha1
    ) throws(EntityCapabilitiesError) -> String {
        let input = try verificationInput(for: info)
        guard algorithm.isSupported else { throw EntityCapabilitiesError(.unsupportedHash, detail: algorithm.name) }
        guard let digest = algorithm.digest(Array(input.utf8)) else {
            throw EntityCapabilitiesError(.hashFailed, detail: algorithm.name)
        }
        return SASLBase64.encode(digest)
    }

    /// The string S that XEP-0115 §5.1 hashes:
    /// `category/type/lang/name<` for each identity, `feature<` for each
    /// feature, then for each extended information form its `FORM_TYPE<`
    /// followed by `var<value<value<` per field.
    ///
    /// Every sort compares UTF-8 bytes ("i;octet", RFC 4790): identities by
    /// category, type, language, then name; features; forms by
    /// `FORM_TYPE`; fields by `var`; values. Text is used exactly as
    /// parsed: a literal `&lt;` stays four characters (the XEP's warning).
    /// A form without a hidden `FORM_TYPE` field, or that does not read
    /// as a data form, is left out (§5.4).
    /// - Parameter info: The identities, features and forms.
    /// - Throws: ``EntityCapabilitiesError`` `illFormedDiscoInfo` for what
    ///   §5.4 calls ill-formed: a repeated identity, a repeated
    ///   `FORM_TYPE`, or a `FORM_TYPE` with two different values.
    public static func verificationInput(for info: DiscoInfo) throws(EntityCapabilitiesError) -> String {
        var input = ""
        var seenIdentities: Set<[String]> = []
        let identities = info.identities.map { [$0.category, $0.type, $0.language ?? "", $0.name ?? ""] }
        for identity in identities where !seenIdentities.insert(identity).inserted {
            throw EntityCapabilitiesError(.illFormedDiscoInfo, detail: "duplicate identity \(identity.joined(separator: "/"))")
        }
        for identity in identities.sorted(by: octetPrecedes) {
            input += identity.joined(separator: "/") + "<"
        }
        for feature in info.features.sorted(by: octetPrecedes) {
            input += feature + "<"
        }
        for form in try extendedForms(info.forms) {
            input += form.formType + "<"
            for field in form.fields {
                input += field.variable + "<"
                for value in field.values { input += value + "<" }
            }
        }
        return input
    }

    /// Checks a disco#info answer against this annotation and reads it.
    ///
    /// A feature that appears twice makes the answer ill-formed (§5.4);
    /// ``DiscoInfo`` keeps features as a set, so this looks at the element.
    /// - Parameter query: The `<query xmlns='…disco#info'/>` of the answer.
    /// - Returns: The answer, with its `node` removed (what it describes
    ///   holds for every entity with this annotation).
    /// - Throws: ``EntityCapabilitiesError``: `illFormedDiscoInfo`;
    ///   `verificationMismatch` when it hashes to another string;
    ///   `unsupportedHash` for a legacy annotation or an unknown function.
    public func verify(_ query: XMLElement) throws(EntityCapabilitiesError) -> DiscoInfo {
        guard let hashAlgorithm else { throw EntityCapabilitiesError(.unsupportedHash, detail: "legacy format, no hash") }
        var info: DiscoInfo
        do {
            info = try DiscoInfo(element: query)
        } catch {
            throw EntityCapabilitiesError(.illFormedDiscoInfo, detail: "\(error)")
        }
        let featureCount = query.children(named: "feature", namespace: Disco.infoNamespace).count
        guard featureCount == info.features.count else {
            throw EntityCapabilitiesError(.illFormedDiscoInfo, detail: "duplicate feature")
        }
        let computed = try Self.verificationString(for: info, using: hashAlgorithm)
        guard computed == verification else {
            throw EntityCapabilitiesError(.verificationMismatch, detail: "advertised \(verification), computed \(computed)")
        }
        info.node = nil
        return info
    }

    /// One extended information form, reduced to what the hash covers.
    private struct HashedForm {
        struct Field {
            var variable: String
            var values: [String]
        }

        var formType: String
        var fields: [Field]
    }

    /// The forms the hash covers, sorted, with their fields and values sorted.
    private static func extendedForms(_ elements: [XMLElement]) throws(EntityCapabilitiesError) -> [HashedForm] {
        var forms: [HashedForm] = []
        var formTypesSeen: Set<String> = []
        for element in elements {
            guard let form = try? DataForm(element: element) else { continue }
            let formTypeFields = form.fields.filter { $0.variable == DataForm.formTypeVariable }
            guard formTypeFields.allSatisfy({ $0.type == .hidden }) else { continue }
            let formTypes = Set(formTypeFields.flatMap(\.values))
            guard formTypes.count <= 1 else {
                throw EntityCapabilitiesError(.illFormedDiscoInfo, detail: "FORM_TYPE with several values")
            }
            guard let formType = formTypes.first else { continue }
            guard formTypesSeen.insert(formType).inserted else {
                throw EntityCapabilitiesError(.illFormedDiscoInfo, detail: "duplicate FORM_TYPE \(formType)")
            }
            let fields = form.fields.compactMap { field -> HashedForm.Field? in
                guard let variable = field.variable, variable != DataForm.formTypeVariable else { return nil }
                return HashedForm.Field(variable: variable, values: field.values.sorted(by: octetPrecedes))
            }
            forms.append(HashedForm(formType: formType, fields: fields.sorted { octetPrecedes($0.variable, $1.variable) }))
        }
        return forms.sorted { octetPrecedes($0.formType, $1.formType) }
    }
}

/// "i;octet" order (RFC 4790 §9.3): by UTF-8 bytes, not by Swift's
/// Unicode-aware `String` comparison, which would order some strings
/// differently from every other implementation.
private func octetPrecedes(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
}

/// "i;octet" order of identities, field by field.
private func octetPrecedes(_ lhs: [String], _ rhs: [String]) -> Bool {
    lhs.lexicographicallyPrecedes(rhs, by: octetPrecedes)
}
