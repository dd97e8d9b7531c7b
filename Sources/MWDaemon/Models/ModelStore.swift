// SPDX-License-Identifier: Apache-2.0
// The models of the daemon, each behind its own lock.

import MWSockets
import MWStats
import Synchronization

/// One model's state behind its lock. Ingestion and scrapes of different models never contend.
final class ModelBox: Sendable {
    let name: String
    let state: Locked<ModelState>
    /// The settings as given (config file or PUT), for the status JSON.
    let settings: Locked<ModelSettings>
    /// The feature names of the last decoded prediction body, to start the next body from:
    /// events sent one per request then share one name list (see ``FeatureNameCache``).
    let recentNames = Locked<KnownNames?>(nil)
    /// The number of the last log record applied to this model (written under its lock), so
    /// that a restore from a snapshot knows which of its records the snapshot already holds.
    let logged = Atomic<UInt64>(0)

    init(name: String, settings: ModelSettings, options: ModelOptions, key: FingerprintKey) {
        self.name = name
        self.state = Locked(ModelState(name: name, options: options, key: key))
        self.settings = Locked(settings)
    }

    /// A model restored from a snapshot.
    init(name: String, settings: ModelSettings, state: ModelState, logged: UInt64) {
        self.name = name
        self.state = Locked(state)
        self.settings = Locked(settings)
        self.logged.store(logged, ordering: .relaxed)
    }
}

/// What went wrong with a model-level request; each maps to a status and an API error code.
enum ModelStoreError: Error, Equatable {
    case invalidName(String)
    case unknownModel(String)
    case tooManyModels(limit: Int)
    case conflict(field: String, message: String)
}

/// The daemon's models by name. The table has its own lock, held only to find, add or remove a
/// model; the statistics are behind each model's lock.
final class ModelStore: Sendable {
    private let models = Locked<[String: ModelBox]>([:])
    private let current: Locked<Configuration>
    let key: FingerprintKey
    /// Shared by every model's references (`limits.max_exact_drift_bytes`, fixed at start).
    let exactDriftBudget: ExactDriftBudget

    /// The configuration in force (replaced by ``reload(_:)``).
    var configuration: Configuration { current.withLock { $0 } }

    init(configuration: Configuration, key: FingerprintKey = .random()) {
        self.current = Locked(configuration)
        self.key = key
        self.exactDriftBudget = ExactDriftBudget(bytes: configuration.limits.maxExactDriftBytes)
        reset()
    }

    /// Back to the models the configuration declares, empty (a snapshot that failed halfway).
    func reset() {
        let configuration = self.configuration
        models.withLock { table in
            table = [:]
            for (name, settings) in configuration.models {
                table[name] = ModelBox(name: name, settings: settings, options: settings.options(under: configuration, exactDriftBudget: exactDriftBudget), key: key)
            }
        }
    }

    /// Installs a model from a snapshot, under the settings the configuration declares for it
    /// (those win at start) or else the ones the snapshot kept.
    func restore(_ model: SnapshotFile.Model) throws(SnapshotError) {
        let configuration = self.configuration
        let settings: ModelSettings
        if let declared = configuration.models[model.name] {
            settings = declared
        } else {
            do { settings = try ConfigurationLoader.decodeModelSettings(model.settingsYAML) } catch {
                throw .invalid("the settings kept for \(model.name) do not load: \(error)")
            }
        }
        let options = settings.options(under: configuration, exactDriftBudget: exactDriftBudget)
        var reader = SnapshotReader(model.state, layout: model.layout)
        let state = try ModelState(name: model.name, options: options, from: &reader)
        guard reader.isAtEnd else { throw .invalid("\(model.name) has bytes left over") }
        models.withLock { $0[model.name] = ModelBox(name: model.name, settings: settings, state: state, logged: model.lastSequence) }
    }

    /// The model called `name`; created with default settings when `allow_unknown_models` is on.
    func model(_ name: String, create: Bool) throws(ModelStoreError) -> ModelBox {
        guard Names.isValidModelName(name) else { throw .invalidName(name) }
        let configuration = self.configuration
        let key = self.key
        let result: Result<ModelBox, ModelStoreError> = models.withLock { table in
            if let box = table[name] { return .success(box) }
            guard create && configuration.allowUnknownModels else { return .failure(.unknownModel(name)) }
            guard table.count < configuration.limits.maxModels else { return .failure(.tooManyModels(limit: configuration.limits.maxModels)) }
            let settings = ModelSettings()
            let box = ModelBox(name: name, settings: settings, options: settings.options(under: configuration, exactDriftBudget: exactDriftBudget), key: key)
            table[name] = box
            return .success(box)
        }
        return try result.get()
    }

    /// Creates or updates a model's settings. Returns true when the model was created.
    /// - Parameter whileLocked: runs after a successful change, under the lock that made it (to log it in order).
    func put(_ name: String, settings: ModelSettings, whileLocked: (ModelBox) -> Void = { _ in }) throws(ModelStoreError) -> Bool {
        guard Names.isValidModelName(name) else { throw .invalidName(name) }
        let configuration = self.configuration
        let key = self.key
        let options = settings.options(under: configuration, exactDriftBudget: exactDriftBudget)
        let result: Result<Bool, ModelStoreError> = models.withLock { table in
            if let box = table[name] {
                let updated: Result<Void, EventRejection> = box.state.withLock { state in
                    let result = Result { () throws(EventRejection) in try state.update(options: options) }
                    if case .success = result { whileLocked(box) }
                    return result
                }
                if case .failure(let e) = updated { return .failure(.conflict(field: e.field, message: e.message)) }
                box.settings.withLock { $0 = settings }
                return .success(false)
            }
            guard table.count < configuration.limits.maxModels else { return .failure(.tooManyModels(limit: configuration.limits.maxModels)) }
            let box = ModelBox(name: name, settings: settings, options: options, key: key)
            table[name] = box
            box.state.withLock { _ in whileLocked(box) }
            return .success(true)
        }
        return try result.get()
    }

    /// Applies a re-read configuration (SIGHUP): daemon-wide model defaults and limits, and the
    /// settings of every model the file declares (created when new). State is kept. Returns
    /// one line per model that could not be updated.
    func reload(_ configuration: Configuration) -> [String] {
        current.withLock { $0 = configuration }
        var problems: [String] = []
        for (name, settings) in configuration.models.sorted(by: { $0.key < $1.key }) {
            do {
                _ = try put(name, settings: settings)
            } catch {
                problems.append("models.\(name): \(error.response.bodyText)")
            }
        }
        // Models that keep their defaults follow the new daemon-wide defaults (min_samples).
        for box in all() where configuration.models[box.name] == nil {
            let settings = box.settings.withLock { $0 }
            _ = try? put(box.name, settings: settings)
        }
        return problems
    }

    /// Forgets a model and its state; false when there was none.
    /// - Parameter whileLocked: runs after the model is removed, under the table's lock.
    func delete(_ name: String, whileLocked: () -> Void = {}) -> Bool {
        models.withLock { table in
            guard let box = table.removeValue(forKey: name) else { return false }
            // No request still applying to it may log after the delete.
            box.state.withLock { _ in whileLocked() }
            return true
        }
    }

    /// Every model, sorted by name.
    func all() -> [ModelBox] {
        models.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }

    /// The model called `name`, if it exists.
    func existing(_ name: String) -> ModelBox? {
        models.withLock { $0[name] }
    }
}
