// SPDX-License-Identifier: Apache-2.0
// SPEC section 6: bearer tokens with scopes and models, HMAC-signed bodies, replay refusal, audit.

import Logging
import MWHTTP
import MWNative
import MWSockets

/// The daemon's access policy (a ``RequestAuthorizer`` for the HTTP server):
/// - a route with a scope needs `Authorization: Bearer <token>` whose SHA-256 is configured
///   with that scope (401 without or with an unknown token, 403 outside its scope or models);
///   a token limited to models reaches only routes of those models; without a bearer token, a
///   verified client certificate whose common name is a configured principal stands for it;
/// - a principal with an HMAC secret signs each body: `X-Modelwatch-Timestamp` (unix seconds)
///   and `X-Modelwatch-Signature: sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>`
///   over the body as sent; timestamps within ±300 s; each signature accepted once.
/// Failures are counted by reason and logged as audit lines (never the token, secret or
/// signature). With no tokens configured every route is open (loopback, or `auth.disabled`).
final class Authorizer: RequestAuthorizer {
    static let skew = 300.0

    private struct State {
        var tokens: AccessTokens
        var replays: ReplayCache
    }

    private let state: Locked<State>
    let metrics = AuthMetrics()
    private let logger: Logger
    private let clock: @Sendable () -> Double

    init(tokens: AccessTokens, replayCapacity: Int = 1_000_000, logger: Logger, clock: @escaping @Sendable () -> Double) {
        state = Locked(State(tokens: tokens, replays: ReplayCache(capacity: replayCapacity)))
        self.logger = logger
        self.clock = clock
    }

    /// Replaces the tokens (SIGHUP); connections stay open, the next request sees the new set.
    func replace(_ tokens: AccessTokens) { state.withLock { $0.tokens = tokens } }

    /// Signatures remembered now.
    var replayEntries: Int { state.withLock { $0.replays.count } }

    func authorize(head request: HTTPRequest, route: Router.Route) -> AuthorizationDecision {
        guard let scopeName = route.scope, let scope = TokenSettings.Scope(rawValue: scopeName) else { return .allow(principal: nil) }
        let tokens = state.withLock { $0.tokens }
        guard tokens.enforced else { return .allow(principal: nil) }
        let model = request.pathParameters["model"]
        let token: AccessToken
        if let presented = Self.bearer(request.headers["Authorization"]) {
            guard let matched = tokens.match(presented) else { return deny(.invalidToken, request, route, principal: nil, model: model) }
            token = matched
        } else if let name = request.clientCertificateName, let named = tokens.token(of: name) {
            // A verified client certificate whose common name is a configured principal.
            token = named
        } else {
            return deny(.missingToken, request, route, principal: nil, model: model)
        }
        guard token.scopes.contains(scope) else {
            return deny(.forbiddenScope(scope.rawValue), request, route, principal: token.principal, model: model)
        }
        if let allowed = token.models {
            guard let model, allowed.contains(model) else {
                return deny(.forbiddenModel(model), request, route, principal: token.principal, model: model)
            }
        }
        metrics.allowed(principal: token.principal, scope: scope)
        return .allow(principal: token.principal)
    }

    func verify(body request: HTTPRequest, route: Router.Route, principal: String?) -> HTTPResponse? {
        guard let principal, let key = state.withLock({ $0.tokens.token(of: principal)?.hmacKey }) else { return nil }
        let model = request.pathParameters["model"]
        guard let stamp = request.headers["X-Modelwatch-Timestamp"], let signed = request.headers["X-Modelwatch-Signature"] else {
            return refuse(.missingSignature, request, route, principal: principal, model: model)
        }
        let now = clock()
        guard let seconds = Double(stamp), seconds.isFinite else {
            return refuse(.badTimestamp, request, route, principal: principal, model: model)
        }
        guard abs(now - seconds) <= Self.skew else {
            return refuse(.staleTimestamp(now - seconds), request, route, principal: principal, model: model)
        }
        guard signed.hasPrefix("sha256="), let given = Hex.decode(utf8: signed.utf8.dropFirst(7)), given.count == 32 else {
            return refuse(.badSignature, request, route, principal: principal, model: model)
        }
        var stampBytes = Array(stamp.utf8)
        stampBytes.append(UInt8(ascii: "."))
        let expected = stampBytes.withUnsafeBytes { head in
            request.body.withUnsafeBytes { body in key.authenticate([head, body]) }
        }
        guard HMAC.constantTimeEquals(expected, given) else {
            return refuse(.badSignature, request, route, principal: principal, model: model)
        }
        let outcome = state.withLock { $0.replays.insert(given, expiry: seconds + Self.skew, now: now) }
        switch outcome {
        case .fresh: return nil
        case .replayed: return refuse(.replayed, request, route, principal: principal, model: model)
        case .full: return refuse(.replayCacheFull, request, route, principal: principal, model: model)
        }
    }

