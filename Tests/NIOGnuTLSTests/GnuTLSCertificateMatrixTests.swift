import NIOCore
import NIOGnuTLS
import NIOPosix
import NIOTLS
import Testing
import XMPPTestSupport

extension NIOGnuTLSTests {
    @Suite("Certificate verification over loopback TCP")
    struct CertificateMatrixTests {
        struct Case: Sendable, CustomTestStringConvertible {
            let identity: TestCertificates.Name
            let verificationName: String
            /// `nil`: the handshake must succeed.
            let problems: GnuTLSError.CertificateProblems?

            var testDescription: String {
                "\(identity.rawValue) for \(verificationName): " + (problems.map { "refused as \($0)" } ?? "accepted")
            }
        }

        static let matrix: [Case] = [
            Case(identity: .server, verificationName: "xmpp.test", problems: nil),
            Case(identity: .server, verificationName: "conference.xmpp.test", problems: nil),
            Case(identity: .wrongName, verificationName: "xmpp.test", problems: .wrongName),
            Case(identity: .untrusted, verificationName: "xmpp.test", problems: .untrusted),
            Case(identity: .expired, verificationName: "xmpp.test", problems: .expired),
            Case(identity: .selfSigned, verificationName: "xmpp.test", problems: [.untrusted, .selfSigned]),
            Case(identity: .clientAuthOnly, verificationName: "xmpp.test", problems: .wrongPurpose),
            Case(identity: .wildcard, verificationName: "example.com", problems: .wrongName),
            Case(identity: .wildcard, verificationName: "a.b.example.com", problems: .wrongName),
            Case(identity: .wildcard, verificationName: "a.example.com", problems: nil),
        ]

        @Test("each test certificate is accepted or refused for the right reason", arguments: matrix)
        func certificateMatrix(_ testCase: Case) async throws {
            let outcome = try await LoopbackProbe.connect(
                client: try TestContexts.client(), server: try TestContexts.makeServer(testCase.identity),
                name: testCase.verificationName)
            try outcome.expect(testCase.problems)
        }

        @Test("the system trust store does not trust the test CA")
        func systemTrustRefusesTestCA() async throws {
            let client = try GnuTLSContext(configuration: GnuTLSConfiguration())
            let outcome = try await LoopbackProbe.connect(client: client, server: try TestContexts.server(), name: "xmpp.test")
            try outcome.expect(.untrusted)
        }

        @Test("a matching SPKI pin (computed by openssl) passes after full verification")
        func matchingPin() async throws {
            let certificates = try TestContexts.certificates()
            let pin = try PublicKeyPin(sha256: try certificates.publicKeySHA256(of: certificates.identity(.server)))
            let client = try TestContexts.makeClient { $0.publicKeyPins = [pin] }
            let outcome = try await LoopbackProbe.connect(client: client, server: try TestContexts.server(), name: "xmpp.test")
            try outcome.expect(nil)
        }

        @Test("with autoRead off, the handler reads for the handshake itself and plaintext comes on demand")
        func autoReadOff() async throws {
            let outcome = try await LoopbackProbe.connect(
                client: try TestContexts.client(), server: try TestContexts.server(), name: "xmpp.test", autoRead: false)
            try outcome.expect(nil)
        }

        @Test("a mismatching pin fails even though the chain is good")
        func mismatchingPin() async throws {
            let client = try TestContexts.makeClient { $0.publicKeyPins = [try PublicKeyPin(sha256: [UInt8](repeating: 7, count: 32))] }
            let outcome = try await LoopbackProbe.connect(client: client, server: try TestContexts.server(), name: "xmpp.test")
            try outcome.expect(.pinMismatch)
        }

        @Test("with a pin, full verification still checks the name and the chain first")
        func pinDoesNotReplaceVerification() async throws {
            let certificates = try TestContexts.certificates()
            let serverPin = try PublicKeyPin(sha256: try certificates.publicKeySHA256(of: certificates.identity(.server)))
            let untrustedPin = try PublicKeyPin(sha256: try certificates.publicKeySHA256(of: certificates.identity(.untrusted)))
            let client = try TestContexts.makeClient { $0.publicKeyPins = [serverPin, untrustedPin] }
            let wrongName = try await LoopbackProbe.connect(client: client, server: try TestContexts.server(), name: "other.test")
            try wrongName.expect(.wrongName)
            let untrusted = try await LoopbackProbe.connect(
                client: client, server: try TestContexts.makeServer(.untrusted), name: "xmpp.test")
            try untrusted.expect(.untrusted)
        }

