// SPDX-License-Identifier: Apache-2.0
// The demo's multiclass model: which customers stay, downgrade or leave.

import Foundation

/// Churn of subscription customers from tenure, plan, support calls and monthly spend, with a
/// probability per class (`scores`). After the drift, support calls rise, the plan mix moves
/// to basic, and leaving follows the spend instead of the support calls.
struct ChurnSimulation: DemoModel {
    let name = "churn"
    static let classes = ["stay", "downgrade", "leave"]
    /// Three classes are harder than two: this model's own accuracy floor (0.7) replaces the
    /// default 0.8 of the shipped alert, as a team would set it.
    let settings = #"{"task": "multiclass", "classes": ["stay", "downgrade", "leave"], "label_ttl": "1h", "maturity": "auto", "alerts": {"accuracy": 0.7}}"#
    private var random: DemoRandom

    init(seed: UInt64) { random = DemoRandom(seed: seed) }

    /// Class logits of the world (`drifted` or not): stay, downgrade, leave.
    private static func logits(tenure: Double, plan: String, calls: Double, spend: Double, drifted: Bool) -> [Double] {
        let downgrade = -1.5 + (plan == "pro" ? 1.2 : 0) + (spend > 80 ? 1.0 : 0)
        let leave = drifted ? -2.5 + 0.05 * (spend - 40) : -2.0 + 0.9 * calls - 0.04 * tenure
        return [0.4, downgrade, leave].map { $0 * 2.2 }
    }

    mutating func next(drifted: Bool, canary: Bool) -> DemoEvent {
        let id = random.eventID(name)
        let tenure = max(1, min(120, -Foundation.log(max(random.uniform(), 1e-9)) * 24))
        let plan = random.pick(drifted ? ["basic", "basic", "basic", "pro"] : ["basic", "pro", "pro", "enterprise"])
        let calls = max(0, (random.normal() + (drifted ? 3.5 : 1.5)).rounded())
        let spend = max(5, 50 + random.normal() * 20 + (plan == "enterprise" ? 60 : 0))
        let truth = random.draw(softmax(Self.logits(tenure: tenure, plan: plan, calls: calls, spend: spend, drifted: drifted)))
        // The model learnt the old world, with some noise of its own.
        let learnt = Self.logits(tenure: tenure, plan: plan, calls: calls, spend: spend, drifted: false)
        let scores = softmax(learnt.map { $0 + random.normal() * 0.8 })
        let predicted = scores.indices.max { scores[$0] < scores[$1] }!
        let scoreText = zip(Self.classes, scores).map { String(format: #""%@":%.4f"#, $0, $1) }.joined(separator: ",")
        let prediction = String(format: #"{"id":"%@","features":{"tenure_months":%.0f,"plan":"%@","support_calls":%.0f,"monthly_spend":%.2f},"prediction":"%@","scores":{%@},"latency_ms":%.1f}"#,
                                id, tenure, plan, calls, spend, Self.classes[predicted], scoreText, 20 + random.uniform() * 30)
        let label = "\"\(Self.classes[truth])\""
        return DemoEvent(prediction: prediction, label: #"{"id":"\#(id)","label":\#(label)}"#,
                         referenceRow: Self.referenceRow(prediction, label: label))
    }
}
