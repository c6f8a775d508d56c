import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimFiles
import MeshtrimProcess

/// `meshtrim generate-demo`: writes a generated mesh snapshot, by default the bundled demo.
///
/// A developer command (hidden from `--help`): the bundled `Resources/demo-snapshot.json` is its output with the
/// default parameters and `--from-lab` captures of real Envoys (``LabDemoMerger``, `scripts/demo-from-lab.sh`);
/// `docs/snapshot-format.md` says how to regenerate it.
struct GenerateDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-demo",
        abstract: "Generate a realistic mesh snapshot (the bundled demo, or one of any size).",
        discussion: """
            Generation is deterministic: the same size and seed always give the same file. With no options it \
            rewrites the bundled demo, \(GenerateDemoCommand.defaultOutput), from the repository root. Another \
            -o FILE that already exists is only replaced with --force. The file is written atomically. \
            --check writes nothing: it compares the bundled demo with what the generator makes now and exits 1 \
            when they differ (the generator changed and the demo was not regenerated).

            --from-lab FILE (repeatable) takes every observed sidecar's cluster count and Envoy memory from \
            snapshots of `meshtrim lab` at the same parameters (one real Envoy per pod configuration), keeping the \
            generated inventory and traffic: scripts/demo-from-lab.sh runs the labs and calls it. The bundled demo \
            is made that way; --check then compares everything but those measured figures, and checks that each \
            cluster count is the pod's prediction.

            Examples:
              swift run meshtrim generate-demo
              meshtrim generate-demo -o big.json --namespaces 60 --services 2000 --pods 5000 --seed 7
              meshtrim --snapshot big.json
              meshtrim generate-demo --check
              bash scripts/demo-from-lab.sh
            """,
        shouldDisplay: false
    )

    /// Where the bundled demo lives, relative to the repository root.
    static let defaultOutput = "Sources/meshtrim/Resources/demo-snapshot.json"

    @Option(name: .shortAndLong, help: "The file to write.")
    var output: String = GenerateDemoCommand.defaultOutput

    @Option(name: .long, help: "Namespaces in total, istio-system included.")
    var namespaces: Int = MeshGenerator.Parameters.demo.namespaces

    @Option(name: .long, help: "Services and ServiceEntry hosts in total.")
    var services: Int = MeshGenerator.Parameters.demo.services

    @Option(name: .long, help: "Pods in total (with and without sidecars).")
    var pods: Int = MeshGenerator.Parameters.demo.pods

    @Option(name: .long, help: "VirtualServices to create.")
    var virtualServices: Int = MeshGenerator.Parameters.demo.virtualServices

    @Option(name: .long, help: "DestinationRules to create.")
    var destinationRules: Int = MeshGenerator.Parameters.demo.destinationRules

    @Option(name: .long, help: "Namespaces that already have a Sidecar.")
    var scopedNamespaces: Int = MeshGenerator.Parameters.demo.scopedNamespaces

    @Option(name: .long, help: "The seed (the same seed gives the same mesh).")
    var seed: UInt64 = MeshGenerator.Parameters.demo.seed

    @Flag(name: .long, help: "Replace an existing file other than the bundled demo.")
    var force = false

    @Option(
        name: .customLong("from-lab"),
        help: ArgumentHelp("A `meshtrim snapshot` of the lab at these parameters whose Envoy figures to use (repeatable).", valueName: "file"))
    var fromLab: [String] = []

    @Flag(name: .long, help: "Compare the bundled demo with a fresh generation instead of writing; exit 1 if stale.")
    var check = false

    /// The parameters the options describe.
    var parameters: MeshGenerator.Parameters {
        MeshGenerator.Parameters(
            namespaces: namespaces, services: services, pods: pods, seed: seed, virtualServices: virtualServices,
            destinationRules: destinationRules, scopedNamespaces: scopedNamespaces)
    }

    func validate() throws {
        do {
            try parameters.validate()
        } catch let error as MeshGeneratorError {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        if check {
            try checkBundledDemo()
            return
        }
        let mode: AtomicFileWriter.Mode = output == Self.defaultOutput || force ? .overwrite : .createNew
        do {
            try AtomicFileWriter.check(output, mode: mode)
        } catch where error.reason == .exists {
            throw RuntimeError("\(output) exists; pass --force to replace it")
        } catch {
            // A missing directory is made when writing.
            if case .noDirectory = error.reason {} else { throw RuntimeError(error.description) }
        }
        var snapshot = MeshGenerator.generateSnapshot(parameters)
        if !fromLab.isEmpty {
            let captures = try fromLab.map { try MeshSnapshot.load(from: $0) }
            do {
                snapshot = try LabDemoMerger.merge(generated: snapshot, captures: captures)
            } catch let error as LabDemoMerger.MergeError {
                throw RuntimeError(error.description)
            }
        }
        let data = try snapshot.encoded()
        try Self.write(data, to: output, mode: mode)
        print(Self.summary(snapshot, bytes: data.count, path: output))
    }

    /// Exits 1 when the bundled demo is not what these parameters generate.
    private func checkBundledDemo() throws {
        let bundled = try DemoSnapshot.load()
        let fresh = MeshGenerator.generateSnapshot(parameters)
        guard Self.matches(bundled: bundled, generated: fresh) else {
            printError(
                "the bundled demo differs from what the generator makes now with these parameters: "
                    + "run `bash scripts/demo-from-lab.sh` (or `swift run meshtrim generate-demo` for synthesised "
                    + "figures) and commit \(Self.defaultOutput)")
            throw ExitCode(1)
        }
        print(
            "the bundled demo is up to date (\(bundled.inventory.pods.count) pods, "
                + "\(bundled.observations.count) observed sidecars)")
    }

    /// Whether the bundled demo is the generator's output, apart from Envoy figures measured on the sidecar's own
    /// lab Envoy (``LabDemoMerger``), whose cluster count must still be the pod's prediction.
    static func matches(bundled: MeshSnapshot, generated: MeshSnapshot) -> Bool {
        guard bundled.inventory == generated.inventory, bundled.capturedAt == generated.capturedAt,
            bundled.observations.count == generated.observations.count
        else { return false }
        for (observed, made) in zip(bundled.observations, generated.observations) where observed != made {
            var measured = made
            measured.envoyAllocatedBytes = observed.envoyAllocatedBytes
            measured.envoyHeapBytes = observed.envoyHeapBytes
            measured.envoyPhysicalBytes = observed.envoyPhysicalBytes
            measured.workingSetBytes = observed.workingSetBytes
            measured.source = LabDemoMerger.source
            guard observed == measured else { return false }
        }
        return true
    }

    /// Writes `data` with ``AtomicFileWriter``, making the directory first.
    static func write(_ data: Data, to path: String, mode: AtomicFileWriter.Mode) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        do {
            try AtomicFileWriter.write(data, to: path, mode: mode)
        } catch where error.reason == .exists {
            throw RuntimeError("\(path) exists; pass --force to replace it")
        } catch {
            throw RuntimeError(error.description)
        }
    }

    /// `wrote FILE (2.0Mi): 32 namespaces, 640 services, …` with the sidecars' average clusters and memory (sizes
    /// in the Kubernetes units the UI and the other commands use, ``ByteFormat``).
    static func summary(_ snapshot: MeshSnapshot, bytes: Int, path: String) -> String {
        let inventory = snapshot.inventory
        let sidecars = inventory.pods.filter(\.hasSidecar).count
        let observed = snapshot.observations
        let clusters = observed.compactMap(\.activeClusters)
        let allocated = observed.compactMap(\.envoyAllocatedBytes)
        let workingSet = observed.compactMap(\.workingSetBytes)
        func average(_ values: [Int]) -> Double { values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count) }
        func size(_ value: Double) -> String { ByteFormat.binary(Int(value.rounded())) }
        return """
            wrote \(path) (\(size(Double(bytes)))): \(inventory.namespaces.count) namespaces, \
            \(inventory.services.count) services, \(inventory.pods.count) pods (\(sidecars) with sidecars), \
            \(inventory.virtualServices.count) VirtualServices, \(inventory.destinationRules.count) DestinationRules, \
            \(inventory.sidecars.count) Sidecars
            observed sidecars: \(observed.count), average \(String(format: "%.0f", average(clusters))) clusters, \
            Envoy allocated \(size(average(allocated))), working set \(size(average(workingSet)))
            """
    }
}
