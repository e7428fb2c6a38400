/// What is wrong with a decoded document (JSON), in words and with the path of the offending value:
/// `despeckle.strength: expected a number`, `missing "weights"`, never the type dump of a
/// `DecodingError`. Other errors are described as they describe themselves.
///
/// ```swift
/// do { return try JSONDecoder().decode(Parameters.self, from: data) }
/// catch { throw Failure("not a parameters object: " + DecodingErrorText.describe(error), cause: ErrorCause(error)) }
/// ```
public enum DecodingErrorText {
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing \"\(path(context.codingPath + [key]))\""
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(noun(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): null where \(noun(type)) is expected"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context.codingPath)): invalid value"
        @unknown default:
            return String(describing: error)
        }
    }

    /// `a.b[2].c`; the document itself is `(top level)`.
    static func path(_ keys: [any CodingKey]) -> String {
        guard !keys.isEmpty else { return "(top level)" }
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }

    /// The kind of JSON value a Swift type decodes from.
    static func noun(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if ["Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64"].contains(name) {
            return "an integer"
        }
        if ["Double", "Float", "Float16", "Decimal"].contains(name) { return "a number" }
        if name == "String" { return "a string" }
        if name == "Bool" { return "true or false" }
        if name.hasPrefix("Array<") { return "a list" }
        if name.hasPrefix("Dictionary<") { return "an object" }
        return "a value of another kind"
    }
}
