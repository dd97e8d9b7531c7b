// SPDX-License-Identifier: Apache-2.0
// `modelwatch hash-token TOKEN`: the SHA-256 hex to put in auth.tokens[].sha256.

import ArgumentParser
import MWNative

/// Prints the SHA-256 of a token, computed by OpenSSL.
struct HashToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-token", abstract: "Print the SHA-256 hex of TOKEN for auth.tokens[].sha256 in the config.")

    @Argument(help: "The bearer token clients will send.")
    var token: String

    func validate() throws {
        guard token.utf8.count >= 16 else { throw ValidationError("use a token of at least 16 characters (e.g. `openssl rand -hex 32`)") }
    }

    func run() {
        print(SHA256.hexDigest(token))
    }
}
