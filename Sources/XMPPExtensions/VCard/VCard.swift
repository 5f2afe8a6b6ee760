/// A XEP-0054 vcard-temp profile (`<vCard xmlns='vcard-temp'/>`): names,
/// photo, birthday, addresses, telephone numbers, emails, organisation.
///
/// ```swift
/// let card = try await connection.vCard(of: try BareJID("juliet@example.com"))
/// print(card.fullName ?? "", card.nickname ?? "", card.emails.map(\.address))
/// if let photo = card.photo?.data { print("\(photo.count) bytes of \(card.photo?.type ?? "?")") }
/// ```
///
/// Only the common fields are modelled; others are ignored on reading.
/// Empty elements (which some servers send for every field) read as
/// absent. Where a field should appear once, the first one counts.
public struct VCard: Hashable, Sendable {
    /// `vcard-temp`.
    public static let namespace = "vcard-temp"
    /// The largest photo accepted by default when reading: 128 KiB, well
    /// above the few kilobytes avatars take (XEP-0153 §5 recommends 8 KiB).
    public static let defaultMaximumPhotoBytes = 128 * 1024

    /// The formatted name (`FN`), for example `Juliet Capulet`.
    public var fullName: String?
    /// The structured name (`N`).
    public var name: Name?
    /// The nickname (`NICKNAME`).
    public var nickname: String?
    /// The photo or avatar (`PHOTO`).
    public var photo: Photo?
    /// The birthday (`BDAY`), as written: ISO 8601, for example `1996-02-01`.
    public var birthday: String?
    /// Postal addresses (`ADR`).
    public var addresses: [Address]
    /// Telephone numbers (`TEL`).
    public var telephones: [Telephone]
    /// Email addresses (`EMAIL`).
    public var emails: [Email]
    /// The XMPP address the card names (`JABBERID`), as written.
    public var jabberID: String?
    /// The job title (`TITLE`).
    public var title: String?
    /// The role or occupation (`ROLE`).
    public var role: String?
    /// The organisation (`ORG`).
    public var organization: Organization?
    /// A web page (`URL`).
    public var url: String?
    /// A note (`NOTE`).
    public var note: String?
    /// A free-form description (`DESC`).
    public var descriptiveText: String?

    /// Creates a vCard; every field is optional.
    /// - Parameters:
    ///   - fullName: `FN`.
    ///   - name: `N`.
    ///   - nickname: `NICKNAME`.
    ///   - photo: `PHOTO`.
    ///   - birthday: `BDAY`.
    ///   - addresses: `ADR`s.
    ///   - telephones: `TEL`s.
    ///   - emails: `EMAIL`s.
    ///   - jabberID: `JABBERID`.
    ///   - title: `TITLE`.
    ///   - role: `ROLE`.
    ///   - organization: `ORG`.
    ///   - url: `URL`.
    ///   - note: `NOTE`.
    ///   - descriptiveText: `DESC`.
    public init(
        fullName: String? = nil, name: Name? = nil, nickname: String? = nil, photo: Photo? = nil,
        birthday: String? = nil, addresses: [Address] = [], telephones: [Telephone] = [], emails: [Email] = [],
        jabberID: String? = nil, title: String? = nil, role: String? = nil, organization: Organization? = nil,
        url: String? = nil, note: String? = nil, descriptiveText: String? = nil
    ) {
        self.fullName = fullName
        self.name = name
        self.nickname = nickname
        self.photo = photo
        self.birthday = birthday
        self.addresses = addresses
        self.telephones = telephones
        self.emails = emails
        self.jabberID = jabberID
        self.title = title
        self.role = role
        self.organization = organization
        self.url = url
        self.note = note
        self.descriptiveText = descriptiveText
    }

    /// The parts of a structured name (`N`).
    public struct Name: Hashable, Sendable {
        /// `FAMILY`.
        public var family: String?
        /// `GIVEN`.
        public var given: String?
        /// `MIDDLE`.
        public var middle: String?
        /// `PREFIX`, for example `Dr.`.
        public var prefix: String?
        /// `SUFFIX`, for example `Jr.`.
        public var suffix: String?