    /// The token of `Authorization: Bearer <token>` (scheme case-insensitive), nil otherwise.
    static func bearer(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).drop { $0 == " " || $0 == "\t" }
        return token.isEmpty ? nil : String(token)
    }

    private func deny(_ failure: AuthFailure, _ request: HTTPRequest, _ route: Router.Route, principal: String?,
                      model: String?) -> AuthorizationDecision {
        .deny(refuse(failure, request, route, principal: principal, model: model))
    }

    private func refuse(_ failure: AuthFailure, _ request: HTTPRequest, _ route: Router.Route, principal: String?,
                        model: String?) -> HTTPResponse {
        metrics.failed(reason: failure.reason)
        logger.audit(principal: principal, client: request.remoteAddress, action: "\(request.method) \(route.name)",
                     model: model ?? "-", outcome: "refused: \(failure.reason)")
        var response = HTTPResponse.error(failure.status, code: failure.reason, message: failure.message)
        if failure.status == .unauthorized {
            response.headers.add("WWW-Authenticate", failure.isTokenProblem
                ? #"Bearer realm="modelwatch", error="invalid_token""# : #"Bearer realm="modelwatch""#)
        }
        return response
    }
}

/// Why a request was refused: its counter label, status and message.
enum AuthFailure {
    case missingToken, invalidToken, forbiddenScope(String), forbiddenModel(String?)
    case missingSignature, badTimestamp, staleTimestamp(Double), badSignature, replayed, replayCacheFull

    var reason: String {
        switch self {
        case .missingToken: "missing_token"
        case .invalidToken: "invalid_token"
        case .forbiddenScope: "forbidden_scope"
        case .forbiddenModel: "forbidden_model"
        case .missingSignature: "missing_signature"
        case .badTimestamp: "invalid_timestamp"
        case .staleTimestamp: "stale_timestamp"
        case .badSignature: "invalid_signature"
        case .replayed: "replayed_signature"
        case .replayCacheFull: "replay_cache_full"
        }
    }

    var status: HTTPStatus {
        switch self {
        case .forbiddenScope, .forbiddenModel: .forbidden
        case .replayCacheFull: .serviceUnavailable
        default: .unauthorized
        }
    }

    var isTokenProblem: Bool {
        if case .invalidToken = self { return true }
        return false
    }

    var message: String {
        switch self {
        case .missingToken: "this route needs Authorization: Bearer <token>"
        case .invalidToken: "the bearer token is not one of auth.tokens"
        case .forbiddenScope(let scope): "the token has no \(scope) scope for this route"
        case .forbiddenModel(let model?): "the token is not allowed model \(model)"
        case .forbiddenModel(nil): "the token is limited to some models; this route covers every model"
        case .missingSignature: "this principal signs its bodies: send X-Modelwatch-Timestamp and X-Modelwatch-Signature: sha256=<hex>"
        case .badTimestamp: "X-Modelwatch-Timestamp must be unix seconds"
        case .staleTimestamp(let skew): "X-Modelwatch-Timestamp is \(Int(skew.rounded())) s from the server's clock (at most \(Int(Authorizer.skew)) s)"
        case .badSignature: "X-Modelwatch-Signature does not match HMAC-SHA256(secret, timestamp + \".\" + body)"
        case .replayed: "this signature was already accepted; sign each request anew"
        case .replayCacheFull: "too many signed requests within the skew window; retry shortly"
        }
    }
}

/// `modelwatch_auth_failures_total{reason}` and `modelwatch_auth_requests_total{principal,scope}`.
final class AuthMetrics: Sendable {
    private struct Key: Hashable {
        let principal: String
        let scope: TokenSettings.Scope
    }

    private let counts = Locked<(failures: [String: UInt64], allowed: [Key: UInt64])>(([:], [:]))

    func failed(reason: String) { counts.withLock { $0.failures[reason, default: 0] += 1 } }
    func allowed(principal: String, scope: TokenSettings.Scope) {
        counts.withLock { $0.allowed[Key(principal: principal, scope: scope), default: 0] += 1 }
    }

    var snapshot: (failures: [(reason: String, count: UInt64)], allowed: [(principal: String, scope: String, count: UInt64)]) {
        let (failures, allowed) = counts.withLock { ($0.failures, $0.allowed) }
        let f = failures.sorted { $0.key < $1.key }.map { (reason: $0.key, count: $0.value) }
        let a = allowed.map { (principal: $0.key.principal, scope: $0.key.scope.rawValue, count: $0.value) }
            .sorted { ($0.principal, $0.scope) < ($1.principal, $1.scope) }
        return (f, a)
    }
}
