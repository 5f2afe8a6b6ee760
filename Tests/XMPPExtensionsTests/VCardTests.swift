import Testing
import XMPP
import XMPPCore
import XMPPExtensions

/// XEP-0054 vcard-temp: reading, writing, the photo's strict and bounded
/// base64, and the requests.
@Suite struct VCardTests {
    static let card = """
        <vCard xmlns='vcard-temp'>
          <FN>Peter Saint-Andre</FN>
          <N><FAMILY>Saint-Andre</FAMILY><GIVEN>Peter</GIVEN><MIDDLE/></N>
          <NICKNAME>stpeter</NICKNAME>
          <URL>http://www.xmpp.org/xsf/people/stpeter.shtml</URL>
          <BDAY>1966-08-06</BDAY>
          <ORG><ORGNAME>XMPP Standards Foundation</ORGNAME><ORGUNIT>Council</ORGUNIT><ORGUNIT>  </ORGUNIT></ORG>
          <TITLE>Executive Director</TITLE>
          <ROLE>Patron Saint</ROLE>
          <TEL><WORK/><VOICE/><NUMBER>303-308-3282</NUMBER></TEL>
          <TEL><HOME/><CELL/><NUMBER/></TEL>
          <ADR><WORK/><STREET>Suite 600</STREET><LOCALITY>Denver</LOCALITY><REGION>CO</REGION><PCODE>80210</PCODE><CTRY>USA</CTRY></ADR>
          <EMAIL><INTERNET/><PREF/><USERID>stpeter@jabber.org</USERID></EMAIL>
          <EMAIL><INTERNET/><HOME/><USERID>
            peter@example.com
          </USERID></EMAIL>
          <JABBERID>stpeter@jabber.org</JABBERID>
          <PHOTO><TYPE>image/png</TYPE><BINVAL>iVBORw0K
          GgoAAAAN</BINVAL></PHOTO>
          <NOTE>A note</NOTE>
          <DESC>More information about me.</DESC>
          <FN>Second FN is ignored</FN>
          <X-UNKNOWN>ignored</X-UNKNOWN>
        </vCard>
        """

    @Test("A full vCard reads field by field; empty elements are absent; the first of a single field counts")
    func readsCard() throws {
        let card = try VCard(element: TestXML.element(Self.card))
        #expect(card.fullName == "Peter Saint-Andre")
        #expect(card.name == VCard.Name(family: "Saint-Andre", given: "Peter"))
        #expect(card.nickname == "stpeter" && card.birthday == "1966-08-06" && card.jabberID == "stpeter@jabber.org")
        #expect(card.url == "http://www.xmpp.org/xsf/people/stpeter.shtml")
        #expect(card.organization == VCard.Organization(name: "XMPP Standards Foundation", units: ["Council"]))
        #expect(card.title == "Executive Director" && card.role == "Patron Saint")
        #expect(card.telephones == [VCard.Telephone(number: "303-308-3282", types: ["WORK", "VOICE"])])
        #expect(card.addresses == [
            VCard.Address(street: "Suite 600", locality: "Denver", region: "CO", postalCode: "80210", country: "USA", types: ["WORK"]),
        ])
        #expect(card.emails == [
            VCard.Email(address: "stpeter@jabber.org", types: ["INTERNET", "PREF"]),
            VCard.Email(address: "peter@example.com", types: ["INTERNET", "HOME"]),
        ])
        #expect(card.photo == VCard.Photo(type: "image/png", data: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]))
        #expect(card.note == "A note" && card.descriptiveText == "More information about me.")
    }

    @Test("What is written reads back the same; an empty vCard writes as an empty element")
    func roundTrip() throws {
        let card = try VCard(element: TestXML.element(Self.card))
        #expect(try VCard(element: card.element) == card)
        #expect(VCard().element == XMLElement("vCard", namespace: "vcard-temp"))
        let photo = VCard(photo: VCard.Photo(type: "image/gif", data: Array(0..<200), externalURL: "https://example.com/a.gif"))
        #expect(try VCard(element: photo.element) == photo)
    }

    @Test("Prosody's answer shape (every N part present, empty) reads as absent parts")
    func prosodyShape() throws {
        let card = try VCard(element: TestXML.element("""
            <vCard xmlns='vcard-temp'><FN/><N><FAMILY/><GIVEN>Ada</GIVEN><MIDDLE/><PREFIX/><SUFFIX/></N>
            <EMAIL><USERID>ada@example.com</USERID><INTERNET/><WORK/></EMAIL></vCard>
            """))
        #expect(card.fullName == nil)
        #expect(card.name == VCard.Name(given: "Ada"))
        #expect(card.emails == [VCard.Email(address: "ada@example.com", types: ["INTERNET", "WORK"])])
    }

    @Test(
        "A photo that is not canonical base64 is refused",
        arguments: ["iVBORw0", "iVBO*w0K", "iVBORw==AAAA", "iVBORx==", "i\u{00A0}VBORw0K"])
    func photoStrict(binval: String) throws {
        let xml = "<vCard xmlns='vcard-temp'><FN>x</FN><PHOTO><BINVAL>\(binval)</BINVAL></PHOTO></vCard>"
        #expect(performing: { try VCard(element: TestXML.element(xml)) }, throws: {
            ($0 as? StanzaParseError) == StanzaParseError(.invalidText, subject: "{vcard-temp}BINVAL")
        })
    }

    @Test("The photo is bounded: at the limit it reads, one byte more is refused before decoding")
    func photoBound() throws {
        let element = VCard(photo: VCard.Photo(data: Array(repeating: 7, count: 301))).element
        #expect(try VCard(element: element, maximumPhotoBytes: 301).photo?.data?.count == 301)
        #expect(throws: StanzaParseError.self) { try VCard(element: element, maximumPhotoBytes: 300) }
        #expect(throws: StanzaParseError.self) { try VCard(element: element, maximumPhotoBytes: 0) }
        #expect(throws: StanzaParseError.self) {
            try VCardRequest(maximumPhotoBytes: 10).response(from: IQ(type: .result, id: "v", payload: element))
        }
    }

    @Test("Requests: get with an empty vCard, empty results read as an empty card; publish is a set of the card")
    func requests() throws {
        #expect(VCardRequest().type == .get)
        #expect(VCardRequest().payload == XMLElement("vCard", namespace: "vcard-temp"))
        #expect(try VCardRequest().response(from: IQ(type: .result, id: "v")) == VCard())
        #expect(try VCardRequest().response(from: IQ(type: .result, id: "v", payload: XMLElement("vCard", namespace: "vcard-temp"))) == VCard())
        #expect(throws: StanzaParseError.self) {
            try VCardRequest().response(from: IQ(type: .result, id: "v", payload: XMLElement("vcard", namespace: "urn:ietf:params:xml:ns:vcard-4.0")))
        }
        let card = VCard(fullName: "Ada", nickname: "ada")
        #expect(VCardPublishRequest(card).type == .set)
        #expect(VCardPublishRequest(card).payload == card.element)
    }
}
