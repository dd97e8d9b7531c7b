// SPDX-License-Identifier: Apache-2.0
// The command line: serve (default), check-config, demo, hash-token, version.

import ArgumentParser

/// `modelwatch`: watches ML models in production and exports their health to Prometheus.
@main
struct Modelwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modelwatch",
        abstract: "Watches machine-learning models in production and serves their performance, drift and data quality on /metrics.",
        subcommands: [Serve.self, CheckConfig.self, Demo.self, HashToken.self, Version.self],
        defaultSubcommand: Serve.self)
}
