// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the HTTP/1.1 request parser, whole and in two pieces (which must agree).

import FuzzSupport
@testable import MWHTTP

/// Parses `bytes` as a connection's input delivered in pieces cut at `cuts`: the events, or the
/// error that ended the connection. Bodies are read as the event loop reads them.
func parseAll(_ bytes: [UInt8], cuts: [Int]) -> [String] {
    var parser = HTTPRequestParser(limits: HTTPParserLimits(maxHeaderBytes: 2048, maxBodyBytes: 4096))
    var input: [UInt8] = []
    var start = 0
    var out: [String] = []
    var delivered = 0
    for end in cuts + [bytes.count] where end > delivered {
        input += bytes[delivered..<end]
        delivered = end
        while true {
            do {
                switch try parser.parse(input, from: &start) {
                case .needMoreData: break
                case .continueRequested: continue  // sent only while the body is missing: depends on the reads
                case .head(let head): out.append("head \(head.method) \(head.target)"); continue
                case .request(let r):
                    out.append("request \(r.method) \(r.target) 1.\(r.minorVersion) \(r.headers.fields.count) \(r.body.count) \(r.keepAlive)")
                    continue
                }
            } catch {
                out.append("error \(error.status.code) \(error.code)")
                return out
            }
            break
        }
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    let whole = parseAll(bytes, cuts: [])
    // Cut where the first byte says: the same bytes in two reads give the same requests.
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    let pieces = parseAll(bytes, cuts: [cut])
    precondition(whole == pieces, "one read: \(whole)\ntwo reads at \(cut): \(pieces)")
    return 0
}

#if FUZZING
/// SwiftPM links an executable's entry point under this name; libFuzzer's driver runs from it.
@_cdecl("fuzz_http_parser_main")
func fuzzingEntry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzCorpus.runLibFuzzer(argc, argv, fuzzHTTPParser)
}
#else
/// Without libFuzzer: runs the inputs named on the command line (files, or directories of
/// them: the committed corpus) through the target, as CI's regression run.
@main struct ReplayCorpus {
    static func main() { FuzzCorpus.replay(CommandLine.arguments.dropFirst()) { fuzzHTTPParser($0, $1) } }
}
#endif
