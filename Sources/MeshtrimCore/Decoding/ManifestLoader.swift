import Foundation
import Yams

/// What reading a set of manifests produced: the inventory plus what was skipped and why.
public struct ManifestSet: Sendable {
    /// The mesh described by the manifests.
    public var inventory: MeshInventory
    /// Kinds that meshtrim does not use, with how many of each were seen.
    public var ignoredKinds: [String: Int]
    /// Non-fatal problems (e.g. an unreadable mesh config, an object defined twice).
    public var warnings: [String]
    /// Assumptions made while reading (objects without a namespace put into `default`, sidecar injection assumed
    /// for namespaces without a Namespace manifest).
    public var notes: [String] = []
    /// The origins of the documents read, in order (the files, for `--manifests`).
    public var files: [String]
    /// Where each Sidecar came from (`namespace/name` → `file:line`).
    public var sidecarSources: [String: String]
    /// The mesh config ConfigMaps read (`istio`, `istio-<rev>`), as written; ``inventory`` holds the one of the
    /// revision in use.
    public var meshConfigMaps: [MeshConfigMap] = []
}

/// Reads Kubernetes YAML and JSON manifests (multi-document YAML, JSON, `kind: List`) from documents.
///
/// Everything the scope engine needs is decoded; every other kind is counted and ignored, so a whole
/// `kubectl get -A -o yaml` dump or a Helm output directory can be pointed at directly. The loader is pure: the edge
/// (MeshtrimFiles for files, standard input and directories; MeshtrimKube for the pages of a live list) hands it
/// ``ManifestDocument``s one at a time with ``add(_:)``, and ``finish()`` builds the mesh, so that a live cluster
/// and `--manifests` follow exactly the same rules.
///
/// Objects that name no namespace go into the chosen default namespace (as `kubectl apply -n`); without one they go
/// into `default` and a note says so. The same object given twice is read once (the later one, with a warning).
public struct ManifestLoader {
    private var builder = InventoryBuilder()
    private let defaultNamespace: String
    private var origins: [String] = []
    private var sidecarSources: [String: String] = [:]
    private var originals: [String: OrderedJSON] = [:]

    /// Makes a loader that puts objects without a namespace into `defaultNamespace` (`default` when nil, with a note).
    public init(defaultNamespace chosenNamespace: String? = nil) {
        defaultNamespace = chosenNamespace ?? "default"
        builder.defaultNamespace = defaultNamespace
        builder.isDefaultNamespaceChosen = chosenNamespace != nil
    }

    /// Reads one document: its text is checked (no NUL byte, UTF-8) and decoded one YAML document at a time, each
    /// object added before the next is parsed.
    ///
    /// The document is consumed, so that its bytes are released once its text is made (one copy of a large file is
    /// held while it is decoded, not two).
    ///
    /// - Throws: ``ManifestError`` naming the document's origin and the line of the first problem.
    public mutating func add(_ document: consuming ManifestDocument) throws {
        let origin = document.origin
        origins.append(origin)
        let originals = try Self.read(document) { object, line in
            record(object, line: line, origin: origin)
        }
        keep(originals)
    }

    /// Keeps Sidecars as written by `namespace/name` in this loader's default namespace; a later one of the same
    /// name replaces an earlier one, as the typed Sidecar does.
    private mutating func keep(_ originals: [SidecarOriginals.Original]) {
        for original in originals { self.originals[original.key(defaultNamespace: defaultNamespace)] = original.object }
    }

    /// Decodes one document without adding it, so that pages can be decoded as they arrive, concurrently, and
    /// added later in their order with ``add(_:)-(DecodedManifest)``, which puts objects without a namespace into
    /// that loader's default namespace.
    ///
    /// - Throws: ``ManifestError`` naming the document's origin and the line of the first problem.
    public static func decode(_ document: consuming ManifestDocument) throws -> DecodedManifest {
        let origin = document.origin
        var objects: [(KubernetesObject, Int)] = []
        let originals = try read(document) { objects.append(($0, $1)) }
        return DecodedManifest(origin: origin, objects: objects, sidecarOriginals: originals)
    }

