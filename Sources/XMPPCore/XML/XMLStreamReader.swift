internal import CExpat

/// An incremental reader for XMPP's XML streams, built on Expat.
///
/// Bytes go in, in chunks of any size and split anywhere; out come the
/// stream header, each complete top-level child of the stream as one
/// ``XMLElement``, and the stream end. The output does not depend on how the
/// bytes were chunked.
///
/// The reader enforces RFC 6120 §11's restricted XML: a DOCTYPE, an entity
/// declaration or reference (other than the five predefined ones), a comment
/// or a processing instruction stops it with an ``XMLStreamError`` whose
/// condition is `restricted-xml`. It also enforces ``Limits`` as bytes
/// arrive, so a peer cannot make it buffer without bound.
///
/// After STARTTLS and SASL success the stream restarts: call ``reset()``
/// before reading the new stream. ``unconsumedByteCount`` tells how many bytes
/// of the last chunk came after the last event, which is how a session
/// detects data smuggled after `<proceed/>`.
///
/// A reader is not thread-safe; it belongs to one connection.
public final class XMLStreamReader {
    /// The element size limit is checked after every this many bytes of a
    /// chunk (and at its end), even when the caller hands over a huge buffer.
    static let sliceBytes = 64 << 10
    /// Bytes given to Expat per call while it makes progress.
    ///
    /// Expat copies every call's bytes into its own input buffer, which grows
    /// (by doubling) to hold the largest call plus what is still unparsed, and
    /// never shrinks: with whole 64 KiB slices, one burst of stanzas left
    /// 128 KiB in the reader for the rest of its session. With 4 KiB calls it
    /// stays at 8 KiB unless a single token is larger.
    static let smallCallBytes = 4 << 10
    /// At most this much capacity is kept for the next chunk's events (see
    /// `takeEvents`): more than a 4 KiB read of the smallest stanzas holds
    /// (about 45), while a burst of hundreds of stanzas does not leave a
    /// large empty array behind for the session's life.
    static let retainedEventCapacity = 64

    /// The limits this reader enforces.
    public let limits: Limits
    /// Whether the loaded Expat has reparse deferral, which the reader
    /// switches off so that split tokens are delivered at once.
    public static var switchesOffReparseDeferral: Bool { ExpatReparseDeferral.isAvailable }

    private let parser: XML_Parser?
    /// Touched by the Expat callbacks (see `XMLStreamReader+Callbacks.swift`).
    /// Heap storage Expat's user data points at, so callbacks reach the
    /// builder without touching the class (no exclusivity checks, no retain).
    let builderStorage: UnsafeMutablePointer<XMLTreeBuilder>?
    /// Bytes given to Expat since the last reset.
    private var bytesRead = 0
    /// The size of the next call into Expat: ``smallCallBytes``, doubled
    /// (up to ``sliceBytes``) after every call that ended inside the same
    /// token it started in. Expat scans an unfinished token again from its
    /// start on every call, so small calls through one huge token (a start
    /// tag with a megabyte of attributes) would cost quadratic time; growing
    /// keeps that as cheap as whole slices were.
    private var callBytes = smallCallBytes

    /// How many bytes of the most recent chunk follow the end of the last
    /// event the reader produced (the whole chunk if it produced none from it).
    ///
    /// After a `<proceed/>` this must be zero: anything after it in the same
    /// read was sent before TLS and must not be trusted.
    public private(set) var unconsumedByteCount = 0

    /// Creates a reader for a new stream.
    /// - Parameter limits: The bounds to enforce; the defaults are safe for clients.
    public init(limits: Limits = Limits()) {
        self.limits = limits
        // Forcing "UTF-8" makes Expat ignore any other encoding a peer declares;
        // the XML declaration handler reports such a declaration as an error.
        // Without namespace processing: the builder resolves names itself
        // (XMLNamespaceScope), for less work per stanza.
        parser = XML_ParserCreate("UTF-8")
        if let parser {
            let storage = UnsafeMutablePointer<XMLTreeBuilder>.allocate(capacity: 1)
            storage.initialize(to: XMLTreeBuilder(parser: parser, limits: limits))
            builderStorage = storage
            configure(parser)
        } else {
            builderStorage = nil
        }
    }

