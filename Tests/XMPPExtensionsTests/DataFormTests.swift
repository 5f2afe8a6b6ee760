import Testing
import XMPPCore
import XMPPExtensions

/// XEP-0004 data forms: reading, writing, and the helpers that read and
/// fill values.
@Suite struct DataFormTests {
    /// A configuration form in the style of XEP-0004 §6.
    static let configurationForm = """
        <x xmlns='jabber:x:data' type='form'>
          <title>Bot Configuration</title>
          <instructions>Fill out this form.</instructions>
          <instructions>Then submit it.</instructions>
          <field type='hidden' var='FORM_TYPE'><value>urn:example:bot</value></field>
          <field type='fixed'><value>Section 1: Bot Info</value></field>
          <field type='text-single' label='The name of your bot' var='botname'><required/><desc>Shown to users</desc></field>
          <field type='text-multi' label='Description' var='description'/>
          <field type='boolean' label='Public bot?' var='public'><required/><value>0</value></field>
          <field type='text-private' label='Password' var='password'/>
          <field type='list-single' label='Security' var='security'>
            <value>20</value>
            <option label='Low'><value>20</value></option>
            <option label='High'><value>40</value></option>
            <option label='Broken'/>
          </field>
          <field type='list-multi' label='Features' var='features'>
            <option label='News'><value>news</value></option>
            <option><value>search</value></option>
            <validate xmlns='http://jabber.org/protocol/xdata-validate' datatype='xs:string'/>
          </field>
          <field type='jid-multi' label='Invitees' var='invitelist'/>
          <field type='jid-single' label='Owner' var='owner'/>
          <junk xmlns='urn:example:other'/>
        </x>
        """

