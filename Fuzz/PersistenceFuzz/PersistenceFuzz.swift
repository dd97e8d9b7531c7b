// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the readers of the data dir (log segments, snapshots, a model's state).

import FuzzSupport
@testable import MWDaemon
import MWStats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPersistence(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    // As a log segment: the good records, then where it stops; re-encoding them reproduces the good part.
    if let start = try? LogSegments.checkHeader(bytes) {
        let scan = LogFraming.scan(bytes, from: start)
        var again = Array(bytes[0..<start])
        for record in scan.records { LogFraming.append(record, to: &again) }
        precondition(again == Array(bytes[0..<scan.goodEnd]), "records re-encode to other bytes")
    } else {
        _ = LogFraming.scan(bytes, from: 0)
    }
    // As a snapshot file, and as one model's state bytes: refused or read, never a crash.
    _ = try? SnapshotFile.read(bytes)
    var reader = SnapshotReader(bytes)
    _ = try? ModelState(name: "fuzz", options: ModelOptions(), from: &reader)
    return 0
}

#if FUZZING
/// SwiftPM links an executable's entry point under this name; libFuzzer's driver runs from it.
@_cdecl("fuzz_persistence_main")
func fuzzingEntry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzCorpus.runLibFuzzer(argc, argv, fuzzPersistence)
}
#else
/// Without libFuzzer: runs the inputs named on the command line through the target.
@main struct ReplayCorpus {
    static func main() { FuzzCorpus.replay(CommandLine.arguments.dropFirst()) { fuzzPersistence($0, $1) } }
}
#endif
