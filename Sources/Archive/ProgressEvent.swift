import Support

/// What a batch job (convert, restore, verify, a retrieve from a node) reports while it runs.
///
/// The library draws nothing: a job calls its options' `progress` handler with these values, in
/// order, from the thread that called `run`, and the caller decides what to show (the command line
/// draws a bar on a terminal and prints a line per finished item).
///
/// ```swift
/// let options = Converter.Options(archive: archive, output: out, jobs: 4, progress: { event in
///     if case .frames(let done, let total) = event { print("\(done)/\(total)") }
/// })
/// ```
public enum ProgressEvent: Sendable {
    /// A job starts with `frames` frames to go (0 when the count is not known in advance).
    case started(ProgressEvent.Job, frames: Int)
    /// `done` of the job's `total` frames are finished.
    case frames(done: Int, total: Int)
    /// An item of the job (a series, an instance) is finished.
    case item(ProgressEvent.Item)
    /// The job has ended.
    case finished(ProgressEvent.Job)

    /// The kinds of job.
    public enum Job: String, Sendable {
        case convert, restore, verify, retrieve
    }

    /// A finished item.
    public enum Item: Sendable {
        /// A series was converted into its container.
        case converted(Manifest.Series)
        /// A series' container is complete and its inputs are unchanged: left as it was.
        case upToDate(output: String)
        /// An instance was restored.
        case restored(Restorer.RestoredInstance)
        /// A series was retrieved from a node.
        case retrieved(seriesInstanceUID: String, instances: Int)
        /// A series on a node holds no original instances (only restored ones, or none): not converted.
        case noOriginals(seriesInstanceUID: String)
        /// A series could not be retrieved; the reason names it.
        case retrieveFailed(reason: String)
    }
}

/// Receives a job's `ProgressEvent`s.
public typealias ProgressHandler = @Sendable (ProgressEvent) -> Void

/// A job's frame count, reported through an optional handler.
final class ProgressCounter: Sendable {
    private let handler: ProgressHandler?
    private let job: ProgressEvent.Job
    private let total: Int
    private let done = Locked(0)

    /// `handler` nil (or `quiet`) reports nothing.
    init(_ job: ProgressEvent.Job, frames total: Int, handler: ProgressHandler?, quiet: Bool) {
        self.job = job
        self.total = total
        self.handler = quiet ? nil : handler
        self.handler?(.started(job, frames: total))
    }

    /// Counts `frames` more frames as done.
    func advance(by frames: Int = 1) {
        guard let handler else { return }
        let done = self.done.withLock { done in
            done += frames
            return done
        }
        handler(.frames(done: done, total: total))
    }

    /// Reports a finished item.
    func item(_ item: ProgressEvent.Item) {
        handler?(.item(item))
    }

    /// Reports the end of the job.
    func finish() {
        handler?(.finished(job))
    }
}
