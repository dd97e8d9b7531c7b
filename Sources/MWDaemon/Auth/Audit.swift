// SPDX-License-Identifier: Apache-2.0
// The audit log line: who did what to which model, with what outcome, from where.

import Logging

extension Logger {
    /// SPEC section 6: one line per admin action and per refused request, with principal,
    /// action, model, outcome and client address. Tokens, secrets and signatures never appear.
    func audit(principal: String?, client: String?, action: String, model: String, outcome: String) {
        notice("audit", metadata: ["principal": "\(principal ?? "anonymous")", "action": "\(action)", "model": "\(model)",
                                    "outcome": "\(outcome)", "client": "\(client ?? "-")"])
    }
}
