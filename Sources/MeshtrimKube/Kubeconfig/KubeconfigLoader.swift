import Foundation
import MeshtrimCore
import MeshtrimFiles
import Yams

/// Finds and merges kubeconfig files exactly as kubectl does.
///
/// - `--kubeconfig FILE`: that file only; it must exist.
/// - else `$KUBECONFIG`: files separated by `:`; missing files and empty entries are skipped.
/// - else `~/.kube/config`.
/// - else, inside a pod (`KUBERNETES_SERVICE_HOST` and `_PORT` set), the in-cluster service account.
///
/// Merging: the first file that defines a cluster, user or context name wins for the whole stanza (no field-level
/// merge); `current-context` comes from the first file that sets it. Relative paths (`certificate-authority`,
/// `client-certificate`, `client-key`, `tokenFile`, and an exec `command` containing a `/`) are resolved against the
/// directory of the file that defined them; `~` is not expanded.
public enum KubeconfigLoader {
    /// Loads the kubeconfig kubectl would use.
    ///
    /// - Parameters:
    ///   - explicitPath: `--kubeconfig`, when given.
    ///   - environment: the process environment (`KUBECONFIG`, `HOME`, `KUBERNETES_SERVICE_*`).
    ///   - inClusterRoot: where the service-account files live (tests point it elsewhere).
    /// - Throws: ``KubeconfigError`` for an unreadable or invalid file, or when there is no kubeconfig at all.
    public static func load(
        explicitPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        inClusterRoot: String = InClusterConfig.defaultRoot
    ) throws(KubeconfigError) -> Kubeconfig {
        if let explicitPath {
            guard FileManager.default.fileExists(atPath: explicitPath) else {
                throw KubeconfigError("--kubeconfig \(explicitPath): no such file")
            }
            return try merge(files: [explicitPath])
        }
        if let variable = environment["KUBECONFIG"], !variable.isEmpty {
            let files = variable.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
            let existing = files.filter { FileManager.default.fileExists(atPath: $0) }
            if !existing.isEmpty { return try merge(files: existing) }
            throw KubeconfigError("none of the files in KUBECONFIG exists (\(variable))")
        }
        if let home = environment["HOME"], FileManager.default.fileExists(atPath: "\(home)/.kube/config") {
            return try merge(files: ["\(home)/.kube/config"])
        }
        if let inCluster = try InClusterConfig.kubeconfig(environment: environment, root: inClusterRoot) {
            return inCluster
        }
        throw KubeconfigError(
            "no kubeconfig: set KUBECONFIG or pass --kubeconfig FILE (~/.kube/config does not exist and this is not a pod); "
                + "to try meshtrim without a cluster run meshtrim --demo or meshtrim lab", isMissing: true)
    }

    /// Merges these files in order (every one must exist).
    ///
    /// - Throws: ``KubeconfigError`` naming the file that cannot be read or parsed.
    public static func merge(files: [String]) throws(KubeconfigError) -> Kubeconfig {
        var result = Kubeconfig()
        for file in files {
            let path = absolute(file)
            let document = try read(path)
            result.files.append(path)
            let directory = (path as NSString).deletingLastPathComponent
            if result.currentContext == nil, let current = document.currentContext, !current.isEmpty {
                result.currentContext = current
            }
            for entry in document.clusters ?? [] {
                guard let name = entry.name, result.cluster(named: name) == nil else { continue }
                result.clusters.append(.init(name: name, entry: resolvePaths(entry.value ?? ClusterEntry(), in: directory), file: path))
            }
            for entry in document.users ?? [] {
                guard let name = entry.name, result.user(named: name) == nil else { continue }
                result.users.append(.init(name: name, entry: resolvePaths(entry.value ?? UserEntry(), in: directory), file: path))
            }
            for entry in document.contexts ?? [] {
                guard let name = entry.name, result.context(named: name) == nil else { continue }
                result.contexts.append(.init(name: name, entry: entry.value ?? ContextEntry(cluster: nil, user: nil), file: path))
            }
        }
        return result
    }

