/// One benchmark input: a complete XMPP stream as the server would send it.
struct Corpus {
    /// Which stanza mix, as given on the command line.
    let name: String
    /// The stream's bytes, header to closing tag.
    let bytes: [UInt8]
    /// How many top-level children (stanzas) the stream contains, known by
    /// construction; both readers must report exactly this many.
    let stanzas: Int

    /// Bytes per stanza; the stream header and closing tag are counted too,
    /// which is noise at megabytes of data.
    var averageStanzaBytes: Double { Double(bytes.count) / Double(stanzas) }
}

/// The corpora the benchmark knows about.
enum CorpusKind: String, CaseIterable {
    /// ~520-byte stanzas: chat, carbons, presence, roster, disco.
    case mix
    /// ~90-byte stanzas: acks, pings, short presences and messages.
    case tiny
}

/// Builds the deterministic corpora. The seeds are fixed so that every run,
/// on every machine, parses the same bytes.
enum CorpusGenerator {
    static func make(_ kind: CorpusKind, targetBytes: Int) -> Corpus {
        var factory = StanzaFactory(seed: kind == .mix ? 0x5EED_0000_0000_0520 : 0x5EED_0000_0000_0090)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(targetBytes + 4096)
        bytes.append(contentsOf: streamHeader(id: factory.uuid()).utf8)
        var stanzas = 0
        while bytes.count < targetBytes {
            let stanza = kind == .mix ? factory.mixStanza() : factory.tinyStanza()
            bytes.append(contentsOf: stanza.utf8)
            stanzas += 1
        }
        bytes.append(contentsOf: "</stream:stream>".utf8)
        return Corpus(name: kind.rawValue, bytes: bytes, stanzas: stanzas)
    }

    /// The server's stream header, as RFC 6120 §4.7 shows it.
    private static func streamHeader(id: String) -> String {
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
            + " from='example.com' id='\(id)' version='1.0' xml:lang='en'>"
    }
}
