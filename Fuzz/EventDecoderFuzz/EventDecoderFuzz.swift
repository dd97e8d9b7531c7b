// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the event decoder, general and compact paths, which must give the same events.

import FuzzSupport
@testable import MWDaemon
import MWStats

let limits: EventLimits = {
    var l = EventLimits()
    l.maxStringBytes = 64
    return l
}()

func describe(_ batch: DecodedBatch<PredictionEvent>, index: Int) -> String {
    let event = batch.events.first { $0.index == index }?.event
    let errors = batch.errors.filter { $0.index == index }.map { "\($0.rejection.field) \($0.rejection.reason)" }
    guard let event else { return "errors \(errors)" }
    return "names \(event.features.map(\.name)) values \(event.features.values) prediction \(String(describing: event.prediction)) errors \(errors)"
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventDecoder(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let line = Array(UnsafeBufferPointer(start: data, count: count)).filter { $0 != 0x0a }
    // The whole input as a JSON body and as NDJSON: refused or decoded, never a crash.
    _ = try? EventDecoder.predictions(line, ndjson: false, limits: limits)
    _ = try? EventDecoder.labels(line, ndjson: true, limits: limits)
    guard let alone = try? EventDecoder.predictions(line, ndjson: true, limits: limits) else { return 0 }
    // The line after one with the same feature names (the compact path) and after one with
    // other names (the general code) decodes the same.
    let names = alone.events.first?.event.features.map(\.name) ?? ["a", "b"]
    let features = names.enumerated().map { "\"\(jsonEscaped($0.element))\":\($0.offset)" }.joined(separator: ",")
    let same = Array(("{\"prediction\":1,\"features\":{" + features + "}}\n").utf8)
    let other = Array("{\"prediction\":1,\"features\":{\"zz-other\":0}}\n".utf8)
    guard let fast = try? EventDecoder.predictions(same + line, ndjson: true, limits: limits),
          let general = try? EventDecoder.predictions(other + line, ndjson: true, limits: limits) else {
        preconditionFailure("a body that decodes alone is refused behind another line")
    }
    let a = describe(fast, index: 1), b = describe(general, index: 1)
    precondition(a == b, "compact: \(a)\ngeneral: \(b)")
    return 0
}

func jsonEscaped(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where u.value < 0x20:
            let hex = String(u.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(u)
        }
    }
    return out
}

#if FUZZING
/// SwiftPM links an executable's entry point under this name; libFuzzer's driver runs from it.
@_cdecl("fuzz_event_decoder_main")
func fuzzingEntry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzCorpus.runLibFuzzer(argc, argv, fuzzEventDecoder)
}
#else
/// Without libFuzzer: runs the inputs named on the command line through the target.
@main struct ReplayCorpus {
    static func main() { FuzzCorpus.replay(CommandLine.arguments.dropFirst()) { fuzzEventDecoder($0, $1) } }
}
#endif
