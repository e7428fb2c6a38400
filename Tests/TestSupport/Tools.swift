import Foundation

/// Command-line tools the tests call: DCMTK's, dciodvfy, and the octarc binary itself.
public enum Tools {
    /// The absolute path of `name` on PATH, or nil.
    public static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `tool` with `arguments`; returns its exit status and its stdout and stderr together.
    @discardableResult
    public static func run(
        _ tool: String, _ arguments: [String], environment: [String: String]? = nil
    ) throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// dciodvfy's errors and warnings about `file`.
    public static func dciodvfyFindings(_ file: URL) throws -> Set<String> {
        guard let tool = find("dciodvfy") else { return [] }
        return Set(
            try run(tool, [file.path]).output.split(separator: "\n").map(String.init)
                .filter { $0.contains("Error") || $0.contains("Warning") })
    }
}
