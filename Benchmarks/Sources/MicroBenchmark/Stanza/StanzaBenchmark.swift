import XMPPCore
import XMPPUnderTest

/// The typed stanza model: building a chat message the way an application
/// sends one, and reading top-level elements into Message/Presence/IQ the
/// way a subscription does. No C floor exists for these; ns/op is the figure.
enum StanzaBenchmark {
    /// Operations per timed pass of the build contenders.
    static let buildOperations = 100_000

    static func run(_ options: Options) {
        print("\n## stanza: typed stanza model\n")
        let inputs = StanzaInputs()
        let mix = CorpusTrees(.mix, megabytes: options.megabytes)
        let tiny = CorpusTrees(.tiny, megabytes: options.megabytes)
        let addresses = mix.stanzas.flatMap { stanza in
            ["from", "to"].compactMap { stanza[attribute: $0] }
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024)
        let buildChecksum = build(inputs, serialise: false, buffer: &buffer).checksum
        let sendChecksum = send(inputs, typed: false).checksum
        let serialiseChecksum = build(inputs, serialise: true, buffer: &buffer).checksum
        let mixKinds = parse(mix.stanzas).kinds
        let tinyKinds = parse(tiny.stanzas).kinds
        let jidChecksum = parseJIDs(addresses).checksum
        let routed = routedChats()
        let routedChecksum = parseMessages(routed).checksum
        print("mix: \(grouped(mix.stanzas.count)) elements → \(mixKinds); tiny: \(grouped(tiny.stanzas.count)) → \(tinyKinds); "
            + "\(grouped(addresses.count)) from/to addresses in mix")

        let contenders: [(Contender, Int)] = [
            (Contender(name: "build: Message(…) + no-store → XMLElement") {
                let pass = build(inputs, serialise: false, buffer: &buffer)
                if pass.checksum != buildChecksum { fail("build produced different elements") }
                return pass.seconds
            }, buildOperations),
            (Contender(name: "build + serialise (XMLWriter)") {
                let pass = build(inputs, serialise: true, buffer: &buffer)
                if pass.checksum != serialiseChecksum { fail("build + serialise wrote different bytes") }
                return pass.seconds
            }, buildOperations),
            (Contender(name: "Message(…) + serialise from the model (XMLWriter.write(Message))") {
                let pass = serialiseFromModel(inputs, buffer: &buffer)
                if pass.checksum != serialiseChecksum { fail("serialising from the model wrote different bytes") }
                return pass.seconds
            }, buildOperations),
            (Contender(name: "build + send through the channel handler, XEP-0198 on") {
                let pass = send(inputs, typed: false)
                if pass.checksum != sendChecksum { fail("build + send wrote different bytes") }
                return pass.seconds
            }, buildOperations),
            (Contender(name: "Message(…) + send from the model through the channel handler, XEP-0198 on") {
                let pass = send(inputs, typed: true)
                if pass.checksum != sendChecksum { fail("sending from the model wrote different bytes") }
                return pass.seconds
            }, buildOperations),
            (Contender(name: "parse mix: XMLElement → AnyStanza") {
                let pass = parse(mix.stanzas)
                if pass.kinds != mixKinds { fail("parse of mix changed: \(pass.kinds)") }
                return pass.seconds
            }, mix.stanzas.count),
            (Contender(name: "parse tiny: XMLElement → AnyStanza") {
                let pass = parse(tiny.stanzas)
                if pass.kinds != tinyKinds { fail("parse of tiny changed: \(pass.kinds)") }
                return pass.seconds
            }, tiny.stanzas.count),
            (Contender(name: "parse routed chat: XMLElement → Message") {
                let pass = parseMessages(routed)
                if pass.checksum != routedChecksum { fail("parse of routed chats changed") }
                return pass.seconds
            }, routed.count),
            (Contender(name: "JID(string), mix from/to values") {
                let pass = parseJIDs(addresses)
                if pass.checksum != jidChecksum { fail("JID parsing changed") }
                return pass.seconds
            }, addresses.count),
        ]
        let samples = alternate(contenders.map(\.0), warmup: options.warmupRounds, rounds: options.rounds)
        var rows: [[String]] = []
        for (index, (contender, operations)) in contenders.enumerated() {
            let statistics = Statistics(samples[index])
            rows.append([
                contender.name, grouped(operations), rate(Double(operations) / statistics.median),
                fixed(statistics.median * 1e9 / Double(operations), 0),
                fixed(statistics.minimum * 1e9 / Double(operations), 0), spread(samples[index]),
            ])
        }
        print("\nMedians of \(options.rounds) alternating rounds.\n")
        printTable(["operation", "ops per pass", "ops/s", "ns/op (median)", "ns/op (best)", "IQR"], rows)
    }

    /// Builds `buildOperations` chat messages (to, id, body, no-store
    /// hint), each converted to an element and optionally serialised into
    /// a reused buffer. The checksum (attribute and child counts, or bytes
    /// written) proves the work was done and keeps the optimiser honest.
    static func build(_ inputs: StanzaInputs, serialise: Bool, buffer: inout [UInt8]) -> (seconds: Double, checksum: Int) {
        let writer = XMLWriter()
        var checksum = 0
        let start = ContinuousClock.now
        for operation in 0..<buildOperations {
            let element = inputs.chatElement(operation)
            if serialise {
                buffer.removeAll(keepingCapacity: true)
                do throws(XMLWriterError) {
                    try writer.write(element, into: &buffer)
                } catch {
                    fail("the writer refused a message: \(error)")
                }
                checksum &+= buffer.count
            } else {
                checksum &+= element.attributes.count &+ element.children.count
            }
        }
        return (seconds(since: start), checksum)
    }

