public import XMPP
public import XMPPCore

/// XEP-0280 Message Carbons: turns on (or off) copies of this account's
/// one-to-one messages to this resource: those the account's other
/// resources send and receive.
///
/// ```swift
/// try await connection.request(CarbonsRequest.enable)
/// ```
///
/// Servers that offer carbons list `urn:xmpp:carbons:2` in their disco#info.
/// Copies arrive as ``CarbonCopy`` wrappers; ``Chat`` unwraps them (only
/// from our own bare JID) into ``ChatMessage``s.
public struct CarbonsRequest: IQRequest, Hashable {
    /// `urn:xmpp:carbons:2`, also the servers' disco#info feature.
    public static let namespace = "urn:xmpp:carbons:2"

    /// Turns carbons on for this resource.
    public static let enable = CarbonsRequest(enables: true)
    /// Turns carbons off for this resource.
    public static let disable = CarbonsRequest(enables: false)

    /// Whether this request turns carbons on.
    public var enables: Bool

    /// Creates the request.
    /// - Parameter enables: `true` to turn carbons on, `false` for off.
    public init(enables: Bool) {
        self.enables = enables
    }

    /// `set`.
    public var type: IQRequestType { .set }

    /// `<enable xmlns='urn:xmpp:carbons:2'/>` or `<disable …/>`.
    public var payload: XMLElement {
        XMLElement(enables ? "enable" : "disable", namespace: Self.namespace)
    }

    /// The `<private xmlns='urn:xmpp:carbons:2'/>` element: the message
    /// is not to be copied to the account's other resources. XEP-0280 §6
    /// pairs it with the ``MessageProcessingHint/noCopy`` hint.
    public static var privateElement: XMLElement { XMLElement("private", namespace: namespace) }
}
