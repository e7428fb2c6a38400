import Foundation
import PACS
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The Orthanc that `Scripts/with-orthanc` starts (ORTHANC_* environment variables). Tests that need
/// it are enabled only when it is there; `Scripts/test` runs them under it.
enum Orthanc {
    static let environment = ProcessInfo.processInfo.environment

    static var isAvailable: Bool { environment["ORTHANC_DICOM"] != nil && environment["ORTHANC_HTTP"] != nil }

    static let skipMessage: Comment = "no Orthanc: run under Scripts/with-orthanc (ORTHANC_DICOM, ORTHANC_HTTP unset)"

    static var node: DICOMNode {
        (try? DICOMNode(parsing: environment["ORTHANC_DICOM"] ?? ""))
            ?? DICOMNode(aeTitle: "ORTHANC", host: "127.0.0.1", port: 4242)
    }
    static var callingAETitle: String { environment["ORTHANC_CALLING_AET"] ?? "OCTARC" }
    static var pid: pid_t? { environment["ORTHANC_PID"].flatMap { pid_t($0) } }

    static func client(
        timeouts: PACSClient.Timeouts = .init(connect: 5, association: 10, response: 30)
    ) throws -> PACSClient {
        try PACSClient(node: node, callingAETitle: callingAETitle, timeouts: timeouts)
    }

    struct HTTPError: Error, CustomStringConvertible {
        var description: String
    }

    /// A REST call; the response body.
    static func request(_ method: String, _ path: String, body: Data? = nil) throws -> Data {
        var request = URLRequest(url: URL(string: (environment["ORTHANC_HTTP"] ?? "") + path)!)
        request.httpMethod = method
        request.httpBody = body
        final class Box: @unchecked Sendable {
            var data: Data?
            var error: String?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                box.error = "\(error)"
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                box.error = "HTTP \(http.statusCode): " + String(decoding: data ?? Data(), as: UTF8.self)
            }
            box.data = data
            done.signal()
        }.resume()
        done.wait()
        if let error = box.error { throw HTTPError(description: "\(method) \(path): \(error)") }
        return box.data ?? Data()
    }

    static func json(_ method: String, _ path: String, body: Data? = nil) throws -> Any {
        try JSONSerialization.jsonObject(with: try request(method, path, body: body))
    }

    /// Stores `file` in Orthanc through the REST API (as an administrator would import it).
    static func upload(_ file: URL) throws {
        _ = try request("POST", "/instances", body: try Data(contentsOf: file))
    }

    /// Orthanc's top-level tags of the instance with this SOP Instance UID (`/instances/ID/tags`), each
    /// value under both its name (e.g. "ImageType") and its tag ("0009,1001"), or nil if Orthanc has no such instance.
    static func tags(ofSOPInstance uid: String) throws -> [String: Any]? {
        let query = try JSONSerialization.data(withJSONObject: ["Level": "Instance", "Query": ["SOPInstanceUID": uid]])
        guard let ids = try json("POST", "/tools/find", body: query) as? [String], let id = ids.first else {
            return nil
        }
        guard let full = try json("GET", "/instances/\(id)/tags") as? [String: [String: Any]] else { return nil }
        var tags: [String: Any] = [:]
        for (tag, entry) in full {
            let value = entry["Value"] ?? NSNull()
            tags[tag] = value
            if let name = entry["Name"] as? String, tags[name] == nil { tags[name] = value }
        }
        return tags
    }

    /// A copy of `sample` with new Study, Series and SOP Instance UIDs and this Patient ID, so that a
    /// test's data is its own in the shared Orthanc.
    static func variant(of sample: URL, patientID: String, in folder: URL) throws -> URL {
        let copy = folder.appendingPathComponent("\(patientID)-\(UUID().uuidString).dcm")
        try FileManager.default.copyItem(at: sample, to: copy)
        guard let dcmodify = Tools.find("dcmodify") else {
            throw HTTPError(description: "dcmodify (DCMTK) is not installed")
        }
        let result = try Tools.run(
            dcmodify, ["-nb", "-gst", "-gse", "-gin", "-m", "(0010,0020)=\(patientID)", copy.path])
        if result.status != 0 { throw HTTPError(description: "dcmodify failed: \(result.output)") }
        return copy
    }
}
