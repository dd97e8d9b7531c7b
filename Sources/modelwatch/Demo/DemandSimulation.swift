// SPDX-License-Identifier: Apache-2.0
// The demo's regression model: tomorrow's demand of a product per store.

import Foundation

/// Units sold per store and day from the store, the temperature, a promotion and the price.
/// After the drift, a heat wave moves the temperatures, promotions become common and stop
/// working, and prices rise: the forecast's MAE and RMSE grow.
struct DemandSimulation: DemoModel {
    let name = "demand"
    let settings = #"{"task": "regression", "label_ttl": "1h", "maturity": "auto", "baseline": "v1", "costs": {"absolute_error": 1.5}, "segments": ["store"]}"#
    private static let stores = ["north", "south", "east", "west", "center"]
    private static let base: [String: Double] = ["north": 120, "south": 90, "east": 150, "west": 70, "center": 200]
    private var random: DemoRandom

    init(seed: UInt64) { random = DemoRandom(seed: seed) }

    /// The canary (`v2`) forecasts 10 % high with three times the noise: worse than `v1` before the
    /// drift and after it (noise alone would drown in the drifted errors once the window is full of them).
    mutating func next(drifted: Bool, canary: Bool) -> DemoEvent {
        let id = random.eventID(name)
        let store = random.pick(Self.stores)
        let temperature = 18 + random.normal() * 6 + (drifted ? 12 : 0)
        let promo = random.chance(drifted ? 0.6 : 0.2)
        let price = 10 + random.normal() + (drifted ? 2 : 0)
        let base = Self.base[store]!
        let demand = max(0, base + 2 * temperature + (promo ? (drifted ? 5 : 40) : 0) - (drifted ? 12 : 6) * (price - 10) + random.normal() * 8)
        let fit = base + 2 * temperature + (promo ? 40 : 0) - 6 * (price - 10)
        let forecast = max(0, fit * (canary ? 1.1 : 1) + random.normal() * (canary ? 12 : 4))
        let prediction = String(format: #"{"id":"%@","version":"%@","features":{"store":"%@","temperature":%.1f,"promo":%@,"price":%.2f},"prediction":%.2f,"latency_ms":%.1f}"#,
                                id, canary ? "v2" : "v1", store, temperature, promo ? "true" : "false", price, forecast, 2 + random.uniform() * 6)
        let label = String(format: "%.1f", demand.rounded())
        let revenue = String(format: "%.2f", demand.rounded() * price)
        return DemoEvent(prediction: prediction, label: #"{"id":"\#(id)","label":\#(label),"business":{"revenue":\#(revenue)}}"#,
                         referenceRow: Self.referenceRow(prediction, label: label))
    }
}