    /// Builds `buildOperations` chat messages as ``build(_:serialise:buffer:)``
    /// does and serialises each straight from the model into a reused
    /// buffer, as `XMPPConnection.send(_: Message)` does. The checksum is
    /// the bytes written (equal to the element path's).
    static func serialiseFromModel(_ inputs: StanzaInputs, buffer: inout [UInt8]) -> (seconds: Double, checksum: Int) {
        let writer = XMLWriter()
        var checksum = 0
        let start = ContinuousClock.now
        for operation in 0..<buildOperations {
            let message = inputs.chatMessage(operation)
            buffer.removeAll(keepingCapacity: true)
            do throws(XMLWriterError) {
                try writer.write(message, into: &buffer)
            } catch {
                fail("the writer refused a message: \(error)")
            }
            checksum &+= buffer.count
        }
        return (seconds(since: start), checksum)
    }

    /// Builds `buildOperations` chat messages as ``build(_:serialise:buffer:)``
    /// does and sends them through an established session's channel
    /// handler (negotiated before the clock starts), in bursts of 100 with
    /// the server's `<a/>` after each: what `XMPPConnection.send` runs for
    /// a bulk sender, without a socket or TLS. `typed` sends the messages
    /// (serialised from the model, as `send(_: Message)` does) instead of
    /// their elements. The checksum is the bytes the client wrote.
    static func send(_ inputs: StanzaInputs, typed: Bool) -> (seconds: Double, checksum: Int) {
        let burst = 100
        do {
            let harness = try InboundPathHarness(streamManagement: true)
            defer { harness.close() }
            var elements: [XMLElement] = []
            elements.reserveCapacity(burst)
            var messages: [Message] = []
            messages.reserveCapacity(burst)
            var checksum = 0
            let start = ContinuousClock.now
            for first in stride(from: 0, to: buildOperations, by: burst) {
                elements.removeAll(keepingCapacity: true)
                messages.removeAll(keepingCapacity: true)
                for operation in first..<min(first + burst, buildOperations) {
                    if typed {
                        messages.append(inputs.chatMessage(operation))
                    } else {
                        elements.append(inputs.chatElement(operation))
                    }
                }
                checksum &+= try typed ? harness.sendBurst(messages) : harness.sendBurst(elements)
            }
            let elapsed = seconds(since: start)
            guard harness.sentStanzas == buildOperations else {
                fail("sent \(harness.sentStanzas) of \(buildOperations) messages")
            }
            return (elapsed, checksum)
        } catch {
            fail("the outbound path failed: \(error)")
        }
    }

    /// How many elements read as each stanza kind (and as none).
    struct Kinds: Equatable, CustomStringConvertible {
        var messages = 0, presences = 0, iqs = 0, other = 0
        var description: String { "\(messages) messages, \(presences) presences, \(iqs) IQs, \(other) other" }
    }

    /// Reads every element as a stanza (JIDs in from/to included).
    static func parse(_ elements: [XMLElement]) -> (seconds: Double, kinds: Kinds) {
        var kinds = Kinds()
        let start = ContinuousClock.now
        for element in elements {
            do throws(StanzaParseError) {
                switch try AnyStanza.parse(element) {
                case .message: kinds.messages += 1
                case .presence: kinds.presences += 1
                case .iq: kinds.iqs += 1
                case nil: kinds.other += 1
                }
            } catch {
                fail("a corpus stanza does not parse: \(error)")
            }
        }
        return (seconds(since: start), kinds)
    }

    /// 10,000 chat messages as Prosody routes the session benchmark's
    /// (the sender's full JID added, `xml:lang`, a 100-byte body and a
    /// no-store hint), read by `XMLStreamReader`.
    static func routedChats() -> [XMLElement] {
        let text = routedChatStreamHeader + routedChatStanzas(count: 10_000)
        return CorpusTrees.read(Array(text.utf8), name: "routed chats")
    }

    /// The client stream header the routed chats are read in.
    static let routedChatStreamHeader =
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"

    /// The text of `count` routed chat messages, without a stream around them.
    static func routedChatStanzas(count: Int) -> String {
        var text = ""
        for index in 0..<count {
            let sequence = String(index)
            let body = String(repeating: "0", count: 10 - sequence.count) + sequence + " "
                + String(repeating: "abcdefghijklmnopqrstuvwxyz", count: 4).prefix(89)
            text += "<message type='chat' id='m\(index)' to='user02@xmpp.test/bench' from='user01@xmpp.test/\(index % 7)f3a9c1'"
                + " xml:lang='en'><body>\(body)</body><no-store xmlns='urn:xmpp:hints'/></message>"
        }
        return text
    }

    /// Reads every element as a message; the checksum adds body lengths
    /// and counts senders, so every field that matters was read.
    static func parseMessages(_ elements: [XMLElement]) -> (seconds: Double, checksum: Int) {
        var checksum = 0
        let start = ContinuousClock.now
        for element in elements {
            do throws(StanzaParseError) {
                let message = try Message(element: element)
                checksum &+= (message.body?.utf8.count ?? 0) &+ (message.from == nil ? 0 : 1) &+ (message.type == .chat ? 1 : 0)
            } catch {
                fail("a routed chat does not parse: \(error)")
            }
        }
        return (seconds(since: start), checksum)
    }

    /// Parses every address; the checksum counts full JIDs.
    static func parseJIDs(_ addresses: [String]) -> (seconds: Double, checksum: Int) {
        var full = 0
        let start = ContinuousClock.now
        for address in addresses {
            do throws(JIDError) {
                if try JID(address).resourcepart != nil { full += 1 }
            } catch {
                fail("a corpus address does not parse: \(address)")
            }
        }
        return (seconds(since: start), full)
    }
}
