// SPDX-License-Identifier: Apache-2.0
// The tests' names for the blocking client that MWHTTP ships (also used by `modelwatch demo`).

@_exported import MWHTTP

public typealias TestClient = BlockingHTTPClient
public typealias TestResponse = HTTPClientResponse
