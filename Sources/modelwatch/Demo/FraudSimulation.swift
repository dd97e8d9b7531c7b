// SPDX-License-Identifier: Apache-2.0
// The demo's binary model: fraud scores of card payments.

import Foundation

/// Fraud from amount, country, age and whether the account is new. After the drift, amounts
/// grow, other countries appear, and new accounts stop mattering while foreign ones start to:
/// the model (which learnt the old world) loses accuracy and AUC.
struct FraudSimulation: DemoModel {
    let name = "fraud"
    let settings = #"{"task": "binary", "positive_class": "1", "classes": ["0", "1"], "label_ttl": "1h", "maturity": "auto", "baseline": "v1", "costs": {"false_positive": 2, "false_negative": 100}, "segments": ["country"], "segment_drift": ["amount"]}"#
    private var random: DemoRandom

    init(seed: UInt64) { random = DemoRandom(seed: seed) }

    /// The canary (`v2`) is a worse model: its scores carry five times the noise.
    mutating func next(drifted: Bool, canary: Bool) -> DemoEvent {
        let id = random.eventID(name)
        let amount = Foundation.exp(random.normal() * 0.8 + (drifted ? 5.2 : 4.0))
        let country = random.pick(drifted ? ["US", "US", "BR", "ES", "IN"] : ["ES", "FR", "DE", "ES", "IT"])
        let age = max(18, min(90, 40 + random.normal() * 12))
        let isNew = random.chance(drifted ? 0.5 : 0.2)
        var logit = -2.2 + 0.6 * (Foundation.log(amount) - 4) + (age < 25 ? 0.6 : 0)
        logit += drifted ? (country == "BR" || country == "IN" ? 1.4 : 0) : (isNew ? 1.3 : 0)
        let fraud = random.chance(1 / (1 + Foundation.exp(-logit)))
        let modelLogit = -2.2 + 0.6 * (Foundation.log(amount) - 4) + (age < 25 ? 0.6 : 0) + (isNew ? 1.3 : 0) + random.normal() * (canary ? 1.5 : 0.3)
        let score = 1 / (1 + Foundation.exp(-modelLogit - (fraud ? (drifted ? 0.1 : 1.2) : -0.4)))
        let latency = 5 + random.uniform() * 20 + (drifted ? 10 : 0)
        let prediction = String(format: #"{"id":"%@","version":"%@","features":{"amount":%.2f,"country":"%@","age":%.0f,"is_new":%@},"prediction":%d,"score":%.4f,"latency_ms":%.1f,"business":{"amount_at_risk":%.2f}}"#,
                                id, canary ? "v2" : "v1", amount, country, age, isNew ? "true" : "false", score >= 0.5 ? 1 : 0, score, latency, amount)
        let label = fraud ? "1" : "0"
        let chargeback = fraud ? String(format: #","business":{"chargeback":%.2f}"#, amount) : ""
        return DemoEvent(prediction: prediction, label: #"{"id":"\#(id)","label":\#(label)\#(chargeback)}"#,
                         referenceRow: Self.referenceRow(prediction, label: label))
    }
}