    /// One kubeconfig file: read by ``InputFile`` (a directory, a binary or non-UTF-8 file, or one above 256 MiB
    /// is named as such), parsed with the YAML error's line and column, refused when aliases expand too far.
    private static func read(_ path: String) throws(KubeconfigError) -> KubeconfigDocument {
        let text: String
        do {
            text = try InputFile.text(path, expected: "a kubeconfig (YAML)")
        } catch {
            throw KubeconfigError("the kubeconfig \(path) \(error.message)")
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return KubeconfigDocument() }
        let node: Node
        let parser: Parser
        do {
            // YAMLDecoder's own resolver (merge keys only), so that scalars decode as they always did; the parser
            // outlives the decoding because nodes hold anchors weakly.
            parser = try Parser(yaml: text, resolver: Resolver.basic.appending(.merge))
            guard let root = try parser.singleRoot() else { return KubeconfigDocument() }
            node = root
        } catch let error as YamlError {
            throw KubeconfigError(
                "\(path):\(YAMLSyntax.position(of: error).map { "\($0.line):\($0.column):" } ?? "") the kubeconfig is not valid YAML: "
                    + YAMLSyntax.summary(of: error))
        } catch {
            throw KubeconfigError("the kubeconfig \(path) is not valid YAML: \(InputFile.quote("\(error)", limit: 160))")
        }
        guard case .mapping = node else {
            throw KubeconfigError(
                "\(path):\(node.mark.map { "\($0.line):\($0.column):" } ?? "") the kubeconfig is not a mapping; expected "
                    + "apiVersion: v1, kind: Config with clusters, users and contexts")
        }
        if YAMLSyntax.exceedsExpansion(node) {
            throw KubeconfigError(
                "the kubeconfig \(path) expands to more than \(YAMLSyntax.maximumExpandedNodes) YAML nodes through aliases (*anchor)")
        }
        do {
            return try withExtendedLifetime(parser) { try YAMLDecoder().decode(KubeconfigDocument.self, from: node) }
        } catch let error as DecodingError {
            throw KubeconfigError("the kubeconfig \(path) is not valid: \(describe(error))")
        } catch {
            throw KubeconfigError("the kubeconfig \(path) is not valid: \(InputFile.quote("\(error)", limit: 160))")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return "\(context.debugDescription)\(path.isEmpty ? "" : " at \(path)")"
        case .keyNotFound(let key, let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return "missing \"\(key.stringValue)\"\(path.isEmpty ? "" : " at \(path)")"
        @unknown default:
            return "\(error)"
        }
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return (path as NSString).standardizingPath }
        let joined = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return (joined as NSString).standardizingPath
    }

    static func resolve(_ path: String?, in directory: String) -> String? {
        guard let path, !path.isEmpty else { return path }
        if path.hasPrefix("/") { return path }
        return ((directory as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }

    private static func resolvePaths(_ entry: ClusterEntry, in directory: String) -> ClusterEntry {
        var entry = entry
        entry.certificateAuthority = resolve(entry.certificateAuthority, in: directory)
        return entry
    }

    private static func resolvePaths(_ entry: UserEntry, in directory: String) -> UserEntry {
        var entry = entry
        entry.clientCertificate = resolve(entry.clientCertificate, in: directory)
        entry.clientKey = resolve(entry.clientKey, in: directory)
        entry.tokenFile = resolve(entry.tokenFile, in: directory)
        if let command = entry.exec?.command, command.contains("/") {
            entry.exec?.command = resolve(command, in: directory) ?? command
        }
        return entry
    }
}

/// Turns a Foundation file error into a short reason (`No such file or directory`).
enum FileReadFailure {
    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
            let message = strerror(Int32(underlying.code))
        {
            return String(cString: message)
        }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoPermissionError { return "permission denied" }
        return nsError.localizedDescription
    }
}
