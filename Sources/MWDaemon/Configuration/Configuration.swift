// SPDX-License-Identifier: Apache-2.0
// The daemon's effective configuration (SPEC section 5b) with its defaults.

public import Logging
public import MWSockets
public import MWStats

/// How often the event log is flushed to disk.
public enum FsyncPolicy: String, Sendable, CaseIterable {
    case always, interval, never
}

/// Every limit of SPEC section 3, each configurable under `limits:`.
public struct Limits: Sendable, Equatable {
    public var maxBodyBytes = 16 * 1024 * 1024
    public var maxHeaderBytes = 16 * 1024
    public var maxEventsPerRequest = 100_000
    public var maxFeaturesPerEvent = 1_000
    public var maxStringBytes = 1_024
    public var maxJSONDepth = 32
    public var maxModels = 1_000
    public var maxClasses = 100
    public var maxCategories = 1_000
    public var idleTimeout: Double = 60
    public var requestTimeout: Double = 10
    public var maxConnections = 1_024
    /// Versions tracked per model (each has its own windows); beyond, events are refused.
    public var maxVersions = 100
    /// Bytes all references together may spend on exact drift statistics (kept values, a cut
    /// point per unique value; see ``ExactDriftBudget``); ours, not in SPEC section 3.
    public var maxExactDriftBytes = 1 << 30
    public init() {}
}

/// TLS files (served once TLS lands; validated now).
public struct TLSSettings: Sendable, Equatable {
    public var certFile: String
    public var keyFile: String
    public var clientCAFile: String?
}

/// An API token: principal, SHA-256 of the token, scopes, optional model list and HMAC secret.
public struct TokenSettings: Sendable, Equatable {
    public enum Scope: String, Sendable, CaseIterable { case ingest, read, admin }
    public var principal: String
    /// nil: the principal authenticates only with a client certificate whose common name is `principal`.
    public var sha256: String?
    public var scopes: [Scope]
    public var models: [String]?
    public var hmacSecretFile: String?
}

/// The `auth:` section.
public struct AuthSettings: Sendable, Equatable {
    public var tokens: [TokenSettings] = []
    /// Explicitly allow a non-loopback listener without tokens.
    public var disabled = false
}

/// The daemon's configuration: defaults, overridden by the YAML file, overridden by flags.
public struct Configuration: Sendable {
    public var listen: SocketAddress
    public var dataDir = "./data"
    public var windows: [WindowSpec] = [WindowSpec(name: "5m", seconds: 300), WindowSpec(name: "1h", seconds: 3600),
                                        WindowSpec(name: "24h", seconds: 86400)]
    public var minSamples = 30
    public var fsync: FsyncPolicy = .interval
    public var fsyncInterval: Double = 1
    /// How often all state is snapshotted (after which older log segments are deleted).
    public var snapshotInterval: Double = 300
    public var allowUnknownModels = true
    public var logLevel: Logger.Level = .info
    public var tls: TLSSettings?
    public var auth: AuthSettings?
    public var limits = Limits()
    /// Models declared in the file, by name.
    public var models: [String: ModelSettings] = [:]

    /// The built-in defaults (listen on `127.0.0.1:9464`).
    public init() {
        // A constant literal: parsing cannot fail.
        listen = try! SocketAddress(parsing: "127.0.0.1:9464")
    }

    /// Checks rules that span keys; call after all overrides are applied.
    public func validate() throws(ConfigurationError) {
        if !listen.isLoopback && (auth?.tokens.isEmpty ?? true) && !(auth?.disabled ?? false) {
            throw ConfigurationError(key: "auth", line: nil,
                                     message: "listening on \(listen) (not loopback) requires auth tokens; add auth.tokens or set auth.disabled: true explicitly")
        }
        if let certificateOnly = auth?.tokens.first(where: { $0.sha256 == nil }), tls?.clientCAFile == nil {
            throw ConfigurationError(key: "auth.tokens", line: nil,
                                     message: "token \(certificateOnly.principal) has no sha256, so it could only authenticate with a client certificate; add sha256 or set tls.client_ca_file")
        }
        if models.count > limits.maxModels {
            throw ConfigurationError(key: "models", line: nil, message: "\(models.count) models exceed limits.max_models (\(limits.maxModels))")
        }
    }
}