        @Test("pinned-only accepts a self-signed certificate with the pinned key, and nothing else")
        func pinnedOnly() async throws {
            let certificates = try TestContexts.certificates()
            let selfSigned = try TestContexts.makeServer(.selfSigned)
            let pin = try PublicKeyPin(sha256: try certificates.publicKeySHA256(of: certificates.identity(.selfSigned)))
            let pinned = try TestContexts.makeClient {
                $0.certificateVerification = .pinnedOnly
                $0.publicKeyPins = [pin]
            }
            try await LoopbackProbe.connect(client: pinned, server: selfSigned, name: "xmpp.test").expect(nil)
            try await LoopbackProbe.connect(client: pinned, server: try TestContexts.server(), name: "xmpp.test").expect(.pinMismatch)
        }
    }
}

/// Connects a ``GnuTLSClientHandler`` over real TCP to a
/// ``GnuTLSLoopbackServer`` and reports how the handshake ended; on success
/// it also proves data flows by an echo.
final class LoopbackProbe: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Outcome: Sendable {
        let info: GnuTLSConnectionInfo?
        let error: (any Error)?

        func expect(_ problems: GnuTLSError.CertificateProblems?, sourceLocation: SourceLocation = #_sourceLocation) throws {
            guard let problems else {
                #expect(error == nil, "unexpected \(String(describing: error))", sourceLocation: sourceLocation)
                #expect(info != nil, sourceLocation: sourceLocation)
                return
            }
            let failure = try #require(error as? GnuTLSError, "expected a refusal", sourceLocation: sourceLocation)
            #expect(failure.kind == .certificateVerificationFailed, "\(failure)", sourceLocation: sourceLocation)
            #expect(failure.certificateProblems == problems, "\(failure)", sourceLocation: sourceLocation)
        }
    }

    private static let ping = "<ping/>"
    private let promise: EventLoopPromise<GnuTLSConnectionInfo>
    private let autoRead: Bool
    private var echoed = ""

    init(promise: EventLoopPromise<GnuTLSConnectionInfo>, autoRead: Bool) {
        self.promise = promise
        self.autoRead = autoRead
    }

    /// Connects and waits (at most ten seconds) for the handshake and the echo.
    /// - Parameter autoRead: Off, the probe itself asks for exactly one read,
    ///   after the handshake: any read the handshake needed was the TLS
    ///   handler's to issue.
    static func connect(
        client: GnuTLSContext, server serverContext: GnuTLSTestServerContext, name: String, autoRead: Bool = true
    ) async throws -> Outcome {
        let group = MultiThreadedEventLoopGroup.singleton
        let server = try await GnuTLSLoopbackServer.start(context: serverContext, group: group)
        let promise = group.next().makePromise(of: GnuTLSConnectionInfo.self)
        let deadline = promise.futureResult.eventLoop.scheduleTask(in: .seconds(10)) {
            promise.fail(ChannelError.connectTimeout(.seconds(10)))
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        do {
            let channel = try await ClientBootstrap(group: promise.futureResult.eventLoop)
                .channelOption(.autoRead, value: autoRead)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(GnuTLSClientHandler(context: client, serverName: name))
                        try channel.pipeline.syncOperations.addHandler(LoopbackProbe(promise: promise, autoRead: autoRead))
                    }
                }
                .connect(host: "127.0.0.1", port: server.port)
                .get()
            let outcome: Outcome
            do {
                outcome = Outcome(info: try await promise.futureResult.get(), error: nil)
            } catch {
                outcome = Outcome(info: nil, error: error)
            }
            try? await channel.close()
            try await server.close()
            return outcome
        } catch {
            promise.fail(error)
            try await server.close()
            throw error
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted? = event as? TLSUserEvent {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: Self.ping)), promise: nil)
            if !autoRead { context.read() }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        echoed += String(buffer: unwrapInboundIn(data))
        guard echoed == Self.ping else { return }
        do {
            if let info = try context.pipeline.syncOperations.gnuTLSConnectionInfo() {
                promise.succeed(info)
            } else {
                promise.fail(ChannelError.inappropriateOperationForState)
            }
        } catch {
            promise.fail(error)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
        context.fireChannelInactive()
    }
}
