/// Why a manifest could not be read, with the file and line a person needs to fix it.
public struct ManifestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file (or `-` for standard input).
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?
    /// What is wrong and, where possible, what to do.
    public var message: String

    /// Makes an error.
    public init(file: String, line: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, like compilers and kubectl print it.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
