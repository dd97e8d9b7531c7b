// SPDX-License-Identifier: Apache-2.0
// Building TLS contexts from files made by the openssl command: what loads, and what is refused.

import Foundation
import Testing
@testable import MWNative

@Suite struct TLSContextTests {
    /// A temporary directory with a CA, a certificate for localhost it signed, and a second key.
    final class Files {
        let directory: String

        init() throws {
            directory = NSTemporaryDirectory() + "mw-tls-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
            try Self.openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "3", "-subj", "/CN=unit CA"], in: directory)
            try Self.openssl(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost/O=unit"], in: directory)
            try Self.openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                              "-out", "server.crt", "-days", "3"], in: directory)
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        func path(_ name: String) -> String { directory + "/" + name }

        static func openssl(_ arguments: [String], in directory: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " "))")
        }
    }

    @Test func loadsTheChainAndReadsTheCertificate() throws {
        let files = try Files()
        let context = try TLSContext(certificateChainFile: files.path("server.crt"), privateKeyFile: files.path("server.key"))
        #expect(context.certificateSubject == "O=unit,CN=localhost")
        let notAfter = try #require(context.certificateNotAfter)
        let expected = Date().timeIntervalSince1970 + 3 * 86400
        #expect(abs(notAfter - expected) < 120)
        #expect(!context.requiresClientCertificates)
        let mutual = try TLSContext(certificateChainFile: files.path("server.crt"), privateKeyFile: files.path("server.key"),
                                    clientCAFile: files.path("ca.crt"))
        #expect(mutual.requiresClientCertificates)
    }

    @Test func refusesAKeyThatIsNotTheCertificates() throws {
        let files = try Files()
        #expect(throws: TLSConfigurationError.keyMismatch(certificateFile: files.path("server.crt"), keyFile: files.path("ca.key"))) {
            try TLSContext(certificateChainFile: files.path("server.crt"), privateKeyFile: files.path("ca.key"))
        }
    }

    @Test func namesAMissingOrUnusableFile() throws {
        let files = try Files()
        do {
            _ = try TLSContext(certificateChainFile: files.path("nope.crt"), privateKeyFile: files.path("server.key"))
            Issue.record("a missing certificate file was accepted")
        } catch {
            guard case let .unreadable(setting, file, _) = error else { Issue.record("\(error)"); return }
            #expect(setting == "cert_file" && file == files.path("nope.crt"))
        }
        try "not PEM\n".write(toFile: files.path("junk.pem"), atomically: true, encoding: .utf8)
        for (cert, key, setting) in [("junk.pem", "server.key", "cert_file"), ("server.crt", "junk.pem", "key_file")] {
            do {
                _ = try TLSContext(certificateChainFile: files.path(cert), privateKeyFile: files.path(key))
                Issue.record("\(cert)/\(key) was accepted")
            } catch {
                guard case let .invalid(named, file, _) = error else { Issue.record("\(error)"); continue }
                #expect(named == setting && file == files.path("junk.pem"))
                #expect(error.description.contains("junk.pem"))
            }
        }
        do {
            _ = try TLSContext(certificateChainFile: files.path("server.crt"), privateKeyFile: files.path("server.key"),
                               clientCAFile: files.path("junk.pem"))
            Issue.record("a junk client CA file was accepted")
        } catch {
            guard case let .invalid(setting, _, _) = error else { Issue.record("\(error)"); return }
            #expect(setting == "client_ca_file")
        }
    }
}