        /// Creates a name.
        /// - Parameters:
        ///   - family: The family name.
        ///   - given: The given name.
        ///   - middle: Middle names.
        ///   - prefix: An honorific prefix.
        ///   - suffix: An honorific suffix.
        public init(family: String? = nil, given: String? = nil, middle: String? = nil, prefix: String? = nil, suffix: String? = nil) {
            self.family = family
            self.given = given
            self.middle = middle
            self.prefix = prefix
            self.suffix = suffix
        }
    }

    /// A photo (`PHOTO`): inline bytes with their media type, or a link.
    public struct Photo: Hashable, Sendable {
        /// The media type (`TYPE`), for example `image/png`.
        public var type: String?
        /// The image (`BINVAL`, decoded from base64).
        public var data: [UInt8]?
        /// Where the image is instead (`EXTVAL`), a URI.
        public var externalURL: String?

        /// Creates a photo.
        /// - Parameters:
        ///   - type: The media type.
        ///   - data: The image bytes.
        ///   - externalURL: A URI of the image.
        public init(type: String? = nil, data: [UInt8]? = nil, externalURL: String? = nil) {
            self.type = type
            self.data = data
            self.externalURL = externalURL
        }
    }

    /// A telephone number (`TEL`).
    public struct Telephone: Hashable, Sendable {
        /// The number (`NUMBER`), as written.
        public var number: String
        /// Its kinds, by element name: `HOME`, `WORK`, `VOICE`, `FAX`,
        /// `PAGER`, `MSG`, `CELL`, `VIDEO`, `BBS`, `MODEM`, `ISDN`, `PCS`, `PREF`.
        public var types: Set<String>

        /// Creates a number.
        /// - Parameters:
        ///   - number: The number.
        ///   - types: Its kinds, for example `["WORK", "VOICE"]`.
        public init(number: String, types: Set<String> = []) {
            self.number = number
            self.types = types
        }
    }

    /// An email address (`EMAIL`).
    public struct Email: Hashable, Sendable {
        /// The address (`USERID`).
        public var address: String
        /// Its kinds, by element name: `HOME`, `WORK`, `INTERNET`, `PREF`, `X400`.
        public var types: Set<String>

        /// Creates an email address.
        /// - Parameters:
        ///   - address: The address.
        ///   - types: Its kinds, for example `["INTERNET", "HOME"]`.
        public init(address: String, types: Set<String> = []) {
            self.address = address
            self.types = types
        }
    }

    /// A postal address (`ADR`).
    public struct Address: Hashable, Sendable {
        /// `POBOX`.
        public var postOfficeBox: String?
        /// `EXTADD`: an apartment or suite.
        public var extendedAddress: String?
        /// `STREET`.
        public var street: String?
        /// `LOCALITY`: the city.
        public var locality: String?
        /// `REGION`: the state or province.
        public var region: String?
        /// `PCODE`.
        public var postalCode: String?
        /// `CTRY`.
        public var country: String?
        /// Its kinds, by element name: `HOME`, `WORK`, `POSTAL`, `PARCEL`,
        /// `DOM`, `INTL`, `PREF`.
        public var types: Set<String>

        /// Creates an address.
        /// - Parameters:
        ///   - postOfficeBox: `POBOX`.
        ///   - extendedAddress: `EXTADD`.
        ///   - street: `STREET`.
        ///   - locality: `LOCALITY`.
        ///   - region: `REGION`.
        ///   - postalCode: `PCODE`.
        ///   - country: `CTRY`.
        ///   - types: Its kinds.
        public init(
            postOfficeBox: String? = nil, extendedAddress: String? = nil, street: String? = nil, locality: String? = nil,
            region: String? = nil, postalCode: String? = nil, country: String? = nil, types: Set<String> = []
        ) {
            self.postOfficeBox = postOfficeBox
            self.extendedAddress = extendedAddress
            self.street = street
            self.locality = locality
            self.region = region
            self.postalCode = postalCode
            self.country = country
            self.types = types
        }
    }

    /// An organisation (`ORG`).
    public struct Organization: Hashable, Sendable {
        /// `ORGNAME`.
        public var name: String?
        /// `ORGUNIT`s, from the largest unit down.
        public var units: [String]

        /// Creates an organisation.
        /// - Parameters:
        ///   - name: Its name.
        ///   - units: Its units.
        public init(name: String? = nil, units: [String] = []) {
            self.name = name
            self.units = units
        }
    }
}
