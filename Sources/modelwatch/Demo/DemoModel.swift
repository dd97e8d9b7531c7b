// SPDX-License-Identifier: Apache-2.0
// What `modelwatch demo` needs of each simulated model.

/// One simulated event: its prediction line, its label line (both NDJSON), and the two as one
/// reference row (features, prediction and label together).
struct DemoEvent {
    var prediction: String
    var label: String
    var referenceRow: String
}

/// A fictitious model the demo drives: its settings, and events drawn from the world it was
/// trained on or, once `drifted`, from a world whose inputs and outcomes have moved.
protocol DemoModel {
    /// The model's name without the demo's prefix.
    var name: String { get }
    /// The body of `PUT /v1/models/{model}`.
    var settings: String { get }
    init(seed: UInt64)
    /// `canary`: the event of the canary version `v2` (worse than `v1` where the model has a
    /// canary; the same model elsewhere).
    mutating func next(drifted: Bool, canary: Bool) -> DemoEvent
}

/// The demo's models by name, in the order `--models` lists them by default.
enum DemoModels {
    static let names = ["fraud", "churn", "demand"]

    /// A fresh simulation of model `name` (one of ``names``).
    static func make(_ name: String, seed: UInt64) -> (any DemoModel)? {
        switch name {
        case "fraud": FraudSimulation(seed: seed)
        case "churn": ChurnSimulation(seed: seed)
        case "demand": DemandSimulation(seed: seed)
        default: nil
        }
    }
}

extension DemoModel {
    /// Joins a prediction object's fields with a label into one reference row.
    static func referenceRow(_ prediction: String, label: String) -> String {
        String(prediction.dropLast()) + #","label":\#(label)}"#
    }
}
