import Foundation
import Yams

/// The waves of a plan directory as `meshtrim plan --out DIR` writes it, read back from its `kustomization.yaml`:
/// every resource is `wave-N/FILE.yaml`, listed in wave order. `meshtrim apply -f DIR` applies it wave by wave.
///
/// The kustomization is the list of record (it is what `kubectl apply -k DIR` applies), so a wave is exactly the
/// files it lists under `wave-N/`.
public struct PlanDirectoryLayout: Hashable, Sendable {
    /// One wave: its number and its files (relative to the directory), in the kustomization's order.
    public struct Wave: Hashable, Sendable {
        /// `N` of `wave-N/`.
        public var number: Int
        /// `wave-N/NAMESPACE-NAME.yaml`, …
        public var files: [String]

        /// Makes a wave.
        public init(number: Int, files: [String]) {
            self.number = number
            self.files = files
        }
    }

    /// The waves, by number.
    public var waves: [Wave]

    /// The name of the file that lists the plan's Sidecars.
    public static let kustomizationFile = "kustomization.yaml"

    /// Makes a layout.
    public init(waves: [Wave]) { self.waves = waves }

    /// The wave numbered `number`, if the plan has it.
    public func wave(_ number: Int) -> Wave? { waves.first { $0.number == number } }

    /// `1–3` or `1`: the wave numbers, for messages.
    public var waveRange: String {
        let numbers = waves.map(\.number)
        guard let first = numbers.first, let last = numbers.last else { return "none" }
        return first == last ? "\(first)" : "\(first)–\(last)"
    }

    /// Reads the layout from the text of a plan directory's `kustomization.yaml`.
    ///
    /// - Parameter file: the kustomization's path, for messages.
    /// - Throws: ``ApplyDocumentError`` (file and line) when the text is not YAML, lists no resources, or lists one
    ///   that is not `wave-N/FILE.yaml` (an absolute path, `..`, another directory): then it is not a plan directory.
    public static func read(kustomization text: String, file: String) throws(ApplyDocumentError) -> PlanDirectoryLayout {
        let root: Node?
        do {
            root = try Parser(yaml: text).singleRoot()
        } catch {
            throw ApplyDocumentError(file: file, line: nil, message: "not valid YAML: \(InputFile.quote("\(error)", limit: 160))")
        }
        guard let resources = root?["resources"]?.sequence, !resources.isEmpty else {
            throw ApplyDocumentError(
                file: file, line: root?.mark?.line,
                message: "lists no resources; a plan directory's kustomization lists its wave-N/*.yaml files (meshtrim plan --out DIR writes one)")
        }
        var waves: [Int: [String]] = [:]
        var order: [Int] = []
        for resource in resources {
            let line = resource.mark?.line
            guard let path = resource.string, let number = waveNumber(of: path) else {
                throw ApplyDocumentError(
                    file: file, line: line,
                    message: "resource \(InputFile.quote(resource.string ?? "(not a string)", limit: 120)) is not wave-N/FILE.yaml; "
                        + "this is not a directory meshtrim plan --out wrote (give -f FILE to apply one file)")
            }
            if waves[number] == nil { order.append(number) }
            waves[number, default: []].append(path)
        }
        guard order == order.sorted() else {
            throw ApplyDocumentError(
                file: file, line: nil,
                message: "lists the waves out of order (\(order.map(String.init).joined(separator: ", "))); a plan lists wave 1 first")
        }
        return PlanDirectoryLayout(waves: order.map { Wave(number: $0, files: waves[$0] ?? []) })
    }

    /// `N` when `path` is `wave-N/FILE.yaml` (one plain file name, no `..`), else nil.
    public static func waveNumber(of path: String) -> Int? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].hasPrefix("wave-"), let number = Int(parts[0].dropFirst(5)), number >= 1 else { return nil }
        let name = parts[1]
        guard name.hasSuffix(".yaml") || name.hasSuffix(".yml"), !name.hasPrefix("."), name.count > 5 else { return nil }
        return number
    }
}