    @Test("A form reads with its title, instructions and every field's type, label, desc, required flag, values and options")
    func readsForm() throws {
        let form = try DataForm(element: TestXML.element(Self.configurationForm))
        #expect(form.type == .form)
        #expect(form.title == "Bot Configuration")
        #expect(form.instructions == ["Fill out this form.", "Then submit it."])
        #expect(form.formType == "urn:example:bot")
        #expect(form.fields.map(\.variable) == [
            "FORM_TYPE", nil, "botname", "description", "public", "password", "security", "features", "invitelist", "owner",
        ])
        #expect(form.fields.map(\.type) == [
            .hidden, .fixed, .textSingle, .textMulti, .boolean, .textPrivate, .listSingle, .listMulti, .jidMulti, .jidSingle,
        ])
        let botname = try #require(form.field("botname"))
        #expect(botname.label == "The name of your bot" && botname.isRequired && botname.description == "Shown to users")
        #expect(botname.values.isEmpty)
        let security = try #require(form.field("security"))
        #expect(security.values == ["20"])
        // The option without a value is skipped.
        #expect(security.options == [DataForm.Option(label: "Low", value: "20"), DataForm.Option(label: "High", value: "40")])
        #expect(form.field("features")?.options == [DataForm.Option(label: "News", value: "news"), DataForm.Option(value: "search")])
        #expect(form.field("public")?.booleanValue == false)
        #expect(form.reportedFields == nil && form.items.isEmpty)
    }

    @Test("What is written reads back the same")
    func roundTrip() throws {
        let form = try DataForm(element: TestXML.element(Self.configurationForm))
        #expect(try DataForm(element: form.element) == form)
        let written = form.element
        #expect(written[attribute: "type"] == "form")
        #expect(written.children(named: "field", namespace: DataForm.namespace).count == 10)
        let required = written.children(named: "field", namespace: DataForm.namespace)[2]
        #expect(required.firstChild(named: "required", namespace: DataForm.namespace) != nil)
        #expect(required.firstChild(named: "desc", namespace: DataForm.namespace)?.text == "Shown to users")
    }

    @Test("An unknown field type reads as text-single; an absent one stays absent but means text-single")
    func fieldTypes() throws {
        let form = try DataForm(element: TestXML.element("""
            <x xmlns='jabber:x:data' type='submit'>
              <field var='a' type='colour-picker'><value>red</value></field>
              <field var='b'><value>x</value></field>
            </x>
            """))
        #expect(form.field("a")?.type == .textSingle)
        #expect(form.field("b")?.type == nil)
        #expect(form.field("b")?.effectiveType == .textSingle)
        #expect(form.field("b")?.allowsMultipleValues == false)
        #expect(DataForm.FieldType.allCases.filter(\.allowsMultipleValues) == [.hidden, .jidMulti, .listMulti, .textMulti])
    }

    @Test("The form type is required and must be one of four; another element is refused")
    func formTypeRequired() {
        let cases: [(String, StanzaParseError.Kind)] = [
            ("<x xmlns='jabber:x:data'/>", .missingAttribute),
            ("<x xmlns='jabber:x:data' type='error'/>", .invalidAttribute),
            ("<x xmlns='jabber:x:oob' type='form'/>", .unexpectedElement),
            ("<form xmlns='jabber:x:data' type='form'/>", .unexpectedElement),
        ]
        for (xml, kind) in cases {
            #expect(performing: { try DataForm(element: TestXML.element(xml)) }, throws: { ($0 as? StanzaParseError)?.kind == kind })
        }
        for type in DataForm.FormType.allCases {
            #expect((try? DataForm(element: TestXML.element("<x xmlns='jabber:x:data' type='\(type.rawValue)'/>")))?.type == type)
        }
    }

    @Test("A result table: reported columns and items, even with an item before the reported header")
    func resultTable() throws {
        let form = try DataForm(element: TestXML.element("""
            <x xmlns='jabber:x:data' type='result'>
              <title>Search results</title>
              <item>
                <field var='name'><value>Comune di Verona</value></field>
                <field var='url'><value>http://www.comune.verona.it/</value></field>
              </item>
              <reported>
                <field var='name' label='Name' type='text-single'/>
                <field var='url' label='URL' type='text-single'/>
              </reported>
              <item>
                <field var='name'><value>Verona</value></field>
                <field var='url'><value/></field>
              </item>
            </x>
            """))
        #expect(form.reportedFields?.map(\.variable) == ["name", "url"])
        #expect(form.reportedFields?.map(\.label) == ["Name", "URL"])
        #expect(form.items.count == 2)
        #expect(form.items.map { $0.map(\.values) } == [[["Comune di Verona"], ["http://www.comune.verona.it/"]], [["Verona"], [""]]])
        #expect(form.fields.isEmpty)
        #expect(try DataForm(element: form.element) == form)
    }

    @Test("Values are read and filled by var; a missing var gets a new field; a repeated var is kept, the first one counts")
    func fillValues() throws {
        var form = try DataForm(element: TestXML.element("""
            <x xmlns='jabber:x:data' type='form'>
              <field var='nick' type='text-single'><value>first</value></field>
              <field var='nick' type='text-single'><value>second</value></field>
            </x>
            """))
        #expect(form.fields.count == 2)
        #expect(form.value(for: "nick") == "first")
        #expect(form.values(for: "absent").isEmpty && form.value(for: "absent") == nil)
        form.setValue("romeo", for: "nick")
        #expect(form.fields.map(\.values) == [["romeo"], ["second"]])
        form.setValues(["a", "b"], for: "tags")
        #expect(form.field("tags") == DataForm.Field(variable: "tags", values: ["a", "b"]))
        form.setValue(nil, for: "nick")
        #expect(form.values(for: "nick").isEmpty)
    }

    @Test("A submission keeps each answerable field's var, type and default values, and the hidden FORM_TYPE; drops fixed fields and labels")
    func submission() throws {
        let form = try DataForm(element: TestXML.element(Self.configurationForm))
        let answer = form.submission()
        #expect(answer.type == .submit && answer.title == nil && answer.instructions.isEmpty)
        #expect(answer.formType == "urn:example:bot")
        #expect(answer.fields.count == 9)
        #expect(answer.fields.allSatisfy { $0.label == nil && $0.options.isEmpty && !$0.isRequired && $0.description == nil })
        #expect(answer.field("security") == DataForm.Field(variable: "security", type: .listSingle, values: ["20"]))
        let element = answer.element
        #expect(element[attribute: "type"] == "submit")
        #expect(element.children(named: "field", namespace: DataForm.namespace).allSatisfy { $0[attribute: "label"] == nil })
    }

    @Test("Boolean values: 1/true, 0/false and none read; anything else is not a boolean")
    func booleans() {
        let cases: [([String], Bool?)] = [([], false), (["0"], false), (["false"], false), (["1"], true), (["true"], true), (["yes"], nil)]
        for (values, expected) in cases {
            #expect(DataForm.Field(variable: "b", type: .boolean, values: values).booleanValue == expected)
        }
    }
}
