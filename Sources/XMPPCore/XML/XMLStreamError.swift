/// Why an ``XMLStreamReader`` stopped: the XML broke a rule of RFC 6120 §11
/// or one of the reader's limits.
///
/// Every case maps to the stream error condition a client should send before
/// closing (``condition``). After an error the reader delivers nothing more
/// until it is ``XMLStreamReader/reset()``.
public struct XMLStreamError: Error, Hashable, Sendable {
    /// What rule was broken.
    public var kind: Kind
    /// The byte offset in the stream (since the last reset) where it was noticed.
    public var byteOffset: Int
    /// A short technical detail (Expat's message, the limit's value); never
    /// contains stream content, so it is safe to log.
    public var detail: String

    /// Creates an error.
    public init(_ kind: Kind, byteOffset: Int, detail: String = "") {
        self.kind = kind
        self.byteOffset = byteOffset
        self.detail = detail
    }

    /// The stream error condition to send for this failure.
    public var condition: StreamError.Condition { kind.condition }
}

extension XMLStreamError {
    /// The kinds of failure. A struct rather than an enum so kinds can be
    /// added without breaking code that switches over them.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case doctype, entityDeclaration, entityReference, comment, processingInstruction
            case notWellFormed, badNamespacePrefix, unsupportedEncoding, unsupportedVersion
            case textAtStreamLevel
            case elementTooLarge, tooDeep, tooManyAttributes, nameTooLong, attributeValueTooLong, textTooLong
            case tooManyNames
            case outOfMemory
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A document type declaration (`<!DOCTYPE`): restricted XML.
        public static let doctype = Kind(.doctype)
        /// An entity or notation declaration: restricted XML.
        public static let entityDeclaration = Kind(.entityDeclaration)
        /// A reference to an entity other than the five predefined ones.
        public static let entityReference = Kind(.entityReference)
        /// A comment: restricted XML.
        public static let comment = Kind(.comment)
        /// A processing instruction: restricted XML.
        public static let processingInstruction = Kind(.processingInstruction)
        /// Syntax errors, invalid UTF-8, illegal characters, unbound prefixes,
        /// a misplaced XML declaration, data after the stream end.
        public static let notWellFormed = Kind(.notWellFormed)
        /// A reserved prefix (`xml`, `xmlns`) or namespace was rebound.
        public static let badNamespacePrefix = Kind(.badNamespacePrefix)
        /// The XML declaration names an encoding other than UTF-8.
        public static let unsupportedEncoding = Kind(.unsupportedEncoding)
        /// The XML declaration names a version other than 1.0.
        public static let unsupportedVersion = Kind(.unsupportedVersion)
        /// Non-whitespace text between top-level elements.
        public static let textAtStreamLevel = Kind(.textAtStreamLevel)
        /// A top-level element (or the stream header) grew past ``XMLStreamReader/Limits/maxElementBytes``.
        public static let elementTooLarge = Kind(.elementTooLarge)
        /// Elements nested deeper than ``XMLStreamReader/Limits/maxDepth``.
        public static let tooDeep = Kind(.tooDeep)
        /// An element with more than ``XMLStreamReader/Limits/maxAttributes`` attributes.
        public static let tooManyAttributes = Kind(.tooManyAttributes)
        /// A qualified name longer than ``XMLStreamReader/Limits/maxNameBytes``.
        public static let nameTooLong = Kind(.nameTooLong)
        /// An attribute value longer than ``XMLStreamReader/Limits/maxAttributeValueBytes``.
        public static let attributeValueTooLong = Kind(.attributeValueTooLong)
        /// A text run longer than ``XMLStreamReader/Limits/maxTextBytes``.
        public static let textTooLong = Kind(.textTooLong)
        /// More distinct element and attribute names in one top-level
        /// element than the reader has room for (at least 2,048, at most
        /// 4,096, depending on what earlier stanzas used).
        public static let tooManyNames = Kind(.tooManyNames)
        /// Expat could not allocate memory.
        public static let outOfMemory = Kind(.outOfMemory)

        /// Whether this is one of the restricted-XML constructs of RFC 6120 §11.1.
        public var isRestrictedXML: Bool {
            switch base {
            case .doctype, .entityDeclaration, .entityReference, .comment, .processingInstruction: true
            default: false
            }
        }

        /// Whether a configured limit was exceeded.
        public var isLimit: Bool {
            switch base {
            case .elementTooLarge, .tooDeep, .tooManyAttributes, .nameTooLong, .attributeValueTooLong, .textTooLong,
                 .tooManyNames: true
            default: false
            }
        }

        /// The stream error condition RFC 6120 assigns to this failure.
        public var condition: StreamError.Condition {
            switch base {
            case .doctype, .entityDeclaration, .entityReference, .comment, .processingInstruction: .restrictedXML
            case .notWellFormed, .textAtStreamLevel: .notWellFormed
            case .badNamespacePrefix: .badNamespacePrefix
            case .unsupportedEncoding: .unsupportedEncoding
            case .unsupportedVersion: .unsupportedVersion
            case .elementTooLarge, .tooDeep, .tooManyAttributes, .nameTooLong, .attributeValueTooLong, .textTooLong,
                 .tooManyNames:
                .policyViolation
            case .outOfMemory: .resourceConstraint
            }
        }

        /// A short name for the kind.
        public var description: String {
            switch base {
            case .doctype: "doctype"
            case .entityDeclaration: "entity declaration"
            case .entityReference: "entity reference"
            case .comment: "comment"
            case .processingInstruction: "processing instruction"
            case .notWellFormed: "not well-formed"
            case .badNamespacePrefix: "bad namespace prefix"
            case .unsupportedEncoding: "unsupported encoding"
            case .unsupportedVersion: "unsupported version"
            case .textAtStreamLevel: "text at stream level"
            case .elementTooLarge: "element too large"
            case .tooDeep: "nesting too deep"
            case .tooManyAttributes: "too many attributes"
            case .nameTooLong: "name too long"
            case .attributeValueTooLong: "attribute value too long"
            case .textTooLong: "text too long"
            case .tooManyNames: "too many distinct names"
            case .outOfMemory: "out of memory"
            }
        }
    }
}

extension XMLStreamError: CustomStringConvertible {
    /// The kind, the offset and the detail, for logs.
    public var description: String {
        let suffix = detail.isEmpty ? "" : ": \(detail)"
        return "XML stream error (\(kind), \(condition.name)) at byte \(byteOffset)\(suffix)"
    }
}