    /// Decodes a document one YAML document at a time, handing each object and its line to `body` before the next is
    /// parsed; then, only when it held a Sidecar (also inside a List), reads its Sidecars as written, for edits that
    /// keep their other fields (a page of 500 pods is not searched for them).
    private static func read(
        _ document: consuming ManifestDocument, each body: (KubernetesObject, Int) -> Void
    ) throws -> [SidecarOriginals.Original] {
        let origin = document.origin
        let text = try text(of: document)
        var holdsSidecars = false
        try decode(text, file: origin) { object, line in
            holdsSidecars = holdsSidecars || object.holdsSidecar
            body(object, line)
        }
        return holdsSidecars ? SidecarOriginals.read(text) : []
    }

    /// Adds a document ``decode(_:)`` read, exactly as ``add(_:)-(ManifestDocument)`` would
    /// have added it.
    public mutating func add(_ decoded: consuming DecodedManifest) {
        let origin = decoded.origin
        origins.append(origin)
        for (object, line) in decoded.objects { record(object, line: line, origin: origin) }
        keep(decoded.sidecarOriginals)
    }

    /// The document's text, checked (no NUL byte, UTF-8); the document's bytes are released once it is made.
    private static func text(of document: consuming ManifestDocument) throws -> String {
        let origin = document.origin
        do {
            return try InputFile.text(from: document.bytes, file: origin, expected: "Kubernetes YAML or JSON")
        } catch {
            throw ManifestError(file: origin, message: error.message)
        }
    }

    /// Adds one object to the inventory, noting where a Sidecar came from.
    private mutating func record(_ object: KubernetesObject, line: Int, origin: String) {
        if case .sidecar(let meta, _) = object {
            sidecarSources["\(meta.namespace ?? defaultNamespace)/\(meta.name ?? "")"] = "\(origin):\(line)"
        }
        builder.add(object, source: "\(origin):\(line)")
    }

    /// The mesh described by every document added so far, with what was skipped and why.
    public func finish() -> ManifestSet {
        var builder = builder
        var inventory = builder.finish()
        SidecarOriginals.attach(originals, to: &inventory)
        return ManifestSet(
            inventory: inventory, ignoredKinds: builder.ignoredKinds, warnings: builder.warnings, notes: builder.notes,
            files: origins, sidecarSources: sidecarSources, meshConfigMaps: builder.meshConfigMaps)
    }

    /// Reads `documents` in order: ``add(_:)`` for each, then ``finish()``.
    ///
    /// - Throws: ``ManifestError`` naming the origin and line of the first unreadable document.
    public static func load(
        documents: some Sequence<ManifestDocument>, defaultNamespace: String? = nil
    ) throws -> ManifestSet {
        var loader = ManifestLoader(defaultNamespace: defaultNamespace)
        for document in documents { try loader.add(document) }
        return loader.finish()
    }

    /// Decodes manifest text (YAML or JSON, one or many documents) into objects with their 1-based start lines.
    static func decode(_ text: String, file: String) throws -> [(KubernetesObject, Int)] {
        var objects: [(KubernetesObject, Int)] = []
        try decode(text, file: file) { objects.append(($0, $1)) }
        return objects
    }

