/// The choice of mechanism and channel binding, made once from the offered
/// mechanisms, our configuration and what the TLS layer can bind to.
///
/// Channel binding (the GS2 flag) follows RFC 5802 §6 and XEP-0440:
///
/// - We *support* channel binding when the configuration allows some
///   `-PLUS` mechanism and TLS gave us binding data of some type.
/// - A `-PLUS` mechanism is chosen only with data of a type the server is
///   known to accept. With an XEP-0440 list, that is a listed type
///   (tls-exporter, then tls-server-end-point, then tls-unique). Without one
///   we can only guess, and the one type deployed servers accept is
///   tls-unique (Prosody 0.12 offers `-PLUS` only on TLS 1.2 and takes only
///   tls-unique; others refuse tls-exporter and tls-server-end-point
///   outright), so we use tls-unique when we have it and otherwise skip
///   `-PLUS`.
/// - Plain SCRAM then carries `y` only when we support binding and the
///   server offered *no* `-PLUS` at all: that is the stripping signal RFC
///   5802 defines, and an honest server that does bind will refuse it. If
///   the server did offer `-PLUS` and we still cannot bind to what it takes,
///   we say `n`: sending `y` there would make an honest server abort (it
///   knows it offered `-PLUS`), and nothing was stripped.
/// - XEP-0440's anti-stripping rules: a server that announces its binding
///   types supports binding, so announcing them without offering any
///   `-PLUS` mechanism means someone removed the mechanisms (we abort when
///   we support binding); and every such server must list
///   tls-server-end-point, which we always have with an X.509 server, so a
///   list with `-PLUS` offered but no type we hold means someone removed
///   types (we abort instead of falling back to `n`).
struct SASLMechanismSelection: Equatable, Sendable {
    /// How the chosen mechanism runs.
    enum Method: Equatable, Sendable {
        case scram(HMACAlgorithm, GS2ChannelBinding)
        case plain
        case anonymous
        case external
    }

    /// The mechanism name for `<auth mechanism=…>`.
    var mechanism: SASLMechanismName
    /// How to run it.
    var method: Method

    private static let scramVariants: [SASLMechanismName: (HMACAlgorithm, plus: Bool)] = [
        .scramSHA512Plus: (.sha512, true), .scramSHA256Plus: (.sha256, true), .scramSHA1Plus: (.sha1, true),
        .scramSHA512: (.sha512, false), .scramSHA256: (.sha256, false), .scramSHA1: (.sha1, false),
    ]

    /// Channel-binding types by our preference: the strongest binding first.
    static let bindingPreference: [ChannelBindingType] = [.tlsExporter, .tlsServerEndPoint, .tlsUnique]

    /// Picks the first mechanism of *our* list that the server offered and
    /// that we can run here, or the reason there is none.
    static func select(
        offered offeredNames: [String],
        configuration: SASLConfiguration,
        security: SASLTransportSecurity,
        serverChannelBindings: [ChannelBindingType]?
    ) -> Result<SASLMechanismSelection, SASLError> {
        let offered = Set(offeredNames.map(SASLMechanismName.init))
        let serverOffersPlus = offered.contains { scramVariants[$0]?.plus == true }
        let bindingType = usableBindingType(security: security, serverChannelBindings: serverChannelBindings)
        let weSupportBinding = security.isEncrypted && configuration.password != nil
            && configuration.allowedMechanisms.contains { scramVariants[$0]?.plus == true }
            && bindingPreference.contains { security.bindingData(for: $0) != nil }

        if weSupportBinding, serverChannelBindings != nil {
            // XEP-0440 anti-stripping (see the type's documentation).
            if !serverOffersPlus || bindingType == nil { return .failure(.channelBindingUnavailable) }
        }

        var plainRefusedForTLS = false
        for name in configuration.allowedMechanisms where offered.contains(name) {
            if let (algorithm, plus) = scramVariants[name] {
                guard configuration.password != nil else { continue }
                if plus {
                    guard let bindingType, let data = security.bindingData(for: bindingType) else { continue }
                    return .success(Self(mechanism: name, method: .scram(algorithm, .bound(bindingType, data: data))))
                }
                let flag: GS2ChannelBinding =
                    weSupportBinding && !serverOffersPlus ? .supportedButNotOffered : .notSupported
                return .success(Self(mechanism: name, method: .scram(algorithm, flag)))
            }
            switch name {
            case .plain:
                // RFC 4616 §6: the password travels in the clear, so only
                // ever inside TLS, and only when the configuration allows it.
                guard configuration.allowsPlain, configuration.password != nil else { continue }
                guard security.isEncrypted else {
                    plainRefusedForTLS = true
                    continue
                }
                return .success(Self(mechanism: name, method: .plain))
            case .anonymous:
                return .success(Self(mechanism: name, method: .anonymous))
            case .external:
                // The identity is the TLS client certificate: no TLS, nothing to present.
                guard security.isEncrypted else { continue }
                return .success(Self(mechanism: name, method: .external))
            default:
                continue
            }
        }
        return .failure(plainRefusedForTLS ? .plainWithoutTLS : .noAcceptableMechanism)
    }

    /// The binding type for `-PLUS`: with an XEP-0440 list, our most
    /// preferred listed type we have data for; without one, tls-unique if
    /// we have it (the only type deployed servers accept).
    static func usableBindingType(
        security: SASLTransportSecurity, serverChannelBindings: [ChannelBindingType]?
    ) -> ChannelBindingType? {
        guard security.isEncrypted else { return nil }
        guard let serverChannelBindings else {
            return security.bindingData(for: .tlsUnique) != nil ? .tlsUnique : nil
        }
        return bindingPreference.first { serverChannelBindings.contains($0) && security.bindingData(for: $0) != nil }
    }
}
