import XMPP
public import XMPPCore

extension VCard {
    /// Reads a `<vCard xmlns='vcard-temp'/>`.
    ///
    /// Text is trimmed of surrounding whitespace, and empty text reads as
    /// absent. A `TEL` without `NUMBER` or an `EMAIL` without `USERID` is
    /// skipped. The photo's `BINVAL` may be broken into lines (whitespace is
    /// dropped) but must otherwise be canonical base64 and decode to at
    /// most `maximumPhotoBytes`, which is checked before decoding.
    /// - Parameters:
    ///   - element: The vCard.
    ///   - maximumPhotoBytes: The largest photo accepted.
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `invalidText` (subject `{vcard-temp}BINVAL`) for a photo
    ///   that is not base64 or is too large.
    public init(element: XMLElement, maximumPhotoBytes: Int = VCard.defaultMaximumPhotoBytes) throws(StanzaParseError) {
        guard element.name == XMLQualifiedName("vCard", namespace: Self.namespace) else {
            throw .unexpectedElement(element.name)
        }
        self.init()
        for child in element.elements where child.name.namespace == Self.namespace {
            switch child.name.localName {
            case "FN": fullName = fullName ?? child.trimmedText
            case "NICKNAME": nickname = nickname ?? child.trimmedText
            case "BDAY": birthday = birthday ?? child.trimmedText
            case "JABBERID": jabberID = jabberID ?? child.trimmedText
            case "TITLE": title = title ?? child.trimmedText
            case "ROLE": role = role ?? child.trimmedText
            case "URL": url = url ?? child.trimmedText
            case "NOTE": note = note ?? child.trimmedText
            case "DESC": descriptiveText = descriptiveText ?? child.trimmedText
            case "N" where name == nil:
                name = Name(
                    family: child.vCardText("FAMILY"), given: child.vCardText("GIVEN"), middle: child.vCardText("MIDDLE"),
                    prefix: child.vCardText("PREFIX"), suffix: child.vCardText("SUFFIX"))
            case "PHOTO" where photo == nil:
                photo = try Photo(element: child, maximumBytes: maximumPhotoBytes)
            case "TEL":
                if let number = child.vCardText("NUMBER") {
                    telephones.append(Telephone(number: number, types: child.vCardFlags(Self.telephoneTypes)))
                }
            case "EMAIL":
                if let address = child.vCardText("USERID") {
                    emails.append(Email(address: address, types: child.vCardFlags(Self.emailTypes)))
                }
            case "ADR":
                addresses.append(Address(
                    postOfficeBox: child.vCardText("POBOX"), extendedAddress: child.vCardText("EXTADD"),
                    street: child.vCardText("STREET"), locality: child.vCardText("LOCALITY"), region: child.vCardText("REGION"),
                    postalCode: child.vCardText("PCODE"), country: child.vCardText("CTRY"),
                    types: child.vCardFlags(Self.addressTypes)))
            case "ORG" where organization == nil:
                let units = child.children(named: "ORGUNIT", namespace: Self.namespace).compactMap(\.trimmedText)
                organization = Organization(name: child.vCardText("ORGNAME"), units: units)
            default:
                continue
            }
        }
    }

    /// The `<vCard xmlns='vcard-temp'/>` element; kinds (`HOME`, `WORK`, ...)
    /// are written in alphabetical order.
    public var element: XMLElement {
        var card = XMLElement("vCard", namespace: Self.namespace)
        card.appendVCardText("FN", fullName)
        if let name {
            var element = XMLElement("N", namespace: Self.namespace)
            element.appendVCardText("FAMILY", name.family)
            element.appendVCardText("GIVEN", name.given)
            element.appendVCardText("MIDDLE", name.middle)
            element.appendVCardText("PREFIX", name.prefix)
            element.appendVCardText("SUFFIX", name.suffix)
            card.append(element)
        }
        card.appendVCardText("NICKNAME", nickname)
        if let photo { card.append(photo.element) }
        card.appendVCardText("BDAY", birthday)
        for address in addresses {
            var element = XMLElement("ADR", namespace: Self.namespace)
            element.appendVCardFlags(address.types)
            element.appendVCardText("POBOX", address.postOfficeBox)
            element.appendVCardText("EXTADD", address.extendedAddress)
            element.appendVCardText("STREET", address.street)
            element.appendVCardText("LOCALITY", address.locality)
            element.appendVCardText("REGION", address.region)
            element.appendVCardText("PCODE", address.postalCode)
            element.appendVCardText("CTRY", address.country)
            card.append(element)
        }
        for telephone in telephones {
            var element = XMLElement("TEL", namespace: Self.namespace)
            element.appendVCardFlags(telephone.types)
            element.appendVCardText("NUMBER", telephone.number)
            card.append(element)
        }
        for email in emails {
            var element = XMLElement("EMAIL", namespace: Self.namespace)
            element.appendVCardFlags(email.types)
            element.appendVCardText("USERID", email.address)
            card.append(element)
        }
        card.appendVCardText("JABBERID", jabberID)
        card.appendVCardText("TITLE", title)
        card.appendVCardText("ROLE", role)
        if let organization {
            var element = XMLElement("ORG", namespace: Self.namespace)
            element.appendVCardText("ORGNAME", organization.name)
            for unit in organization.units { element.appendVCardText("ORGUNIT", unit) }
            card.append(element)
        }
        card.appendVCardText("URL", url)
        card.appendVCardText("NOTE", note)
        card.appendVCardText("DESC", descriptiveText)
        return card
    }

