import NIOCore
public import XMPPCore

extension XMPPConnection {
    /// A new subscription to the top-level elements the server sends that
    /// `filter` accepts, from now on until the session ends.
    ///
    /// ```swift
    /// let errors = connection.elements { $0.name.localName == "message" && $0[attribute: "type"] == "error" }
    /// for try await element in errors { print(element.name) }
    /// ```
    ///
    /// Each subscription receives every element its filter accepts,
    /// whatever other subscriptions receive. Elements that arrived before
    /// any subscription wanted them are kept (up to
    /// ``Configuration/heldInboundElementLimit``) and go, in order, to the
    /// first subscription that accepts them, so subscribing right at the
    /// start of the `withConnection` body misses nothing.
    ///
    /// IQs are the exception, since each must be answered exactly once:
    /// requests (`get`, `set`) never appear here (handlers registered with
    /// ``handleIQ(namespace:localName:_:)`` answer them, or the connection
    /// answers `service-unavailable`); responses to
    /// ``request(_:to:timeout:)`` complete that call and do not appear here,
    /// nor do spoofed or late ones; responses to IQs sent with
    /// ``send(_:)-(IQ)`` do.
    ///
    /// - Parameter filter: Which elements to receive; called on the
    ///   connection's event loop for every inbound element, so keep it
    ///   cheap. By default all.
    /// - Returns: The elements, in arrival order. See ``XMPPInboundStream``
    ///   for how it ends.
    public nonisolated func elements(
        where filter: @escaping @Sendable (XMLElement) -> Bool = { _ in true }
    ) -> XMPPInboundStream {
        XMPPInboundStream(subscribe(filter))
    }

    /// A new subscription to the messages the server sends, optionally only
    /// those from one peer; from now on until the session ends.
    ///
    /// ```swift
    /// for try await message in connection.messages(from: try JID("bob@example.com")) {
    ///     print(message.body ?? "")
    /// }
    /// ```
    ///
    /// Held messages are handed over as described in ``elements(where:)``.
    /// Messages that do not parse (for example with a malformed `from`) are
    /// skipped and logged at `debug`.
    /// - Parameter peer: A bare JID accepts every resource of that account,
    ///   a full JID that resource only; `nil` accepts all messages.
    /// - Returns: The messages, in arrival order.
    public nonisolated func messages(from peer: JID? = nil) -> XMPPStanzaStream<Message> {
        XMPPStanzaStream(subscribe(Self.stanzaFilter(Message.self, from: peer)), logger: logger)
    }

    /// A new subscription to the presence stanzas the server sends,
    /// optionally only those from one peer; from now on until the session
    /// ends.
    ///
    /// For the presence state of contacts, prefer the presence tracker,
    /// which keeps it per resource; this is the raw feed.
    /// - Parameter peer: A bare JID accepts every resource of that account,
    ///   a full JID that resource only; `nil` accepts all presences.
    /// - Returns: The presences, in arrival order.
    public nonisolated func presences(from peer: JID? = nil) -> XMPPStanzaStream<Presence> {
        XMPPStanzaStream(subscribe(Self.stanzaFilter(Presence.self, from: peer)), logger: logger)
    }

    /// Registers a subscription with the channel handler, on its event loop.
    ///
    /// Registration from another thread happens a moment later; elements
    /// delivered meanwhile that no subscription took are held and handed
    /// over when it lands, so none is missed.
    nonisolated func subscribe(
        _ filter: @escaping @Sendable (XMLElement) -> Bool
    ) -> InboundElements {
        let (elements, queue) = InboundElements.makeStream()
        let handler = self.handler
        let eventLoop = channel.eventLoop
        // The router's id for the subscription, set on the event loop.
        let subscription = NIOLoopBoundBox.makeEmptyBox(valueType: InboundRouter.SubscriptionID.self, eventLoop: eventLoop)
        // Installed before the elements are handed out: the consumer may
        // go away before `register` ran. The loop runs tasks in order, so
        // `register` has run by the time the unsubscribe does.
        queue.setCancellationHandler {
            // The consumer went away: stop queueing for it. (A queue the
            // router finished is already gone from it.)
            eventLoop.execute {
                if let id = subscription.value { handler.value.router.unsubscribe(id) }
            }
        }
        let register: @Sendable () -> Void = {
            subscription.value = handler.value.router.subscribe(filter: filter, queue: queue)
        }
        if eventLoop.inEventLoop {
            register()
        } else {
            eventLoop.execute(register)
        }
        return elements
    }

    /// Accepts stanzas of one kind in the client namespace, from `peer` if
    /// one is given.
    static func stanzaFilter<S: Stanza>(_ kind: S.Type, from peer: JID?) -> @Sendable (XMLElement) -> Bool {
        let name = XMLQualifiedName(S.localName, namespace: XMLNamespace.client)
        // Stanza names are known names: an index test per parsed element.
        let known = XMLKnownName(name)
        guard let peer else { return { $0.hasName(name, known: known) } }
        let canonical = peer.description
        return { element in
            guard element.hasName(name, known: known) else { return false }
            return Self.sender(of: element, matches: peer, canonical: canonical)
        }
    }

    /// Whether an element's `from` is `peer` (any resource of it when
    /// `peer` is bare). An absent or invalid `from` matches no peer.
    /// - Parameter canonical: `peer.description`, when the caller keeps it.
    static func sender(of element: XMLElement, matches peer: JID, canonical: String? = nil) -> Bool {
        var canonical = canonical ?? peer.description
        // The usual cases are settled on the attribute's bytes, with no
        // string made for them: a `from` written in the normalised form
        // is that JID (normalising is idempotent), and one parsed lately
        // is what it parsed to.
        let settled = canonical.withUTF8 { canonicalBytes in
            element.withAttributeValueBytes(.from) { bytes -> Bool? in
                if bytes.elementsEqual(canonicalBytes) { return true }
                guard let from = RecentJIDs.lookup(bytes: bytes) else { return nil }
                return peer.isBare ? from.bare == peer.bare : from == peer
            }
        }
        switch settled {
        case nil: return false
        case let matched??: return matched
        case .some(nil): break
        }
        guard let value = element[attribute: "from"] else { return false }
        let prefix = canonical.utf8
        if peer.isBare, value.utf8.count > prefix.count, value.utf8.starts(with: prefix),
            value.utf8.dropFirst(prefix.count).first == UInt8(ascii: "/")
        {
            return (try? JID(value)) != nil
        }
        guard let from = try? JID(value) else { return false }
        return peer.isBare ? from.bare == peer.bare : from == peer
    }
}
