import Foundation
import LoomProtocol

// The same two helpers as in LoomClientLiveTests' Support.swift (test targets
// cannot share files; the rest of that file starts servers).

func temporaryDirectory(_ label: String = "client") -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loom-\(label)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

let testRate = Rate(msatPerSecond: 2500, minSeconds: 5, maxSeconds: 600)
