// SPDX-License-Identifier: Apache-2.0
// The tokens of `auth.tokens`, as the authorizer checks them: hashes, scopes, models, HMAC secrets.

import Foundation
import MWNative

/// One principal's access: the SHA-256 of its token (the token itself is never kept), its
/// scopes, the models it is limited to, and the HMAC secret its bodies must be signed with.
struct AccessToken: Sendable {
    let principal: String
    /// nil: no bearer token; only a client certificate naming `principal` authenticates it.
    let hash: [UInt8]?
    let scopes: Set<TokenSettings.Scope>
    let models: Set<String>?
    /// From `hmac_secret_file` (trailing newline dropped), prepared once; nil: bodies need no signature.
    let hmacKey: HMACSHA256Key?
}

/// Why `auth.tokens` cannot be used; each names the file or principal and what to change.
public enum AccessTokenError: Error, CustomStringConvertible, Equatable {
    case unreadableSecret(principal: String, file: String, reason: String)
    case exposedSecret(principal: String, file: String, mode: String)
    case emptySecret(principal: String, file: String)
    case duplicateToken(principal: String, other: String)

    public var description: String {
        switch self {
        case let .unreadableSecret(principal, file, reason):
            return "auth.tokens[\(principal)].hmac_secret_file \(file) cannot be read: \(reason)"
        case let .exposedSecret(principal, file, mode):
            return "auth.tokens[\(principal)].hmac_secret_file \(file) is readable by other users (mode \(mode)); run chmod 600 \(file)"
        case let .emptySecret(principal, file):
            return "auth.tokens[\(principal)].hmac_secret_file \(file) is empty; put at least 16 random bytes in it"
        case let .duplicateToken(principal, other):
            return "auth.tokens: \(principal) and \(other) have the same sha256; give each principal its own token"
        }
    }
}

/// Every configured token. Built from the config at start and on SIGHUP (a bad new set is
/// refused, the old one kept).
struct AccessTokens: Sendable {
    let tokens: [AccessToken]

    /// True when tokens are configured, so every scoped route needs one.
    var enforced: Bool { !tokens.isEmpty }

    static let none = AccessTokens(tokens: [])

    /// Reads the secret files and checks them: readable, not readable by group or others, not empty.
    static func load(_ settings: [TokenSettings]) throws(AccessTokenError) -> AccessTokens {
        var tokens: [AccessToken] = []
        for s in settings {
            let hash = s.sha256.flatMap { Hex.decode($0) }
            if let hash, let other = tokens.first(where: { $0.hash == hash }) { throw .duplicateToken(principal: s.principal, other: other.principal) }
            var secret: [UInt8]?
            if let file = s.hmacSecretFile {
                secret = try readSecret(file, principal: s.principal)
            }
            tokens.append(AccessToken(principal: s.principal, hash: hash, scopes: Set(s.scopes), models: s.models.map(Set.init),
                                      hmacKey: secret.map { HMACSHA256Key(key: $0) }))
        }
        return AccessTokens(tokens: tokens)
    }

    private static func readSecret(_ file: String, principal: String) throws(AccessTokenError) -> [UInt8] {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: file) } catch {
            throw .unreadableSecret(principal: principal, file: file, reason: "no such file or no access")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        guard mode & 0o077 == 0 else { throw .exposedSecret(principal: principal, file: file, mode: String(mode, radix: 8)) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .unreadableSecret(principal: principal, file: file, reason: "permission denied")
        }
        var bytes = [UInt8](data)
        while let last = bytes.last, last == 0x0a || last == 0x0d { bytes.removeLast() }
        guard !bytes.isEmpty else { throw .emptySecret(principal: principal, file: file) }
        return bytes
    }

    /// The token whose SHA-256 equals that of `presented`. Every configured hash is compared, in
    /// constant time, so the time taken says nothing about which (if any) matched.
    func match(_ presented: String) -> AccessToken? {
        let digest = SHA256.hash(Array(presented.utf8))
        var found: AccessToken?
        for token in tokens {
            guard let hash = token.hash else { continue }
            if HMAC.constantTimeEquals(hash, digest) && found == nil { found = token }
        }
        return found
    }

    /// The first entry of `principal`: the one a client certificate with that common name gets.
    func token(of principal: String) -> AccessToken? { tokens.first { $0.principal == principal } }
}
