// SPDX-License-Identifier: Apache-2.0
// `modelwatch serve`: run the daemon until SIGTERM/SIGINT.

import ArgumentParser
import Foundation
import Logging
import MWDaemon

/// Runs the daemon in the foreground.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon (the default command).")

    @Option(name: .long, help: "YAML config file (see config/modelwatch.yaml).")
    var config: String?

    @Option(name: .long, help: "Address to listen on, HOST:PORT (default 127.0.0.1:9464).")
    var listen: String?

    @Option(name: .customLong("data-dir"), help: "Directory for the event log and snapshots (default ./data).")
    var dataDir: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    func run() throws {
        let configuration: Configuration
        do {
            configuration = try EffectiveConfiguration.resolve(file: config, listen: listen, dataDir: dataDir, logLevel: logLevel)
        } catch {
            FileHandle.standardError.write(Data("modelwatch: \(error)\n".utf8))
            throw ExitCode(2)
        }
        LoggingSetup.bootstrap(level: configuration.logLevel)
        MallocArenas.cap()
        let logger = Logger(label: "modelwatch")
        let daemon = Daemon(configuration: configuration, logger: logger)
        do {
            try daemon.start()
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        let configFile = config
        let signal = Signals.wait {
            // SIGHUP: re-read, validate, apply what can change live; state is kept.
            guard let configFile else {
                logger.notice("SIGHUP: no config file to reload")
                return
            }
            do {
                let fresh = try EffectiveConfiguration.resolve(file: configFile, listen: listen, dataDir: dataDir, logLevel: logLevel)
                let notes = daemon.reload(fresh)
                for note in notes { logger.warning("SIGHUP: \(note)") }
                logger.notice("SIGHUP: config reloaded", metadata: ["file": "\(configFile)", "models": "\(fresh.models.count)"])
            } catch {
                logger.error("SIGHUP: config reload rejected; keeping the running config", metadata: ["error": "\(error)"])
            }
        }
        logger.info("received signal, stopping", metadata: ["signal": "\(signal)"])
        // 2.5 s for in-flight requests leaves room for the final snapshot within the 5 s of SPEC section 2.
        daemon.stop(gracePeriod: 2.5)
    }
}

/// Builds the effective configuration: defaults, then the file, then flags.
enum EffectiveConfiguration {
    static func resolve(file: String?, listen: String?, dataDir: String?, logLevel: String?) throws -> Configuration {
        var configuration = try file.map { path throws(ConfigurationError) in try ConfigurationLoader.load(path: path) } ?? Configuration()
        try ConfigurationLoader.applyOverrides(to: &configuration, listen: listen, dataDir: dataDir, logLevel: logLevel)
        try configuration.validate()
        return configuration
    }
}

/// swift-log to standard error at the configured level.
enum LoggingSetup {
    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
