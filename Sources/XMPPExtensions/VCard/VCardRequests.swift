public import XMPP
public import XMPPCore

/// Fetches a vCard (XEP-0054 §3.1, §3.2): our own (sent without `to`) or
/// another account's (sent to its bare JID).
///
/// An empty result, or an empty `<vCard/>`, reads as an empty ``VCard``:
/// servers differ in how they say "no vCard" (some answer
/// `item-not-found`, which fails the request).
public struct VCardRequest: IQRequest, Hashable {
    /// The largest photo accepted; see ``VCard/init(element:maximumPhotoBytes:)``.
    public var maximumPhotoBytes: Int

    /// Creates the request.
    /// - Parameter maximumPhotoBytes: The largest photo accepted.
    public init(maximumPhotoBytes: Int = VCard.defaultMaximumPhotoBytes) {
        self.maximumPhotoBytes = maximumPhotoBytes
    }

    /// `get`.
    public var type: IQRequestType { .get }

    /// `<vCard xmlns='vcard-temp'/>`.
    public var payload: XMLElement { XMLElement("vCard", namespace: VCard.namespace) }

    /// Reads the answer.
    /// - Throws: ``StanzaParseError``, as from
    ///   ``VCard/init(element:maximumPhotoBytes:)``.
    public func response(from result: IQ) throws(StanzaParseError) -> VCard {
        guard let payload = result.payload else { return VCard() }
        return try VCard(element: payload, maximumPhotoBytes: maximumPhotoBytes)
    }
}

/// Publishes our own vCard (XEP-0054 §3.3), replacing the stored one.
public struct VCardPublishRequest: IQRequest, Hashable {
    /// The new vCard.
    public var vCard: VCard

    /// Creates the request.
    /// - Parameter vCard: The new vCard.
    public init(_ vCard: VCard) {
        self.vCard = vCard
    }

    /// `set`.
    public var type: IQRequestType { .set }

    /// The vCard's element.
    public var payload: XMLElement { vCard.element }
}
