import Testing

@testable import XMPPCore

/// The list form behind ``Message/bodies`` and ``Message/extensions``: one
/// canonical form per sequence of values, so that equality and hashing of
/// messages do not depend on how a list was built.
@Suite struct SmallListTests {
    @Test("An array of zero, one or several values takes the matching form and comes back unchanged")
    func forms() {
        #expect(SmallList<Int>([]) == .none)
        #expect(SmallList([7]) == .one(7))
        #expect(SmallList([7, 8]) == .many([7, 8]))
        for values in [[], [1], [1, 2], [1, 2, 3]] {
            let list = SmallList(values)
            #expect(list.array == values)
            #expect(list.isEmpty == values.isEmpty)
            #expect(list.count == values.count)
            var visited: [Int] = []
            list.forEach { visited.append($0) }
            #expect(visited == values)
        }
    }

    @Test("Appending one by one gives the form the whole array gives")
    func appending() {
        var list = SmallList<String>.none
        var values: [String] = []
        for value in ["a", "b", "c", "d"] {
            list.append(value)
            values.append(value)
            #expect(list == SmallList(values))
            #expect(list.hashValue == SmallList(values).hashValue)
        }
    }

    @Test("Messages with equal bodies and extensions are equal however they were made")
    func messageEquality() throws {
        let noStore = XMLElement("no-store", namespace: "urn:xmpp:hints")
        let receipt = XMLElement("request", namespace: "urn:xmpp:receipts")
        let byBody = Message(type: .chat, id: "m1", body: "hello")
        let byArray = Message(type: .chat, id: "m1", bodies: [LanguageTaggedText("hello")])
        #expect(byBody == byArray)
        #expect(byBody.hashValue == byArray.hashValue)

        var grown = Message(type: .chat, id: "m1", body: "hello")
        grown.extensions.append(noStore)
        grown.extensions.append(receipt)
        let whole = Message(
            type: .chat, id: "m1", bodies: [LanguageTaggedText("hello")], extensions: [noStore, receipt])
        #expect(grown == whole)
        #expect(grown.extensions == [noStore, receipt])

        grown.extensions.removeLast()
        #expect(grown.extensions == [noStore])
        grown.extensions = []
        #expect(grown == byBody)

        let read = try Message(element: byBody.element)
        #expect(read == byBody)
    }

    @Test("The body of a message with one body is that body, whatever its language; with several the rule picks")
    func preferredBody() {
        var message = Message(language: "en", bodies: [LanguageTaggedText("salut", language: "fr")])
        #expect(message.body == "salut")
        message.bodies.append(LanguageTaggedText("hello", language: "en"))
        #expect(message.body == "hello")
        message.bodies.append(LanguageTaggedText("hi"))
        #expect(message.body == "hi")
        message.body = nil
        #expect(message.bodies.isEmpty)
        #expect(message.body == nil)
        message.body = "again"
        #expect(message.bodies == [LanguageTaggedText("again")])
    }

    @Test("A message is written with its one body and its extensions, in order")
    func writing() {
        let message = Message(
            type: .chat, id: "w1", bodies: [LanguageTaggedText("text")],
            extensions: [XMLElement("a", namespace: "urn:x:a"), XMLElement("b", namespace: "urn:x:b")])
        let names = message.element.children.compactMap { child -> String? in
            if case .element(let element) = child { return element.name.localName }
            return nil
        }
        #expect(names == ["body", "a", "b"])
    }
}
