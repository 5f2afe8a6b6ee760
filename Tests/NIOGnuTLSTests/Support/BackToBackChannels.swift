import Foundation
import NIOCore
import NIOEmbedded
import NIOGnuTLS
import NIOTLS
import Testing
import XMPPTestSupport

/// The suite every NIOGnuTLS test lives in. Serialized: the leak test reads
/// the process's RSS and the open-session count, which tests running beside
/// it would disturb; the whole target still runs in a few seconds.
@Suite(.serialized)
enum NIOGnuTLSTests {}

/// Records what reaches the end of a pipeline: plaintext, user events,
/// errors, and how often reads and read-completes arrived.
final class PipelineRecorder: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    private(set) var received: [UInt8] = []
    private(set) var readCount = 0
    /// The largest storage behind a delivered buffer, which shows whether
    /// the handler had to grow one.
    private(set) var largestReadCapacity = 0
    private(set) var readCompleteCount = 0
    private(set) var events: [TLSUserEvent] = []
    private(set) var errors: [any Error] = []
    private(set) var inactiveCount = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        received += buffer.readableBytesView
        readCount += 1
        largestReadCapacity = max(largestReadCapacity, buffer.capacity)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readCompleteCount += 1
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent { events.append(event) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        errors.append(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactiveCount += 1
    }

    var gnuTLSErrors: [GnuTLSError] { errors.compactMap { $0 as? GnuTLSError } }

    var handshakeCompleted: Bool {
        events.contains { if case .handshakeCompleted = $0 { true } else { false } }
    }

    var receivedString: String { String(decoding: received, as: UTF8.self) }

    func resetReads() {
        received = []
        readCount = 0
        largestReadCapacity = 0
        readCompleteCount = 0
    }
}

/// A GnuTLS client and a GnuTLS server on two `EmbeddedChannel`s, with the
/// bytes between them moved by hand.
final class BackToBackChannels {
    let client = EmbeddedChannel()
    let server = EmbeddedChannel()
    let clientHandler: GnuTLSClientHandler
    let serverHandler: GnuTLSServerHandler
    let clientRecorder = PipelineRecorder()
    let serverRecorder = PipelineRecorder()

    /// Builds both pipelines; nothing is active until ``activate()``.
    init(
        clientContext: GnuTLSContext,
        serverContext: GnuTLSTestServerContext,
        serverName: String = "xmpp.test",
        addClientHandler: Bool = true
    ) throws {
        clientHandler = try GnuTLSClientHandler(context: clientContext, serverName: serverName)
        serverHandler = try GnuTLSServerHandler(context: serverContext)
        if addClientHandler { try client.pipeline.syncOperations.addHandler(clientHandler) }
        try client.pipeline.syncOperations.addHandler(clientRecorder)
        try server.pipeline.syncOperations.addHandler(serverHandler)
        try server.pipeline.syncOperations.addHandler(serverRecorder)
    }

    /// Makes both channels active ("connects" them), which starts both handshakes.
    func activate() throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 5223)
        try server.connect(to: address).wait()
        try client.connect(to: address).wait()
    }

    /// Moves bytes both ways until neither side has anything left to send.
    func interact() throws {
        var moved = true
        while moved {
            moved = false
            client.embeddedEventLoop.run()
            server.embeddedEventLoop.run()
            while let bytes = try client.readOutbound(as: ByteBuffer.self) {
                moved = true
                if server.isActive { try server.writeInbound(bytes) }
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                moved = true
                if client.isActive { try client.writeInbound(bytes) }
            }
        }
    }

    /// Activates both channels and runs the handshake to the end.
    func handshake() throws {
        try activate()
        try interact()
    }

    /// Closes whatever is still open and runs the loops, so that every
    /// handler is removed and every GnuTLS session freed.
    func tearDown() throws {
        if client.isActive { try client.close().wait() }
        if server.isActive { try server.close().wait() }
        try interact()
        _ = try client.finish(acceptAlreadyClosed: true)
        _ = try server.finish(acceptAlreadyClosed: true)
    }
}

/// Shared contexts; loading them once keeps the tests fast. Each is a
/// `Result` so a missing certificate fails the tests that need it, not the
/// process.
enum TestContexts {
    static let certificatesResult = Result { () throws -> TestCertificates in try TestCertificates.load() }
    static func certificates() throws -> TestCertificates { try certificatesResult.get() }

    private static let sharedClient = Result { () throws -> GnuTLSContext in try makeClient { _ in } }
    private static let sharedServer = Result { () throws -> GnuTLSTestServerContext in try makeServer(.server) }

    /// A client that trusts the test CA only.
    static func client() throws -> GnuTLSContext { try sharedClient.get() }
    /// The server with the `server` leaf, default priorities.
    static func server() throws -> GnuTLSTestServerContext { try sharedServer.get() }

    static func makeClient(_ configure: (inout GnuTLSConfiguration) throws -> Void) throws -> GnuTLSContext {
        var configuration = GnuTLSConfiguration()
        configuration.trustRoots = .pem(try certificates().caPEM)
        try configure(&configuration)
        return try GnuTLSContext(configuration: configuration)
    }

    static func makeServer(
        _ name: TestCertificates.Name,
        priority: String = "NORMAL",
        applicationProtocols: [String] = [],
        clientCertificateRequest: GnuTLSTestServerContext.ClientCertificateRequest = .none,
        sendsSessionTickets: Bool = false
    ) throws -> GnuTLSTestServerContext {
        try GnuTLSTestServerContext(
            identity: try certificates().identity(name), priority: priority,
            applicationProtocols: applicationProtocols, clientCertificateRequest: clientCertificateRequest,
            sendsSessionTickets: sendsSessionTickets)
    }
}

extension ByteBuffer {
    init(_ text: String) {
        self.init(string: text)
    }
}

/// The DER bytes of the first PEM block in `pem`.
func derOfPEM(_ pem: String) throws -> [UInt8] {
    let lines = pem.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
    guard let start = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN") }),
        let end = lines[start...].firstIndex(where: { $0.hasPrefix("-----END") }),
        let data = Data(base64Encoded: lines[(start + 1)..<end].joined())
    else { throw GnuTLSError(.invalidConfiguration, detail: "no PEM block") }
    return Array(data)
}
