// SPDX-License-Identifier: Apache-2.0
// `modelwatch version`.

import ArgumentParser
import MWDaemon

/// Prints the version.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("modelwatch \(ModelwatchVersion.current)")
    }
}
