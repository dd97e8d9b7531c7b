// SPDX-License-Identifier: Apache-2.0
// The daemon's route table.

import Logging
import MWExposition
import MWHTTP
import MWSockets
import Synchronization

/// Builds the router for the daemon: health, readiness, metrics, the model API and the status page.
enum Routes {
    static func make(registry: Registry, readiness: Readiness, logger: Logger, ingest: IngestHandler,
                     models: ModelHandlers, reference: ReferenceHandler, compare: CompareHandler) -> Router {
        var router = Router()
        // Scopes of SPEC section 3 (checked by the Authorizer when auth.tokens are configured).
        // Writes answer through a sink: after their log record is durable (fsync: always).
        router.add("POST", "/v1/models/{model}/predictions", scope: "ingest", deferred: ingest.predictions)
        router.add("POST", "/v1/models/{model}/labels", scope: "ingest", deferred: ingest.labels)
        router.add("GET", "/v1/models", scope: "read", models.list)
        router.add("GET", "/v1/models/{model}", scope: "read", models.get)
        router.add("PUT", "/v1/models/{model}", scope: "admin", deferred: models.put)
        router.add("DELETE", "/v1/models/{model}", scope: "admin", deferred: models.delete)
        router.add("PUT", "/v1/models/{model}/reference", scope: "admin", deferred: reference.put)
        router.add("GET", "/v1/models/{model}/reference", scope: "read", reference.get)
        router.add("GET", "/v1/models/{model}/compare", scope: "read", compare.compare)
        router.add("GET", "/healthz") { _ in .text("ok\n") }
        router.add("GET", "/readyz") { _ in
            readiness.isReady ? .text("ready\n")
                : .error(.serviceUnavailable, code: "not_ready", message: "state is still being restored")
        }
        router.add("GET", "/metrics", scope: "read") { context in
            let format = ExpositionFormat.negotiate(accept: context.request.headers["Accept"])
            let (families, errors) = registry.gather()
            for failure in errors {
                logger.warning("collector failed", metadata: ["collector": "\(failure.collector)", "error": "\(failure.error)"])
            }
            var response = HTTPResponse(status: .ok, headers: ["Content-Type": format.contentType],
                                        body: TextExposition.render(families, format: format))
            response.headers.add("Cache-Control", "no-store")
            return response
        }
        router.add("GET", "/", scope: "read", models.page)
        return router
    }
}

/// Whether the daemon has restored its state and is listening (`/readyz`).
final class Readiness: Sendable {
    private let ready = Atomic<Bool>(false)
    var isReady: Bool { ready.load(ordering: .acquiring) }
    func markReady() { ready.store(true, ordering: .releasing) }
}
