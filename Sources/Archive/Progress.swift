import Foundation
import Support

/// Progress of a batch job on standard error: a redrawn bar with frames/s and ETA on a terminal,
/// one plain line per finished item otherwise (logs, CI).
public final class Progress: Sendable {
    private struct State {
        var done = 0
        var lastDraw = Date.distantPast
    }

    private let state = Locked(State())
    private let total: Int
    private let label: String
    private let interactive: Bool
    private let quiet: Bool
    private let start = Date()

    /// `total` frames to go; `quiet` prints nothing at all (e.g. with --json).
    public init(label: String, total: Int, quiet: Bool = false) {
        self.label = label
        self.total = total
        self.quiet = quiet
        self.interactive = !quiet && isatty(STDERR_FILENO) != 0
    }

    /// Counts `frames` more frames as done.
    public func advance(by frames: Int = 1) {
        state.withLock { state in
            state.done += frames
            guard interactive, Date().timeIntervalSince(state.lastDraw) > 0.1 || state.done == total else { return }
            state.lastDraw = Date()
            draw(done: state.done)
        }
    }

    private func draw(done: Int) {
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        let line = String(format: "\r%@ [%@] %d/%d frames  %.1f frames/s  ETA %@", label, bar, done, total, rate,
                          Self.clock(eta))
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Reports one finished item (a series): ends the bar's line on a terminal, prints a line otherwise.
    public func note(_ message: String) {
        state.withLock { state in
            guard !quiet else { return }
            FileHandle.standardError.write(Data(((interactive ? "\r\u{1B}[K" : "") + message + "\n").utf8))
            state.lastDraw = .distantPast
        }
    }

    /// Clears the bar's line at the end of the job.
    public func finish() {
        state.withLock { _ in
            if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
