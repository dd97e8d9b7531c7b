// SPDX-License-Identifier: Apache-2.0
// The writer: group commit under fsync: always, ordering, and what a restart reads back.

import Foundation
import Logging
import MWStats
import Synchronization
import Testing
@testable import MWDaemon

@Suite struct EventLogTests {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "mw-log-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func alwaysAnswersAfterTheSyncAndSharesSyncs() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try EventLog(directory: dir, lastSegment: 0, existingBytes: 0, policy: .always, interval: 1,
                               logger: Logger(label: "test"))
        log.start()
        let durable = Atomic<Int>(0)
        let group = DispatchGroup()
        // 8 threads × 250 appends, each waiting for its own record.
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for k in 0..<250 {
                let body = Array("{\"id\":\"\(t)-\(k)\"}".utf8)
                let sequence = log.append(.predictions, time: Double(k), model: "m\(t)", ndjson: false, body: body)
                group.enter()
                log.whenDurable(sequence) { ok in
                    if ok { durable.add(1, ordering: .relaxed) }
                    group.leave()
                }
            }
        }
        #expect(group.wait(timeout: .now() + 20) == .success)
        #expect(durable.load(ordering: .relaxed) == 2000)
        let figures = log.currentFigures
        #expect(figures.records == 2000)
        // Group commit: far fewer fsyncs than records.
        #expect(figures.fsync.count > 0 && figures.fsync.count < 2000)
        log.close()
        // Everything is in the segment, each model's records in the order appended.
        let bytes = try DiskFile.read(dir + "/" + LogSegments.name(1))
        let scan = LogFraming.scan(bytes, from: try LogSegments.checkHeader(bytes))
        #expect(scan.records.count == 2000 && scan.problem == nil)
        for t in 0..<8 {
            let times = scan.records.filter { $0.model == "m\(t)" }.map(\.time)
            #expect(times == (0..<250).map(Double.init))
        }
        #expect(figures.bytes == bytes.count || log.currentFigures.bytes == bytes.count)
    }

    @Test func intervalAnswersAtOnceAndCloseSyncs() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try EventLog(directory: dir, lastSegment: 4, existingBytes: 0, policy: .interval, interval: 60,
                               logger: Logger(label: "test"))
        log.start()
        let answered = Atomic<Bool>(false)
        log.whenDurable(log.append(.labels, time: 1, model: "m", ndjson: true, body: [1, 2, 3])) { answered.store($0, ordering: .relaxed) }
        let answeredAtOnce = answered.load(ordering: .relaxed)
        #expect(answeredAtOnce)  // before any write: the interval bounds the loss
        log.close()  // writes and syncs what is queued
        let bytes = try DiskFile.read(dir + "/" + LogSegments.name(5))
        #expect(LogFraming.scan(bytes, from: LogSegments.headerBytes).records.map(\.body) == [[1, 2, 3]])
    }

    @Test func aSecondLockOnTheDirectoryIsRefused() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try DataDirectory(path: dir)
        #expect(throws: DataDirectoryError.self) { try DataDirectory(path: dir) }
        _ = first
    }
}
