import Foundation

/// A value guarded by a lock: the one lock box of the code base (swift-nio's `NIOLockedValueBox`
/// pattern), instead of a lock class per file.
///
/// ```swift
/// let counts = Locked([String: Int]())
/// counts.withLock { $0["frames", default: 0] += 1 }
/// ```
public final class Locked<Value>: @unchecked Sendable {
    // Every access to `value` goes through `lock`.
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value and returns what it returns.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