    deinit {
        if let parser { XML_ParserFree(parser) }
        if let builderStorage {
            builderStorage.pointee.deallocate()
            builderStorage.deinitialize(count: 1)
            builderStorage.deallocate()
        }
    }

    /// Prepares to read a new stream on the same connection (after STARTTLS
    /// or SASL success): the next bytes must start with a stream header.
    public func reset() {
        guard let parser else { return }
        // Reset clears every handler and the user data; set them up again.
        _ = XML_ParserReset(parser, "UTF-8")
        configure(parser)
        builderStorage?.pointee.reset()
        bytesRead = 0
        callBytes = Self.smallCallBytes
        unconsumedByteCount = 0
    }

    private func configure(_ parser: XML_Parser) {
        ExpatReparseDeferral.disable(for: parser)
        XML_SetUserData(parser, builderStorage)
        Self.installHandlers(on: parser)
    }

    // MARK: Reading

    /// Reads a chunk of the stream, appending the events it completes.
    ///
    /// Events completed before a failure in the same chunk are appended
    /// before the error is thrown; nothing after the offending byte is.
    /// - Parameters:
    ///   - bytes: The next bytes of the stream, split anywhere.
    ///   - events: Where completed events are appended.
    /// - Throws: ``XMLStreamError``; once thrown, every later read throws it
    ///   again until ``reset()``.
    public func read(_ bytes: UnsafeRawBufferPointer, into events: inout [XMLStreamEvent]) throws(XMLStreamError) {
        guard let parser, builderStorage != nil else {
            throw XMLStreamError(.outOfMemory, byteOffset: 0, detail: "could not create the Expat parser")
        }
        if let failure = builderStorage?.pointee.failure { throw failure }
        refuseUTF16(bytes)
        if let failure = builderStorage?.pointee.failure { throw failure }
        let chunkStart = bytesRead
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            // Calls never cross a slice boundary, so the size limit is
            // checked at the same places whatever the call sizes were.
            let sliceEnd = min(bytes.count, (offset / Self.sliceBytes + 1) * Self.sliceBytes)
            let count = min(sliceEnd - offset, callBytes)
            let positionBefore = XML_GetCurrentByteIndex(parser)
            let status = XML_Parse(parser, (base + offset).assumingMemoryBound(to: CChar.self), Int32(count), 0)
            offset += count
            bytesRead += count
            if status != XML_STATUS_OK {
                recordExpatError(parser)
                break
            }
            // After a call Expat's position is the start of the first token
            // it could not finish: unchanged means one token spans the call.
            callBytes = XML_GetCurrentByteIndex(parser) == positionBefore
                ? min(callBytes * 2, Self.sliceBytes) : Self.smallCallBytes
            if offset == sliceEnd { checkElementSize() }
            if builderStorage?.pointee.failure != nil { break }
        }
        unconsumedByteCount = bytesRead - max(builderStorage?.pointee.lastEventEnd ?? 0, chunkStart)
        takeEvents(into: &events)
        if let failure = builderStorage?.pointee.failure { throw failure }
    }

    /// Reads a chunk of the stream and returns the events it completes.
    /// - Throws: ``XMLStreamError``; events completed before the failure in
    ///   this chunk are lost with this form (use ``read(_:into:)`` to keep them).
    public func read(_ bytes: UnsafeRawBufferPointer) throws(XMLStreamError) -> [XMLStreamEvent] {
        var events: [XMLStreamEvent] = []
        try read(bytes, into: &events)
        return events
    }

    /// Reads a chunk of the stream from a byte array.
    public func read(_ bytes: [UInt8]) throws(XMLStreamError) -> [XMLStreamEvent] {
        var events: [XMLStreamEvent] = []
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(XMLStreamError) in try read(buffer, into: &events) }
        }
        try result.get()
        return events
    }

    private func takeEvents(into events: inout [XMLStreamEvent]) {
        guard builderStorage?.pointee.events.isEmpty == false else { return }
        if events.isEmpty, let storage = builderStorage {
            // Hand the whole array over, and start the next one at the size
            // this one reached (bounded), so appends in the next chunk
            // seldom regrow and an idle reader holds little.
            let count = storage.pointee.events.count
            swap(&events, &storage.pointee.events)
            storage.pointee.events.reserveCapacity(min(count, Self.retainedEventCapacity))
        } else if let taken = builderStorage?.pointee.events {
            events.append(contentsOf: taken)
            // Keeping a burst's capacity would hold it for the session's life.
            builderStorage?.pointee.events.removeAll(keepingCapacity: taken.count <= Self.retainedEventCapacity)
        }
    }

    /// Expat guesses UTF-16 from a stream's first two bytes (a NUL in
    /// either, or a byte order mark) even when told the stream is UTF-8, and
    /// then reads all of it as UTF-16; a first read of one byte escapes the
    /// guess, so the outcome would also depend on chunking. No UTF-8 XML
    /// starts with 0x00, 0xFE or 0xFF, and RFC 6120 §11.6 allows only UTF-8,
    /// so those bytes are refused before Expat sees them.
    private func refuseUTF16(_ bytes: UnsafeRawBufferPointer) {
        guard bytesRead < 2 else { return }
        for (index, byte) in bytes.prefix(2 - bytesRead).enumerated() where byte == 0x00 || byte >= 0xFE {
            builderStorage?.pointee.failure = XMLStreamError(
                .notWellFormed, byteOffset: bytesRead + index, detail: "not UTF-8 (a NUL or a UTF-16 byte order mark)")
            return
        }
    }

    /// The byte-size limit, checked after every slice so an element that
    /// never ends is cut off once it crosses the bound, not when it completes.
    private func checkElementSize() {
        guard let builder = builderStorage else { return }
        let limit = limits.maxElementBytes
        // Between top-level elements Expat may hold an unfinished start
        // tag (a value that never closes): count what came since the last
        // event, or such a tag would be buffered without bound (H22).
        let open = builder.pointee.isInsideElement
            ? bytesRead - builder.pointee.elementStart
            : (builder.pointee.hasStreamStarted ? bytesRead - builder.pointee.lastEventEnd : bytesRead)
        if open > limit {
            builderStorage?.pointee.fail(.elementTooLarge, detail: "limit \(limit)", at: bytesRead)
        }
    }

    private func recordExpatError(_ parser: XML_Parser) {
        guard builderStorage?.pointee.failure == nil else { return }
        let code = XML_GetErrorCode(parser)
        let message = XML_ErrorString(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
        builderStorage?.pointee.failure = XMLStreamError(
            Self.kind(forExpatError: code),
            byteOffset: Int(XML_GetCurrentByteIndex(parser)),
            detail: message
        )
    }

    /// Maps Expat's own errors to the RFC 6120 conditions.
    private static func kind(forExpatError code: XML_Error) -> XMLStreamError.Kind {
        switch code {
        case XML_ERROR_UNDEFINED_ENTITY, XML_ERROR_RECURSIVE_ENTITY_REF, XML_ERROR_BINARY_ENTITY_REF,
             XML_ERROR_ATTRIBUTE_EXTERNAL_ENTITY_REF, XML_ERROR_EXTERNAL_ENTITY_HANDLING,
             XML_ERROR_ENTITY_DECLARED_IN_PE, XML_ERROR_AMPLIFICATION_LIMIT_BREACH:
            .entityReference
        case XML_ERROR_NO_MEMORY:
            .outOfMemory
        case XML_ERROR_UNKNOWN_ENCODING, XML_ERROR_INCORRECT_ENCODING:
            .unsupportedEncoding
        case XML_ERROR_RESERVED_PREFIX_XML, XML_ERROR_RESERVED_PREFIX_XMLNS, XML_ERROR_RESERVED_NAMESPACE_URI:
            .badNamespacePrefix
        default:
            .notWellFormed
        }
    }
}
