// SPDX-License-Identifier: Apache-2.0
// Running a fuzz target over a corpus without libFuzzer (the regression run of CI).

import Foundation

/// The files named, or in the directories named, each passed to `target`.
public enum FuzzCorpus {
    public static func replay(_ paths: ArraySlice<String>, _ target: (UnsafePointer<UInt8>, Int) -> CInt) {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let bytes = [UInt8](data) + [0]  // never an empty buffer to point at
            _ = bytes.withUnsafeBufferPointer { target($0.baseAddress!, bytes.count - 1) }
        }
        print("\(files.count) inputs run")
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                                 _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

extension FuzzCorpus {
    /// Hands the command line to libFuzzer's driver with `target` as the function under test.
    public static func runLibFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
                                    _ target: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt {
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments, target)
    }
}
#endif
