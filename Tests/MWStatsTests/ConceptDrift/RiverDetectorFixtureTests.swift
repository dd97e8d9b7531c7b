// SPDX-License-Identifier: Apache-2.0
// DDM, Page-Hinkley and ADWIN against river's detections on the same streams
// (Tests/Fixtures/detectors.json, written by make_detector_fixtures.py).

import Foundation
import Testing
@testable import MWStats

struct DetectorCase: CustomTestStringConvertible, Sendable {
    let name: String
    let binary: Bool
    let stream: [Double]
    let expected: [String: [String: [Int]]]
    var testDescription: String { name }

    static func load() -> [DetectorCase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/detectors.json")
        guard let data = try? Data(contentsOf: url),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return (root["cases"] as! [[String: Any]]).map {
            DetectorCase(name: $0["name"] as! String, binary: $0["binary"] as! Bool,
                         stream: ($0["stream"] as! [NSNumber]).map(\.doubleValue),
                         expected: $0["expected"] as! [String: [String: [Int]]])
        }
    }
}

@Suite struct RiverDetectorFixtureTests {
    static let cases = DetectorCase.load()

    @Test func fixtureFileIsPresent() { #expect(Self.cases.count >= 6) }

    @Test(arguments: cases)
    func detectionsMatchRiver(_ fixture: DetectorCase) {
        var ddm = DDM(), ph = PageHinkley(), adwin = ADWIN()
        var found: [String: [Int]] = ["ddm": [], "page_hinkley": [], "adwin": []]
        var warnings: [Int] = []
        for (i, x) in fixture.stream.enumerated() {
            if fixture.binary {
                if ddm.update(x) { found["ddm"]!.append(i) }
                if ddm.state == .warning { warnings.append(i) }
            }
            if ph.update(x) { found["page_hinkley"]!.append(i) }
            if adwin.update(x) { found["adwin"]!.append(i) }
        }
        #expect(found["page_hinkley"] == fixture.expected["page_hinkley"]!["detections"], "page_hinkley")
        #expect(found["adwin"] == fixture.expected["adwin"]!["detections"], "adwin")
        if fixture.binary {
            #expect(found["ddm"] == fixture.expected["ddm"]!["detections"], "ddm")
            #expect(warnings == fixture.expected["ddm"]!["warnings"], "ddm warnings")
        }
    }
}
