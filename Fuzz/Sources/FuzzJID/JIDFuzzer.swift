// Fuzz target `jid`: JID parsing and normalisation (RFC 7622, PRECIS, IDNA).
//
// Input: the address, as bytes; input that is not UTF-8 is decoded with
// replacement characters, which the parser must then judge like any other.
//
// Checks: no crash or leak; parsing is idempotent (a valid JID's description
// parses to an equal JID with the same description, and equal JIDs hash
// alike); JID, BareJID and FullJID agree on what is valid; building from the
// parts gives the same JID; the A-label form of the domain parses back to the
// same domain; normalised parts are non-empty and at most 1023 bytes.
import FuzzSupport
import XMPPCore

private func checkPart(_ part: String?, _ name: String) {
    guard let part else { return }
    fuzzCheck(!part.isEmpty && part.utf8.count <= 1023, "\(name) of \(part.utf8.count) bytes")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJID(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    let string = String(decoding: bytes, as: UTF8.self)
    let jid = try? JID(string)
    let bare = try? BareJID(string)
    let full = try? FullJID(string)

    guard let jid else {
        fuzzCheck(bare == nil && full == nil, "only JID refused \(string.debugDescription)")
        return 0
    }
    checkPart(jid.localpart, "localpart")
    checkPart(jid.domainpart, "domainpart")
    checkPart(jid.resourcepart, "resourcepart")

    // Idempotent: the normalised form is a fixed point.
    let text = jid.description
    guard let again = try? JID(text) else {
        fuzzCheck(false, "\(string.debugDescription) gave \(text.debugDescription), which does not parse")
        return 0
    }
    fuzzCheck(again == jid, "\(text.debugDescription) re-parsed to \(again.description.debugDescription)")
    fuzzCheck(again.description == text, "description changed: \(text.debugDescription) → \(again.description.debugDescription)")
    fuzzCheck(again.hashValue == jid.hashValue, "equal JIDs hash differently: \(text.debugDescription)")

    // The three types agree.
    if jid.isBare {
        fuzzCheck(bare == jid.bare && full == nil && jid.full == nil, "bare/full disagree on \(string.debugDescription)")
    } else {
        fuzzCheck(bare == nil && full != nil && full == jid.full, "bare/full disagree on \(string.debugDescription)")
        fuzzCheck(full.map { JID($0) } == jid, "FullJID differs from JID for \(string.debugDescription)")
    }

    // The parts rebuild the same address.
    let rebuilt = try? JID(localpart: jid.localpart, domainpart: jid.domainpart, resourcepart: jid.resourcepart)
    fuzzCheck(rebuilt == jid, "parts of \(text.debugDescription) rebuild \(String(describing: rebuilt))")

    // The A-label form names the same domain.
    let ascii = jid.asciiDomain
    fuzzCheck(ascii.utf8.allSatisfy { $0 < 0x80 }, "A-label form \(ascii.debugDescription) is not ASCII")
    let fromASCII = try? BareJID(localpart: nil, domainpart: ascii)
    fuzzCheck(fromASCII?.domainpart == jid.domainpart,
              "\(ascii.debugDescription) gives \(String(describing: fromASCII?.domainpart.debugDescription)), not \(jid.domainpart.debugDescription)")
    return 0
}
