// SPDX-License-Identifier: Apache-2.0
// The business families: values events carried, and what the model's mistakes cost.

import MWExposition
import MWStats

extension ModelsCollector {
    static let businessSpecs: [(String, MetricType, String)] = [
        ("modelwatch_business_value_total", .counter, "Sum of the business values (business.<name> on predictions and labels) since start, by name."),
        ("modelwatch_window_business_value", .gauge, "Sum of the business values that arrived in the window, by name."),
        ("modelwatch_cost_total", .counter, "Cost of every outcome since start under the model's costs (false positives and negatives, the cost matrix, or per unit of absolute error)."),
        ("modelwatch_window_cost", .gauge, "Cost of the window's outcomes under the model's costs."),
        ("modelwatch_estimated_cost", .gauge, "Expected cost of the window's predictions from their calibrated scores (estimated outcomes), before the labels."),
    ]

    /// Business sums and costs of one version.
    func addBusiness(_ v: VersionReport, _ mv: [(String, String)], _ add: (String, [(String, String)], Double) -> Void) {
        for (name, sum) in v.businessTotals { add("modelwatch_business_value_total", mv + [("name", name)], sum) }
        if let c = v.costTotal { add("modelwatch_cost_total", mv, c) }
        for w in v.windows {
            let mvw = mv + [("window", w.window.name)]
            for (name, sum) in w.business { add("modelwatch_window_business_value", mvw + [("name", name)], sum) }
            if let c = w.cost { add("modelwatch_window_cost", mvw, c) }
            if let c = w.expectedCost { add("modelwatch_estimated_cost", mvw, c) }
        }
    }
}
