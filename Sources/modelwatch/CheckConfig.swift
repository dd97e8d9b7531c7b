// SPDX-License-Identifier: Apache-2.0
// `modelwatch check-config`: validate a config file and print the effective configuration.

import ArgumentParser
import Foundation
import MWDaemon

/// Validates a config file; prints the effective configuration, or the error and exit status 1.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a config file and print the effective configuration.")

    @Option(name: .long, help: "The YAML config file to check.")
    var config: String

    func run() throws {
        do {
            let effective = try EffectiveConfiguration.resolve(file: config, listen: nil, dataDir: nil, logLevel: nil)
            print(effective.renderYAML(), terminator: "")
        } catch {
            FileHandle.standardError.write(Data("modelwatch: \(config): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
