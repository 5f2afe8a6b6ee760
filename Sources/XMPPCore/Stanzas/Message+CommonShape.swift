/// Reading the message a session receives most, straight from its parsed
/// tree.
///
/// Nearly every message a client receives has the same few parts: the
/// stanza attributes, one body (and perhaps a subject), and extension
/// elements such as hints or receipts. ``Message/init(element:namespace:)``
/// reads those through element and attribute views, each a reference to
/// retain and release and each name a copy to compare. Here the same parts
/// are read by node and attribute index in the tree. Anything outside that
/// shape (another attribute, a thread, an error, a second body or subject, a
/// text with elements inside, an address that is not a valid JID, a stream
/// namespace other than `jabber:client`) returns `nil`, and the general
/// reader, which also makes every error, takes the element.
/// Both readers give equal messages for every element this one accepts;
/// the tests compare them.
extension Message {
    /// The message, when `element` is a parsed `<message/>` in `namespace`
    /// of the common shape; `nil` otherwise (nothing is thrown here).
    static func commonShape(_ element: XMLElement, namespace: String) -> Message? {
        // Names are compared by index (see XMLKnownName), and the known
        // names are those of the client namespace.
        guard namespace == XMLNamespace.client, let (tree, root) = element.parsedNode,
            tree.knownName(of: root) == .message
        else { return nil }
        // Locals, and one initialiser call at the end: a message is a wide
        // value, and every field set on it in place was another copy.
        var to: JID?
        var from: JID?
        var id: String?
        var language: String?
        // As the general reader: no type, `normal` and unknown values are
        // `normal`; an error needs its `<error/>`, which this one leaves.
        var type = StanzaType.normal
        var bodies = SmallList<LanguageTaggedText>.none
        var subjects: [LanguageTaggedText] = []
        var extensions = SmallList<XMLElement>.none
        let node = tree.node(root)
        for attribute in node.attributeStart..<(node.attributeStart + node.attributeCount) {
            switch tree.knownAttributeName(attribute) {
            case .to:
                guard let jid = Self.commonShapeAddress(tree, attribute) else { return nil }
                to = jid
            case .from:
                guard let jid = Self.commonShapeAddress(tree, attribute) else { return nil }
                from = jid
            case .id:
                id = tree.attributeValue(attribute)
            case .type:
                type = tree.withAttributeValueBytes(attribute, StanzaType.init(utf8:)) ?? .normal
            case .xmlLang:
                language = tree.attributeValue(attribute)
            default:
                return nil
            }
        }
        guard type != .error else { return nil }
        for position in node.childStart..<(node.childStart + node.childCount) {
            let child = tree.child(position)
            // Text directly inside <message/> is not kept (see the general reader).
            guard child >= 0 else { continue }
            switch tree.knownName(of: child) {
            case .body:
                guard bodies.isEmpty, let text = Self.commonShapeText(tree, child) else { return nil }
                bodies = .one(text)
            case .subject:
                guard subjects.isEmpty, let text = Self.commonShapeText(tree, child) else { return nil }
                subjects = [text]
            case nil:
                // Not a known name: an extension, unless it is in the
                // client namespace (a name this reader leaves alone).
                guard tree.name(of: child).namespace != namespace else { return nil }
                extensions.append(tree.element(child))
            default:
                return nil
            }
        }
        return Message(
            commonShapeType: type, to: to, from: from, id: id, language: language,
            bodies: bodies, subjects: subjects, extensions: extensions
        )
    }

    /// An address attribute: a recent one by its bytes, else parsed (and
    /// so remembered) as the general reader does; `nil` when it is not a
    /// valid JID, for the general reader to refuse with its error.
    private static func commonShapeAddress(_ tree: XMLTree, _ attribute: Int32) -> JID? {
        if let known = tree.withAttributeValueBytes(attribute, RecentJIDs.lookup(bytes:)) { return known }
        return try? JID(tree.attributeValue(attribute))
    }

    /// A body or subject: its text runs, and its `xml:lang` if that is its
    /// only attribute; `nil` when it holds an element or another attribute.
    private static func commonShapeText(_ tree: XMLTree, _ index: Int32) -> LanguageTaggedText? {
        let node = tree.node(index)
        var language: String?
        for attribute in node.attributeStart..<(node.attributeStart + node.attributeCount) {
            guard tree.knownAttributeName(attribute) == .xmlLang else { return nil }
            language = tree.attributeValue(attribute)
        }
        var text: String?
        for position in node.childStart..<(node.childStart + node.childCount) {
            let child = tree.child(position)
            guard child < 0 else { return nil }
            // One run, nearly always: taken as it is, not appended to "".
            if text == nil {
                text = tree.text(~child)
            } else {
                text? += tree.text(~child)
            }
        }
        return LanguageTaggedText(text ?? "", language: language)
    }
}
