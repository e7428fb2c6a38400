import Archive
import Foundation
import Support

/// Draws a job's `ProgressEvent`s on standard error: a redrawn bar with frames/s and ETA on a
/// terminal, one plain line per finished item otherwise (logs, CI).
final class ProgressBar: Sendable {
    private struct State {
        var job = ProgressEvent.Job.convert
        var start = Date()
        var lastDraw = Date.distantPast
    }

    private let state = Locked(State())
    private let interactive: Bool

    /// A bar on standard error, redrawn in place when that is a terminal.
    init() {
        interactive = isatty(STDERR_FILENO) != 0
    }

    /// The handler for a job's options: nil (nothing reported) when `quiet` (e.g. with --json).
    static func handler(quiet: Bool) -> ProgressHandler? {
        guard !quiet else { return nil }
        let bar = ProgressBar()
        return { bar.show($0) }
    }

    func show(_ event: ProgressEvent) {
        state.withLock { state in
            switch event {
            case .started(let job, _):
                state.job = job
                state.start = Date()
                state.lastDraw = .distantPast
            case .frames(let done, let total):
                guard interactive, Date().timeIntervalSince(state.lastDraw) > 0.1 || done == total else { return }
                state.lastDraw = Date()
                write(
                    "\r"
                        + Self.bar(
                            label: state.job.rawValue, done: done, total: total,
                            elapsed: Date().timeIntervalSince(state.start)))
            case .item(let item):
                write((interactive ? "\r\u{1B}[K" : "") + Self.text(item) + "\n")
                state.lastDraw = .distantPast
            case .finished:
                if interactive { write("\r\u{1B}[K") }
            }
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// `label [=====     ] done/total frames  rate frames/s  ETA m:ss`.
    static func bar(label: String, done: Int, total: Int, elapsed: Double) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = total > 0 ? min(width, width * done / total) : width
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        return String(format: "%@ [%@] %d/%d frames  %.1f frames/s  ETA %@", label, bar, done, total, rate, clock(eta))
    }

    /// A finished item as one line.
    static func text(_ item: ProgressEvent.Item) -> String {
        switch item {
        case .converted(let entry):
            String(
                format: "converted %@: %d frames, stored CR %.1f, %.1f s", entry.output, entry.frames, entry.storedCR,
                entry.seconds)
        case .upToDate(let output): "up to date: \(output)"
        case .restored(let instance): "restored \(instance.path) (\(instance.frames) frames)"
        case .retrieved(let series, let instances): "retrieved series \(series): \(instances) instances"
        case .noOriginals(let series): "skipped series \(series): no original instances on the node"
        case .retrieveFailed(let reason): "FAILED \(reason)"
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
