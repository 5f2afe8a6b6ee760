public import XMPPCore

/// A typed IQ request (RFC 6120 §8.2.3): what to ask, and how to read the
/// answer. Send one with ``XMPPConnection/request(_:to:timeout:)``.
///
/// A request is a value: its type (`get` or `set`) and its payload element.
/// The connection adds the `id` and the address, waits for the matching
/// `result` (or `error`) and hands the result to ``response(from:)``:
///
/// ```swift
/// /// XEP-0092: the software a server or client runs.
/// struct SoftwareVersion: IQRequest {
///     var type: IQRequestType { .get }
///     var payload: XMLElement { XMLElement("query", namespace: "jabber:iq:version") }
///
///     func response(from result: IQ) throws -> String {
///         guard let name = result.payload?.firstChild(named: "name", namespace: "jabber:iq:version")?.text else {
///             throw StanzaParseError(.missingChild, subject: "{jabber:iq:version}name")
///         }
///         return name
///     }
/// }
/// ```
///
/// Requests whose result carries nothing (`Response == Void`) need no
/// ``response(from:)`` of their own. ``RawIQRequest`` sends any payload and
/// returns the result stanza as it came.
public protocol IQRequest: Sendable {
    /// What a successful answer is turned into.
    associatedtype Response: Sendable

    /// `get` asks for information, `set` provides or changes data.
    var type: IQRequestType { get }

    /// The one child element of the request, for example
    /// `<query xmlns='jabber:iq:roster'/>`.
    var payload: XMLElement { get }

    /// Reads the `result` that answered the request.
    ///
    /// Only results from the address the request went to get here (see
    /// ``XMPPConnection/request(_:to:timeout:)``); `error` answers never do.
    /// - Parameter result: The `result` stanza; its ``IQ/payload`` is the
    ///   answer's content, if it has one.
    /// - Throws: Any error when the result cannot be read; the request then
    ///   fails with ``XMPPClientError/Code/invalidResponse`` carrying it.
    func response(from result: IQ) throws -> Response
}

extension IQRequest where Response == Void {
    /// Nothing to read: a `result` is all the answer there is.
    public func response(from result: IQ) {}
}

/// The two types of IQ request (RFC 6120 §8.2.3). Responses (`result`,
/// `error`) are the connection's business, so a request cannot have them.
public enum IQRequestType: Hashable, Sendable, CustomStringConvertible {
    /// A request for information.
    case get
    /// A request to provide or change data.
    case set

    /// The `type` attribute of the stanza.
    public var stanzaType: IQ.StanzaType {
        switch self {
        case .get: .get
        case .set: .set
        }
    }

    /// The attribute value, as on the wire.
    public var description: String { stanzaType.rawValue }
}

/// An IQ request with any payload, answered by the `result` stanza itself:
/// for protocols without a typed request yet, and for tests.
///
/// ```swift
/// let ping = RawIQRequest(.get, payload: XMLElement("ping", namespace: "urn:xmpp:ping"))
/// ```
public struct RawIQRequest: IQRequest, Hashable {
    /// `get` or `set`.
    public var type: IQRequestType
    /// The child element of the request.
    public var payload: XMLElement

    /// Creates a request.
    /// - Parameters:
    ///   - type: `get` or `set`.
    ///   - payload: The child element.
    public init(_ type: IQRequestType, payload: XMLElement) {
        self.type = type
        self.payload = payload
    }

    /// The `result` stanza, unchanged.
    public func response(from result: IQ) -> IQ {
        result
    }
}
