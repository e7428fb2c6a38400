import Foundation
import Support

#if canImport(Glibc)
import Glibc
#endif

extension StudyArchive {
    /// The files a scan reads below its roots, and the entries it cannot read (with the reason).
    ///
    /// Symbolic links are followed, to files and into folders; a folder or file reached twice (two
    /// links to it, or a link back to an ancestor) is read once, recognised by device and inode.
    /// Names are read as bytes, so a name that is not UTF-8 is listed rather than lost. Named pipes,
    /// sockets and devices are listed and never opened. Folders in `excluding` (the output of a
    /// convert) are not entered.
    struct Walk {
        var files: [URL] = []
        var skipped: [SkippedFile] = []
        private var seenFolders: Set<FileIdentity> = []
        private var seenFiles: Set<FileIdentity> = []
        private let excluded: Set<FileIdentity>

        struct FileIdentity: Hashable {
            var device: UInt64
            var inode: UInt64
            init(_ info: stat) {
                device = UInt64(info.st_dev)
                inode = UInt64(info.st_ino)
            }
        }

        init(excluding: [URL]) {
            excluded = Set(excluding.compactMap { Self.status($0.path).map(FileIdentity.init) })
        }

        static func status(_ path: String) -> stat? {
            var info = stat()
            return stat(path, &info) == 0 ? info : nil
        }

        /// Adds `root`: a folder (searched recursively) or a file.
        mutating func add(root: URL) {
            visit(path: root.path)
        }

        private mutating func visit(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else {
                let code = errno
                var link = stat()
                if lstat(path, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK {
                    let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                    if code == ENOENT {
                        skip(path, .danglingLink, "symbolic link to \(target), which does not exist")
                    } else {
                        skip(
                            path, .unreadable,
                            "cannot follow the symbolic link to \(target): \(String(cString: strerror(code)))")
                    }
                } else if code == ENOENT {
                    skip(path, .unreadable, "no such file or directory")
                } else {
                    skip(path, .unreadable, "cannot read: \(String(cString: strerror(code)))")
                }
                return
            }
            let identity = FileIdentity(info)
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                guard !excluded.contains(identity), seenFolders.insert(identity).inserted else { return }
                enter(folder: path)
            case S_IFREG:
                if seenFiles.insert(identity).inserted { files.append(URL(fileURLWithPath: path)) }
            default:
                skip(path, .specialFile, "not a regular file (\(Self.kindName(info.st_mode))); not opened")
            }
        }

        private mutating func enter(folder: String) {
            guard let directory = opendir(folder) else {
                skip(folder, .unreadable, "cannot read this folder: \(String(cString: strerror(errno)))")
                return
            }
            var names: [[UInt8]] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    Array(raw.prefix(while: { $0 != 0 }))
                }
                if name == [0x2E] || name == [0x2E, 0x2E] { continue }
                names.append(name)
            }
            closedir(directory)
            // An octarc output folder (it holds a run's lock file) inside the archive: its containers
            // and manifest are outputs, never inputs.
            if names.contains(where: { Self.isOctarcLock(String(decoding: $0, as: UTF8.self)) }) {
                skip(folder, .octarcOutput, "an octarc output folder (it holds a convert's lock file); not scanned")
                return
            }
            for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let base = folder.hasSuffix("/") ? folder : folder + "/"
                guard let text = String(validating: name, as: UTF8.self) else {
                    let shown = base + String(decoding: name, as: UTF8.self)
                    let hex = Hex.string(name)
                    skip(
                        shown, .undecodableName, "file name is not valid UTF-8 (bytes \(hex)); rename it to include it")
                    continue
                }
                visit(path: base + text)
            }
        }

        /// `.octarc.lock`, or a lock of the same family (`.octarc.<name>.lock`, e.g. one shard's).
        static func isOctarcLock(_ name: String) -> Bool {
            name.hasPrefix(".octarc.") && name.hasSuffix(".lock")
        }

        private mutating func skip(_ path: String, _ kind: DICOMError.Kind, _ reason: String) {
            skipped.append(SkippedFile(url: URL(fileURLWithPath: path), error: DICOMError(kind, reason, file: path)))
        }

        private static func kindName(_ mode: mode_t) -> String {
            switch mode & S_IFMT {
            case S_IFIFO: "named pipe"
            case S_IFSOCK: "socket"
            case S_IFCHR: "character device"
            case S_IFBLK: "block device"
            default: "special file"
            }
        }
    }
}
