import MeshtrimCore

extension LabScenario {
    /// A generated mesh: meshtrim's deterministic generator gives the configuration and each pod's traffic.
    ///
    /// `services` and `pods` are totals across the mesh, `istio-system` included.
    ///
    /// - Throws: ``LabError`` when the counts describe no mesh (the generator's message says which count and why).
    public static func generated(namespaces: Int, services: Int, pods: Int, seed: UInt64) throws -> LabScenario {
        let parameters = MeshGenerator.Parameters(namespaces: namespaces, services: services, pods: pods, seed: seed)
        do {
            try parameters.validate()
        } catch {
            throw LabError("cannot generate the mesh: \(error) (--namespaces \(namespaces) --services \(services) --pods \(pods))")
        }
        let snapshot = MeshGenerator.generateSnapshot(parameters)
        var traffic: [String: [ObservedDestination]] = [:]
        for observation in snapshot.observations where !observation.destinations.isEmpty {
            traffic["\(observation.namespace)/\(observation.pod)"] = observation.destinations
        }
        return LabScenario(
            inventory: snapshot.inventory, traffic: traffic,
            origin: "the generator (--namespaces \(namespaces) --services \(services) --pods \(pods) --seed \(seed))"
        ).completed()
    }
}
