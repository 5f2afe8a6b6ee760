internal import CExpat

/// The C callbacks Expat calls while parsing. Expat's user data points at
/// the reader's heap-allocated ``XMLTreeBuilder``, so a callback reaches it
/// without retaining the reader or paying for a dynamic exclusivity check;
/// the restricted-XML handlers exist only to stop the parser, because Expat
/// accepts comments, PIs and DTDs silently when no handler objects.
@inline(__always)
private func withReaderBuilder(_ userData: UnsafeMutableRawPointer?, _ body: (inout XMLTreeBuilder) -> Void) {
    guard let userData else { return }
    body(&userData.assumingMemoryBound(to: XMLTreeBuilder.self).pointee)
}

extension XMLStreamReader {
    static func installHandlers(on parser: XML_Parser) {
        XML_SetElementHandler(
            parser,
            { userData, name, attributes in
                guard let name, let attributes else { return }
                withReaderBuilder(userData) { $0.startElement(name, attributes) }
            },
            { userData, _ in
                withReaderBuilder(userData) { $0.endElement() }
            }
        )
        XML_SetCharacterDataHandler(parser) { userData, text, length in
            guard let text else { return }
            withReaderBuilder(userData) { $0.characters(text, count: Int(length)) }
        }
        XML_SetXmlDeclHandler(parser) { userData, version, encoding, _ in
            withReaderBuilder(userData) { builder in
                if let version, String(cString: version) != "1.0" {
                    builder.fail(.unsupportedVersion, detail: "XML version \(String(cString: version).prefix(16))")
                } else if let encoding, String(cString: encoding).lowercased() != "utf-8" {
                    builder.fail(.unsupportedEncoding, detail: "encoding \(String(cString: encoding).prefix(32))")
                }
            }
        }
        XML_SetStartDoctypeDeclHandler(parser) { userData, _, _, _, _ in
            withReaderBuilder(userData) { $0.fail(.doctype) }
        }
        XML_SetEntityDeclHandler(parser) { userData, _, _, _, _, _, _, _, _ in
            withReaderBuilder(userData) { $0.fail(.entityDeclaration) }
        }
        XML_SetUnparsedEntityDeclHandler(parser) { userData, _, _, _, _, _ in
            withReaderBuilder(userData) { $0.fail(.entityDeclaration) }
        }
        XML_SetNotationDeclHandler(parser) { userData, _, _, _, _ in
            withReaderBuilder(userData) { $0.fail(.entityDeclaration) }
        }
        XML_SetSkippedEntityHandler(parser) { userData, _, _ in
            withReaderBuilder(userData) { $0.fail(.entityReference) }
        }
        XML_SetCommentHandler(parser) { userData, _ in
            withReaderBuilder(userData) { $0.fail(.comment) }
        }
        XML_SetProcessingInstructionHandler(parser) { userData, _, _ in
            withReaderBuilder(userData) { $0.fail(.processingInstruction) }
        }
    }
}
