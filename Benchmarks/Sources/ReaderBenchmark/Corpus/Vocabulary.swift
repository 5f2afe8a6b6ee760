/// Words, names and phrases the corpora are built from. Everything here is
/// already XML-escaped where it needs to be, so the generators can splice it
/// into markup verbatim.
enum Vocabulary {
    static let hexDigits = Array("0123456789abcdef")
    static let alphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    static let base64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    /// Local parts, some non-ASCII because real JIDs are.
    static let users = [
        "alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi", "ivan", "judy",
        "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor",
        "walter", "zoë", "françois", "björk", "渡辺", "иван", "maría.josé", "o.brien",
    ]

    static let domains = [
        "example.com", "example.net", "example.org", "jabber.example", "xmpp.example.de",
    ]

    static let clients = ["Conversations", "gajim", "Dino", "Monal", "Siskin", "profanity", "Movim"]

    /// Message bodies: accents, CJK, Cyrillic, Greek, emoji and every
    /// predefined entity plus numeric references, as a real stream carries.
    static let phrases = [
        "Hi! Are we still on for lunch tomorrow?",
        "Ça marche, on se retrouve à la gare à midi.",
        "Grüße aus München — das Wetter ist großartig.",
        "¿Dónde está la reunión? Llegaré en cinco minutos.",
        "今天下午三点开会，别忘了带笔记本电脑。",
        "東京は雨です。傘を持ってきてね。",
        "회의는 내일 오전 10시입니다.",
        "Happy birthday!! 🎉🎂🥳",
        "lol 😂😂 that is amazing 👍",
        "Tom &amp; Jerry is on at 8 &#x1F4FA;",
        "if (a &lt; b &amp;&amp; c &gt; d) { return; }",
        "She said &quot;see you soon&quot; and left.",
        "It&apos;s fine, don&apos;t worry about it.",
        "Caf&#233; at 5? &#x2615;",
        "Привет! Как дела? Давно не виделись.",
        "Οι φίλοι μας έρχονται απόψε.",
        "https://example.com/share?id=42&amp;ref=chat",
        "ok",
        "Sure, sounds good.",
        "Let me check and get back to you in a bit.",
        "The build is green again ✅ — merging now.",
        "Can you send me the slides from yesterday's talk?",
    ]

    static let statuses = [
        "Working from home 🏠", "In a meeting", "Auf Reisen ✈️", "Disponible", "忙しい",
        "Back at 3pm &amp; reachable by phone", "Listening to &quot;Blue in Green&quot;",
    ]

    static let shows = ["away", "chat", "dnd", "xa"]
    static let rosterNames = ["Alice", "Bob Smith", "Mary O&apos;Brien", "Zoë", "渡辺さん", "Dr. Eve &amp; Co", "Grace H."]
    static let groups = ["Friends", "Work", "Family", "Café crew", "同僚"]

    /// disco#info features, as a typical client advertises them.
    static let features = [
        "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info",
        "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/chatstates",
        "urn:xmpp:receipts", "urn:xmpp:chat-markers:0", "urn:xmpp:ping", "urn:xmpp:time",
        "jabber:iq:version", "urn:xmpp:jingle:1", "urn:xmpp:jingle:apps:rtp:1",
        "urn:xmpp:jingle:transports:ice-udp:1", "eu.siacs.conversations.axolotl.devicelist+notify",
        "urn:xmpp:avatar:metadata+notify", "http://jabber.org/protocol/nick+notify",
        "urn:xmpp:message-correct:0", "urn:xmpp:sid:0", "urn:xmpp:reactions:0",
    ]
}
