import AegisCore
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import AegisRedis

@Suite struct LimiterConcurrencyTests {
    /// 24 connections race for a hard quota of 150 on the real clock: exactly 150 get through.
    @Test func concurrentClientsGetExactlyTheHardQuota() async throws {
        let quota: Int64 = 150
        let plan = Plan(burstRPS: 100_000, sustainedRPM: 10_000_000, monthlyQuota: quota, enforcement: .hard)
        let harness = try LimiterHarness(plan: plan)
        let tenantID = harness.tenantID
        let endpoint = try TestRedis.endpoint()
        let admitted = Atomic<Int>(0)
        let denied = Atomic<Int>(0)
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        let connected = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        let clients = 24

        for _ in 0..<clients {
            group.enter()
            connected.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let client: RedisClient
                    do {
                        defer { connected.leave() }
                        client = try RedisClient(endpoint: endpoint, timeout: .seconds(10))
                    }
                    // Everyone connects first, then all start at once.
                    go.wait()
                    var encoded: [UInt8] = []
                    var useEval = false
                    while true {
                        encoded.removeAll(keepingCapacity: true)
                        LimiterScript.appendInvocation(
                            tenantID: tenantID, plan: plan, cost: 1, seed: 0, nowMicros: nil, useEval: useEval,
                            to: &encoded)
                        let reply = try client.send(encoded: encoded, replyCount: 1)[0]
                        if reply.isNoScript {
                            useEval = true
                            continue
                        }
                        guard case .decided(let outcome) = try LimiterScript.decode(reply) else {
                            throw LimiterHarness.HarnessError(description: "not decided")
                        }
                        if outcome.reason == .ok {
                            admitted.add(1, ordering: .relaxed)
                        } else {
                            if outcome.reason != .quotaExceeded {
                                throw LimiterHarness.HarnessError(description: "denied with \(outcome.reason)")
                            }
                            denied.add(1, ordering: .relaxed)
                            return
                        }
                    }
                } catch {
                    failures.withLock { $0.append(String(describing: error)) }
                }
            }
        }
        await withCheckedContinuation { continuation in
            connected.notify(queue: .global()) { continuation.resume() }
        }
        for _ in 0..<clients {
            go.signal()
        }
        await withCheckedContinuation { continuation in
            group.notify(queue: .global()) { continuation.resume() }
        }

        #expect(failures.withLock { $0 } == [])
        #expect(admitted.load(ordering: .relaxed) == Int(quota))
        #expect(denied.load(ordering: .relaxed) == clients)
        let stateKey = LimiterScript.keys(tenantID: tenantID)[0]
        let months = try harness.client.command(["HKEYS", stateKey]).arrayOfStrings?.filter { $0.count == 6 }
        #expect(months?.count == 1, "the state hash should hold one month: \(months ?? [])")
        let counter = try harness.client.command(["HGET", stateKey, months?.first ?? ""])
        #expect(counter.int64 == quota)
    }
}
