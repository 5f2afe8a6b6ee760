public import ServiceLifecycle

/// An ``XMPPClient`` runs in a ServiceLifecycle `ServiceGroup`: on graceful
/// shutdown (SIGTERM, for example) ``XMPPClient/run()`` closes the session
/// cleanly and returns.
///
/// ```swift
/// let group = ServiceGroup(services: [client], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
extension XMPPClient: Service {}
