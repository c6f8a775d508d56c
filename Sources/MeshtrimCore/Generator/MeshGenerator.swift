import Foundation

/// Generates a realistic Istio mesh from a seed: namespaces, Services, ServiceEntries, pods with sidecars,
/// VirtualServices, DestinationRules, a few Sidecars, traffic and sidecar memory.
///
/// The bundled demo (`meshtrim --demo`), the tests and the lab need a mesh that looks like a real company's and
/// whose numbers agree with each other: every generated observation's `activeClusters` is exactly what
/// ``ScopeEngine`` predicts for that pod, and its memory follows ``MemoryModel/measured`` for that cluster count.
/// Generation is pure and deterministic (same parameters, same bytes) and runs in O(n log n).
///
/// ```swift
/// let snapshot = MeshGenerator.generateSnapshot(.demo)
/// let inventory = MeshGenerator.generateInventory(.init(namespaces: 8, services: 60, pods: 120, seed: 7))
/// ```
public enum MeshGenerator {
    /// The size and seed of a generated mesh.
    ///
    /// `services` and `pods` are totals across the mesh, `istio-system` included. Counts that cannot be met
    /// (more scoped namespaces than meshed ones, more VirtualServices than services to route) are lowered to what
    /// the mesh can hold; ``validate()`` reports them for a command line.
    public struct Parameters: Hashable, Sendable {
        /// Namespaces in total, `istio-system` included (at least 2).
        public var namespaces: Int
        /// Kubernetes Services plus ServiceEntry hosts in total (at least `namespaces + 1`).
        public var services: Int
        /// Pods in total: sidecar-injected ones, istiod, the ingress gateway and pods of non-injected namespaces.
        public var pods: Int
        /// The seed; the same parameters always give the same mesh.
        public var seed: UInt64
        /// VirtualServices to create (some route to v1/v2 subsets, some are bound to the ingress gateway).
        public var virtualServices: Int
        /// DestinationRules to create (subset rules for the subset routes first, then traffic-policy rules).
        public var destinationRules: Int
        /// Namespaces that already have a Sidecar (alternately a namespace-wide one and a workload one).
        public var scopedNamespaces: Int
        /// The "now" of the generated mesh: every creation time lies before it, and snapshots are captured at it
        /// unless told otherwise. Fixed by default so that generated files do not change from run to run.
        public var referenceDate: Date

        /// Makes parameters; the defaults are the bundled demo's.
        public init(
            namespaces: Int = 32, services: Int = 640, pods: Int = 1_560, seed: UInt64 = 20_260_302,
            virtualServices: Int = 40, destinationRules: Int = 80, scopedNamespaces: Int = 2,
            referenceDate: Date = MeshGenerator.defaultReferenceDate
        ) {
            self.namespaces = namespaces
            self.services = services
            self.pods = pods
            self.seed = seed
            self.virtualServices = virtualServices
            self.destinationRules = destinationRules
            self.scopedNamespaces = scopedNamespaces
            self.referenceDate = referenceDate
        }

        /// The bundled demo: 32 namespaces, 640 services, 1,560 pods (over 1,500 with sidecars), 40
        /// VirtualServices, 80 DestinationRules, two scoped namespaces.
        public static let demo = Parameters()

        /// Application namespaces (every namespace but `istio-system`).
        var applicationNamespaces: Int { max(1, namespaces - 1) }

        /// Application namespaces without sidecar injection: two in a mesh of 8 or more, one from 4, else none.
        var unmeshedNamespaces: Int {
            applicationNamespaces >= 8 ? 2 : (applicationNamespaces >= 4 ? 1 : 0)
        }

        /// Application namespaces with sidecar injection.
        var meshedNamespaces: Int { applicationNamespaces - unmeshedNamespaces }

        /// The fewest services that give every namespace at least one (istiod and the gateway included).
        public var minimumServices: Int { 2 + applicationNamespaces }

        /// Checks that the counts describe a mesh that can be generated as asked.
        ///
        /// - Throws: ``MeshGeneratorError`` naming the first count that is out of range and what it must be.
        public func validate() throws {
            if namespaces < 2 {
                throw MeshGeneratorError("namespaces must be at least 2 (istio-system and one application namespace)")
            }
            if services < minimumServices {
                throw MeshGeneratorError("services must be at least \(minimumServices) for \(namespaces) namespaces")
            }
            if pods < 0 || virtualServices < 0 || destinationRules < 0 || scopedNamespaces < 0 {
                throw MeshGeneratorError(
                    "pods, virtual services, destination rules and scoped namespaces cannot be negative")
            }
            if scopedNamespaces > meshedNamespaces {
                throw MeshGeneratorError(
                    "scoped namespaces must be at most \(meshedNamespaces) (the namespaces with sidecar injection)")
            }
        }

        /// The parameters with every count raised or lowered into its valid range.
        var normalized: Parameters {
            var copy = self
            copy.namespaces = max(2, namespaces)
            copy.services = max(copy.minimumServices, services)
            copy.pods = max(0, pods)
            copy.virtualServices = max(0, virtualServices)
            copy.destinationRules = max(0, destinationRules)
            copy.scopedNamespaces = min(max(0, scopedNamespaces), copy.meshedNamespaces)
            return copy
        }
    }

    /// 2026-03-02T09:30:00Z: the fixed "now" of generated meshes.
    public static let defaultReferenceDate = Date(timeIntervalSince1970: 1_772_443_800)

    /// The `source` of generated snapshots and observations.
    public static let source = "demo"

    /// The proxy version of generated sidecars.
    public static let proxyVersion = "1.31.2"

    /// Generates the mesh's configuration: namespaces, pods, services, routing, Sidecars and mesh config.
    public static func generateInventory(_ parameters: Parameters) -> MeshInventory {
        MeshBlueprint(parameters.normalized).inventory
    }

    /// Generates the mesh and what its sidecars report: memory, active clusters and observed traffic.
    ///
    /// - Parameter capturedAt: when the snapshot claims to be taken; `parameters.referenceDate` by default.
    public static func generateSnapshot(_ parameters: Parameters, capturedAt: Date? = nil) -> MeshSnapshot {
        let blueprint = MeshBlueprint(parameters.normalized)
        let inventory = blueprint.inventory
        let moment = wholeSeconds(capturedAt ?? parameters.referenceDate)
        var synthesizer = ObservationSynthesizer(
            blueprint: blueprint, inventory: inventory, capturedAt: moment, seed: parameters.seed)
        return MeshSnapshot(
            capturedAt: moment, source: source, inventory: inventory, observations: synthesizer.observations())
    }

    /// A date truncated to whole seconds, so that it survives ISO 8601 encoding unchanged.
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}

/// Parameters that do not describe a mesh the generator can build as asked.
public struct MeshGeneratorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong and what the value must be.
    public var message: String

    /// Makes an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
