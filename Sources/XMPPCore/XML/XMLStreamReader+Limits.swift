extension XMLStreamReader {
    /// Bounds on what a peer may make the reader hold, so a hostile or broken
    /// peer cannot exhaust memory or CPU (RFC 6120 §13.12).
    ///
    /// Every limit is checked while bytes arrive, not after a whole element
    /// was buffered: an endless stanza is cut off once it crosses the bound.
    public struct Limits: Hashable, Sendable {
        /// The most bytes one top-level element may span on the wire, start
        /// tag to end tag; the stream header's opening tag counts too.
        /// Default 1 MiB: large roster results fit, a flood does not.
        public var maxElementBytes: Int
        /// The deepest nesting inside a top-level element, the element itself
        /// being depth 1. Default 64.
        public var maxDepth: Int
        /// The most attributes one element may carry. Default 64.
        public var maxAttributes: Int
        /// The longest qualified name (namespace URI plus local name), in bytes. Default 1,024.
        public var maxNameBytes: Int
        /// The longest attribute value, in bytes. Default 64 KiB.
        public var maxAttributeValueBytes: Int
        /// The longest run of text inside one element, in bytes. Default 512 KiB.
        public var maxTextBytes: Int

        /// Creates limits; every parameter has a safe default.
        public init(
            maxElementBytes: Int = 1 << 20,
            maxDepth: Int = 64,
            maxAttributes: Int = 64,
            maxNameBytes: Int = 1024,
            maxAttributeValueBytes: Int = 64 << 10,
            maxTextBytes: Int = 512 << 10
        ) {
            self.maxElementBytes = maxElementBytes
            self.maxDepth = maxDepth
            self.maxAttributes = maxAttributes
            self.maxNameBytes = maxNameBytes
            self.maxAttributeValueBytes = maxAttributeValueBytes
            self.maxTextBytes = maxTextBytes
        }
    }
}
