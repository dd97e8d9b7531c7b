// SPDX-License-Identifier: Apache-2.0
// The model table: names, limits, settings changes that would break state, reloads.

import MWStats
import Testing
@testable import MWDaemon
import MWSockets

@Suite struct ModelStoreTests {
    static func store(_ yaml: String) throws -> ModelStore {
        ModelStore(configuration: try ConfigurationLoader.decode(yaml: yaml))
    }

    static func settings(_ yaml: String) throws -> ModelSettings {
        try ConfigurationLoader.decodeModelSettings(yaml)
    }

    @Test func namesAndTheModelLimit() throws {
        let store = try Self.store("limits: {max_models: 2}\nmodels:\n  a: {task: binary}\n")
        #expect(throws: ModelStoreError.invalidName("bad name")) { try store.model("bad name", create: true) }
        _ = try store.model("b", create: true)
        #expect(throws: ModelStoreError.tooManyModels(limit: 2)) { try store.model("c", create: true) }
        #expect(throws: ModelStoreError.tooManyModels(limit: 2)) { try store.put("c", settings: ModelSettings()) }
        #expect(store.all().map(\.name) == ["a", "b"])
        #expect(store.delete("b") && !store.delete("b"))
        _ = try store.model("c", create: true)
        #expect(store.all().map(\.name) == ["a", "c"])
    }

    @Test func unknownModelsAreCreatedOnlyWhenAllowed() throws {
        let closed = try Self.store("allow_unknown_models: false\n")
        #expect(throws: ModelStoreError.unknownModel("x")) { try closed.model("x", create: true) }
        let open = try Self.store("")
        #expect(throws: ModelStoreError.unknownModel("x")) { try open.model("x", create: false) }
        #expect(try open.model("x", create: true).name == "x")
    }

    @Test func aSettingsChangeThatWouldBreakTheStateIsRefusedAndChangesNothing() throws {
        let store = try Self.store("")
        #expect(try store.put("m", settings: try Self.settings("task: binary\nmin_samples: 7\n")))
        var p = PredictionEvent()
        p.id = "a"
        p.prediction = .number(1)
        _ = try store.model("m", create: false).state.withLock { $0.ingest(predictions: [(0, p)], now: 1) }
        var logged = 0
        #expect(throws: ModelStoreError.self) {
            try store.put("m", settings: try Self.settings("task: regression\n")) { _ in logged += 1 }
        }
        #expect(logged == 0, "a refused change is not logged")
        let box = try #require(store.existing("m"))
        #expect(box.state.withLock { $0.options.task } == .binary && box.settings.withLock { $0.minSamples } == 7)
        #expect(try !store.put("m", settings: try Self.settings("task: binary\nmin_samples: 3\n")) { _ in logged += 1 })
        #expect(logged == 1 && box.state.withLock { $0.options.minSamples } == 3)
    }

    @Test func aReloadAppliesTheFileAndKeepsTheState() throws {
        let store = try Self.store("min_samples: 10\nmodels:\n  a: {task: binary}\n")
        var p = PredictionEvent()
        p.id = "a"
        p.prediction = .number(1)
        _ = try store.model("a", create: false).state.withLock { $0.ingest(predictions: [(0, p)], now: 1) }
        _ = try store.model("free", create: true)
        let problems = store.reload(try ConfigurationLoader.decode(yaml: "min_samples: 4\nmodels:\n  a: {task: binary, min_samples: 2}\n  b: {task: regression}\n"))
        #expect(problems.isEmpty)
        #expect(store.all().map(\.name) == ["a", "b", "free"])
        let a = try #require(store.existing("a"))
        #expect(a.state.withLock { ($0.options.minSamples, $0.summary.predictions) } == (2, 1))
        #expect(store.existing("free")?.state.withLock { $0.options.minSamples } == 4, "defaults follow the file")
        let refused = store.reload(try ConfigurationLoader.decode(yaml: "models:\n  a: {task: regression}\n"))
        #expect(refused.count == 1 && refused[0].hasPrefix("models.a: "))
    }
}
