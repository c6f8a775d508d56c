import Foundation
import Yams

/// One Sidecar to apply to a cluster: which object it is, where it came from, and the exact body sent as the
/// server-side apply patch.
///
/// Made from the YAML preview's ``SidecarManifest`` or read from a file by ``ApplyDocumentReader``; the body is the
/// document as written (namespace filled in when it names none), so fields meshtrim does not model (ingress,
/// annotations) reach the API server unchanged.
public struct ApplyDocument: Hashable, Sendable {
    /// `metadata.namespace` (the default namespace when the document names none).
    public var namespace: String
    /// `metadata.name`.
    public var name: String
    /// `apiVersion` (`networking.istio.io/v1`), which decides the REST path.
    public var apiVersion: String
    /// Where it came from: `sidecar-shop.yaml:12`, or `the YAML preview`.
    public var origin: String
    /// The apply patch body (YAML).
    public var body: String
    /// The Sidecar as meshtrim models it, to find the pods it will apply to.
    public var sidecar: Sidecar
    /// Problems Istio's webhook rules and meshtrim's checks find in it.
    public var problems: [SidecarProblem]

    /// Makes a document from its parts.
    public init(
        namespace: String, name: String, apiVersion: String = "networking.istio.io/v1", origin: String, body: String, sidecar: Sidecar,
        problems: [SidecarProblem]
    ) {
        self.namespace = namespace
        self.name = name
        self.apiVersion = apiVersion
        self.origin = origin
        self.body = body
        self.sidecar = sidecar
        self.problems = problems
    }

    /// The document for a manifest built in the egress editor.
    public init(manifest: SidecarManifest, origin: String = "the YAML preview", version: IstioVersion = .defaultVersion) {
        self.init(
            namespace: manifest.namespace, name: manifest.name, apiVersion: manifest.writtenAPIVersion, origin: origin,
            body: manifest.yaml, sidecar: manifest.sidecar,
            problems: manifest.validate(version: version))
    }

    /// The object's REST path: `/apis/networking.istio.io/v1/namespaces/NS/sidecars/NAME`.
    public var resourcePath: String { "/apis/\(apiVersion)/namespaces/\(namespace)/sidecars/\(name)" }

    /// `namespace/name`.
    public var qualifiedName: String { "\(namespace)/\(name)" }

    /// The document as another `networking.istio.io` version (`networking.istio.io/v1beta1` for a cluster whose Istio
    /// predates 1.22 and does not serve v1): the REST path and the body's top-level `apiVersion` change; the Sidecar
    /// schema is the same in v1, v1beta1 and v1alpha3, so nothing else does.
    public func serving(apiVersion newVersion: String) -> ApplyDocument {
        var copy = self
        copy.apiVersion = newVersion
        var lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let index = lines.firstIndex(where: { $0.hasPrefix("apiVersion:") }) {
            lines[index] = "apiVersion: \(newVersion)"
            copy.body = lines.joined(separator: "\n")
        } else if body.drop(while: \.isWhitespace).hasPrefix("{") {
            copy.body = body.replacingOccurrences(of: "\"\(apiVersion)\"", with: "\"\(newVersion)\"")
        } else {
            copy.body = "apiVersion: \(newVersion)\n" + body
        }
        return copy
    }

    /// Whether Istio's webhook would reject it.
    public var hasErrors: Bool { problems.contains { $0.severity == .error } }

    /// The document reduced to what a person compares (apiVersion, kind, name, namespace, labels, annotations,
    /// spec), as YAML lines with sorted keys; see ``ApplyDiff``.
    public var comparableLines: [String] { ApplyDiff.comparableLines(ofYAML: body, namespace: namespace) }
}

