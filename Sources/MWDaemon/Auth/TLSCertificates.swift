// SPDX-License-Identifier: Apache-2.0
// `tls:` of the config turned into an OpenSSL context, with the daemon's own file rules.

import Foundation
import MWNative

/// Loads the certificate chain, key and client CAs of `tls:` (SPEC section 6). Beyond what
/// OpenSSL checks (PEM, key matches certificate), the key file must not be readable by other
/// users. Called at start (a failure refuses to start) and on SIGHUP (a failure keeps the
/// running context and is logged).
enum TLSCertificates {
    static func load(_ settings: TLSSettings) throws(TLSConfigurationError) -> TLSContext {
        if let attributes = try? FileManager.default.attributesOfItem(atPath: settings.keyFile),
           let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o007 != 0 {
            throw .unreadable(setting: "key_file", file: settings.keyFile,
                              reason: "it is readable by every user (mode \(String(mode, radix: 8))); run chmod 600 \(settings.keyFile)")
        }
        return try TLSContext(certificateChainFile: settings.certFile, privateKeyFile: settings.keyFile,
                              clientCAFile: settings.clientCAFile)
    }
}