    /// Decodes manifest text document by document, handing each object and its 1-based start line to `body` before
    /// the next document is parsed, so that only one document's YAML nodes are held at a time (a JSON text is one
    /// document, decoded whole).
    ///
    /// The error thrown is the one reading the whole text first would give: a YAML syntax error anywhere in the text
    /// comes before a document that parses but does not decode (the rest is then only parsed, each node dropped).
    /// An error thrown by `body` is rethrown at once.
    static func decode(_ text: String, file: String, each body: (KubernetesObject, Int) throws -> Void) throws {
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
            for (object, line) in try decodeJSON(text, file: file) { try body(object, line) }
            return
        }
        let parser: Parser
        do {
            parser = try Parser(yaml: text)
        } catch {
            throw syntaxError(error, file: file)
        }
        while true {
            // Parser.nextRoot throws on syntax errors (compose_all's sequence would swallow them).
            let parsed: Node?
            do {
                parsed = try parser.nextRoot()
            } catch {
                throw syntaxError(error, file: file)
            }
            guard let node = parsed else { return }
            let object: KubernetesObject?
            do {
                object = try decodeDocument(node, file: file)
            } catch {
                // A later syntax error is the one to report, as when every document was parsed before decoding.
                try parseRest(of: parser, file: file)
                throw error
            }
            if let object { try body(object, node.mark?.line ?? 1) }
        }
    }

    /// One YAML document as an object; nil for an empty (null) document.
    private static func decodeDocument(_ node: Node, file: String) throws -> KubernetesObject? {
        let line = node.mark?.line ?? 1
        guard case .mapping = node else {
            if case .scalar(let scalar) = node, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return nil }
            throw ManifestError(file: file, line: line, message: "expected a Kubernetes object (a mapping with kind and apiVersion)")
        }
        do {
            return try YAMLDecoder().decode(KubernetesObject.self, from: node)
        } catch {
            throw ManifestError(file: file, line: line, message: describe(error, documentKind: node["kind"]?.string))
        }
    }

    /// Parses the rest of the documents, keeping none of them, and throws the first syntax error.
    private static func parseRest(of parser: Parser, file: String) throws {
        do {
            while try parser.nextRoot() != nil {}
        } catch {
            throw syntaxError(error, file: file)
        }
    }

    /// A parser error as a ``ManifestError`` with the line and a brief summary.
    private static func syntaxError(_ error: Error, file: String) -> ManifestError {
        if let error = error as? YamlError {
            return ManifestError(file: file, line: Self.line(of: error), message: "not valid YAML: \(Self.summary(of: error))")
        }
        return ManifestError(file: file, message: "not valid YAML: \(InputFile.quote("\(error)", limit: 160))")
    }

    private static func decodeJSON(_ text: String, file: String) throws -> [(KubernetesObject, Int)] {
        let data = Data(text.utf8)
        do {
            if text.drop(while: { $0.isWhitespace }).hasPrefix("[") {
                return try JSONDecoder().decode([KubernetesObject].self, from: data).map { ($0, 1) }
            }
            return [(try JSONDecoder().decode(KubernetesObject.self, from: data), 1)]
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            // JSONDecoder's syntax errors have no position: find it.
            if let problem = JSONSyntax.firstProblem(in: data) {
                throw ManifestError(file: file, line: problem.line, message: "not valid JSON: \(problem)")
            }
            throw ManifestError(file: file, message: describe(DecodingError.dataCorrupted(context), documentKind: nil))
        } catch {
            throw ManifestError(file: file, message: describe(error, documentKind: nil))
        }
    }

    static func describe(_ error: Error, documentKind: String?) -> String {
        let what = documentKind.map { "\($0): " } ?? ""
        guard let decoding = error as? DecodingError else { return "\(what)\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let components = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return components.isEmpty ? "" : " at \(components.hasPrefix(".") ? String(components.dropFirst()) : components)"
        }
        switch decoding {
        case .typeMismatch(let type, let context):
            return "\(what)expected \(typeName(type))\(path(context))"
        case .valueNotFound(let type, let context):
            return "\(what)missing \(typeName(type))\(path(context))"
        case .keyNotFound(let key, let context):
            return "\(what)missing field '\(key.stringValue)'\(path(context))"
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError as NSError? {
                return "\(what)not valid JSON: \(underlying.localizedDescription)"
            }
            return "\(what)\(context.debugDescription)\(path(context))"
        @unknown default:
            return "\(what)\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "a whole number"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "a mapping" }
            return "a mapping"
        }
    }

    private static func line(of error: YamlError) -> Int? { YAMLSyntax.position(of: error)?.line }

    /// What is wrong, quoted briefly (never the offending line itself, which can be megabytes long).
    private static func summary(of error: YamlError) -> String { YAMLSyntax.summary(of: error) }
}