    /// The kind flags each structured field may carry (XEP-0054's DTD).
    static let telephoneTypes: Set<String> = [
        "HOME", "WORK", "VOICE", "FAX", "PAGER", "MSG", "CELL", "VIDEO", "BBS", "MODEM", "ISDN", "PCS", "PREF",
    ]
    static let emailTypes: Set<String> = ["HOME", "WORK", "INTERNET", "PREF", "X400"]
    static let addressTypes: Set<String> = ["HOME", "WORK", "POSTAL", "PARCEL", "DOM", "INTL", "PREF"]
}

extension VCard.Photo {
    /// Reads `PHOTO`; see ``VCard/init(element:maximumPhotoBytes:)``.
    init(element: XMLElement, maximumBytes: Int) throws(StanzaParseError) {
        self.init(type: element.vCardText("TYPE"), externalURL: element.vCardText("EXTVAL"))
        guard let encoded = element.firstChild(named: "BINVAL", namespace: VCard.namespace)?.text else { return }
        let subject = "{\(VCard.namespace)}BINVAL"
        // XML whitespace only: line breaks are common in BINVAL, and
        // nothing else outside the alphabet is tolerated.
        let compact = String(encoded.unicodeScalars.filter { !" \t\r\n".unicodeScalars.contains($0) })
        // The canonical encoding of n bytes is 4 * ceil(n / 3) characters:
        // anything longer is refused before a byte is decoded.
        guard compact.utf8.count <= (max(0, maximumBytes) + 2) / 3 * 4 else {
            throw StanzaParseError(.invalidText, subject: subject)
        }
        guard let bytes = SASLBase64.decode(compact), bytes.count <= maximumBytes else {
            throw StanzaParseError(.invalidText, subject: subject)
        }
        data = bytes
    }

    /// The `PHOTO` element; the bytes as one line of base64.
    var element: XMLElement {
        var photo = XMLElement("PHOTO", namespace: VCard.namespace)
        photo.appendVCardText("TYPE", type)
        if let data { photo.appendVCardText("BINVAL", SASLBase64.encode(data)) }
        photo.appendVCardText("EXTVAL", externalURL)
        return photo
    }
}

extension XMLElement {
    /// The text, trimmed of XML whitespace; `nil` when nothing is left.
    fileprivate var trimmedText: String? {
        let whitespace: Set<Character> = [" ", "\t", "\r", "\n", "\r\n"]
        let text = text
        guard let first = text.firstIndex(where: { !whitespace.contains($0) }),
            let last = text.lastIndex(where: { !whitespace.contains($0) })
        else { return nil }
        return String(text[first...last])
    }

    /// The trimmed text of the first vcard-temp child `name`.
    fileprivate func vCardText(_ name: String) -> String? {
        firstChild(named: name, namespace: VCard.namespace)?.trimmedText
    }

    /// Which of the empty flag elements (`HOME`, `WORK`, ...) in `known`
    /// this element has.
    fileprivate func vCardFlags(_ known: Set<String>) -> Set<String> {
        Set(elements.lazy.filter { $0.name.namespace == VCard.namespace && known.contains($0.name.localName) }.map(\.name.localName))
    }

    /// Appends `<name>value</name>` when there is a value.
    fileprivate mutating func appendVCardText(_ name: String, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        append(XMLElement(name, namespace: VCard.namespace, text: value))
    }

    /// Appends an empty element per flag, sorted.
    fileprivate mutating func appendVCardFlags(_ flags: Set<String>) {
        for flag in flags.sorted() { append(XMLElement(flag, namespace: VCard.namespace)) }
    }
}