/// Why a file cannot be applied, with the file and line to look at.
public struct ApplyDocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file (`-` for standard input).
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The 1-based column, when known (YAML syntax errors).
    public var column: Int?
    /// What is wrong and what to do.
    public var message: String

    /// Makes an error.
    public init(file: String, line: Int?, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message` (the parts that are known).
    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? "")\(line != nil ? column.map { ":\($0)" } ?? "" : ""): \(message)"
    }
}

/// Reads the Sidecars of a multi-document YAML (or JSON) file for `meshtrim apply`.
///
/// Every document must be a `networking.istio.io` Sidecar with a name: anything else is refused with its line
/// (applying a Deployment by accident is not something a Sidecar tool should do).
public enum ApplyDocumentReader {
    /// Reads `text` from `file`.
    ///
    /// - Parameter defaultNamespace: the namespace of documents that name none (the context's, like kubectl).
    /// - Throws: ``ApplyDocumentError`` for YAML syntax errors, non-Sidecar documents and Sidecars without a name.
    public static func read(_ text: String, file: String, defaultNamespace: String) throws(ApplyDocumentError) -> [ApplyDocument] {
        var nodes: [Node] = []
        do {
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() { nodes.append(node) }
        } catch let error as YamlError {
            let position = YAMLSyntax.position(of: error)
            throw ApplyDocumentError(
                file: file, line: position?.line, column: position?.column, message: "not valid YAML: \(YAMLSyntax.summary(of: error))")
        } catch {
            throw ApplyDocumentError(file: file, line: nil, message: "not valid YAML: \(InputFile.quote("\(error)", limit: 160))")
        }
        var documents: [ApplyDocument] = []
        for node in nodes {
            let line = node.mark?.line ?? 1
            // The body below is the whole document written out: aliases expanded. A few lines of nested anchors
            // ("billion laughs") would expand to gigabytes, so such a document is refused before.
            if YAMLSyntax.exceedsExpansion(node) {
                throw ApplyDocumentError(
                    file: file, line: line,
                    message: "the document expands to more than \(YAMLSyntax.maximumExpandedNodes) YAML nodes through "
                        + "aliases (*anchor); write a Sidecar without nested anchors")
            }
            guard case .mapping = node else {
                if case .scalar(let scalar) = node, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { continue }
                throw ApplyDocumentError(file: file, line: line, message: "expected a Sidecar (a mapping with kind and apiVersion)")
            }
            let kind = node["kind"]?.string ?? ""
            let apiVersion = node["apiVersion"]?.string ?? ""
            guard kind == "Sidecar", apiVersion.hasPrefix("networking.istio.io/") else {
                let what = kind.isEmpty ? "a document without kind" : "\(apiVersion.isEmpty ? "" : apiVersion + " ")\(kind)"
                throw ApplyDocumentError(
                    file: file, line: line,
                    message: "\(what) is not a Sidecar: meshtrim apply applies networking.istio.io Sidecars only (use kubectl for the rest)")
            }
            guard let name = node["metadata"]?["name"]?.string, !name.isEmpty else {
                throw ApplyDocumentError(file: file, line: line, message: "the Sidecar has no metadata.name")
            }
            let namespace = node["metadata"]?["namespace"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
            var patched = node
            if node["metadata"]?["namespace"]?.string == nil, case .mapping(var metadata)? = node["metadata"] {
                metadata[Node("namespace")] = Node(namespace)
                patched[Node("metadata")] = .mapping(metadata)
            }
            let body: String
            do {
                body = try Yams.serialize(node: patched, width: -1)
            } catch {
                throw ApplyDocumentError(file: file, line: line, message: "cannot re-encode the Sidecar: \(error)")
            }
            let read: SidecarDocumentSet
            do {
                read = try SidecarDocumentReader.read(body)
            } catch {
                throw ApplyDocumentError(file: file, line: line, message: "\(error)")
            }
            guard let first = read.sidecars.first else {
                throw ApplyDocumentError(file: file, line: line, message: "the Sidecar could not be read")
            }
            var sidecar = first.sidecar
            sidecar.meta.namespace = namespace
            let problems =
                first.problems
                + SidecarValidator(version: .defaultVersion).validate(
                    sidecar, details: first.details, spec: first.spec)
            documents.append(
                ApplyDocument(
                    namespace: namespace, name: name, apiVersion: apiVersion, origin: "\(file):\(line)", body: body, sidecar: sidecar, problems: problems))
        }
        if documents.isEmpty {
            throw ApplyDocumentError(file: file, line: nil, message: "no Sidecar in the file")
        }
        return documents
    }
}
