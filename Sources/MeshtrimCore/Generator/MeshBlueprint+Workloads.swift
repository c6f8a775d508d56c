import Foundation

/// Workloads behind the services, who calls whom, and the pods that run it all.
extension MeshBlueprint {
    /// Picks the services that get a VirtualService; the first `destinationRules` of them route to v1/v2 subsets.
    mutating func planRouting() {
        var random = SeededRandom(seed: parameters.seed, stream: 3)
        let meshed = Set(namespaces.filter { $0.kind == .meshed }.map(\.name))
        let eligible = services.indices.filter {
            services[$0].kind == .deployment && meshed.contains(services[$0].service.namespace)
        }
        routedServices = random.sample(eligible, count: parameters.virtualServices)
        canaryCount = min(routedServices.count, parameters.destinationRules)
    }

    /// One workload per Deployment or StatefulSet (two, `-v1` and `-v2`, for services with canary routes),
    /// with replicas that add up to the requested pod total.
    mutating func planWorkloads() {
        var random = SeededRandom(seed: parameters.seed, stream: 4)
        let canaries = Set(routedServices.prefix(canaryCount))
        let meshed = Set(namespaces.filter { $0.kind == .meshed }.map(\.name))
        let now = parameters.referenceDate
        var weights: [Double] = []
        var fixedReplicas: [Int?] = []
        for (index, planned) in services.enumerated() {
            let service = planned.service
            let hasSidecar = meshed.contains(service.namespace)
            var ports = planned.containerPorts
            if hasSidecar { ports["http-envoy-prom"] = 15090 }
            func workload(_ name: String, version: String?, created: Date) -> PlannedWorkload {
                PlannedWorkload(
                    namespace: service.namespace, name: name, app: service.name, version: version, service: index,
                    kind: planned.kind, hasSidecar: hasSidecar, replicas: 0, created: created, namedPorts: ports, calls: [])
            }
            switch planned.kind {
            case .externalName, .serviceEntry:
                continue
            case .system(let replicas), .statefulSet(let replicas):
                workloads.append(
                    PlannedWorkload(
                        namespace: service.namespace, name: service.name, app: service.name, version: nil, service: index,
                        kind: planned.kind, hasSidecar: hasSidecar,
                        replicas: 0, created: service.creationTime, namedPorts: ports, calls: []))
                fixedReplicas.append(replicas)
                weights.append(Double(replicas))
            case .deployment:
                // Replica counts have a heavy tail: most services run 1–3 pods, a few run a dozen.
                let weight = min(10, pow(max(random.unit(), 0.03), -0.55))
                if canaries.contains(index) {
                    workloads.append(workload("\(service.name)-v1", version: "v1", created: service.creationTime))
                    let canaryCreated = max(service.creationTime, Self.date(now, daysBefore: random.double(in: 1...12)))
                    workloads.append(workload("\(service.name)-v2", version: "v2", created: canaryCreated))
                    fixedReplicas += [nil, nil]
                    weights += [weight, 0.3]
                } else {
                    workloads.append(workload(service.name, version: "v1", created: service.creationTime))
                    fixedReplicas.append(nil)
                    weights.append(weight)
                }
            }
        }
        let fixedTotal = fixedReplicas.reduce(0) { $0 + ($1 ?? 0) }
        let flexible = fixedReplicas.indices.filter { fixedReplicas[$0] == nil }
        if parameters.pods >= fixedTotal + flexible.count {
            let shares = Self.apportion(parameters.pods - fixedTotal, weights: flexible.map { weights[$0] }, minimum: 1)
            for (position, index) in flexible.enumerated() { workloads[index].replicas = shares[position] }
            for (index, replicas) in fixedReplicas.enumerated() {
                if let replicas { workloads[index].replicas = replicas }
            }
        } else {
            // Too few pods for one per workload: share them out, and some Deployments stay scaled to zero.
            let shares = Self.apportion(parameters.pods, weights: weights.map { max($0, 1) }, minimum: 0)
            for index in workloads.indices { workloads[index].replicas = shares[index] }
        }
    }

    /// Chooses the namespaces that get a Sidecar: meshed ones with a few Deployments, not the shared ones.
    mutating func planScopedNamespaces() {
        var random = SeededRandom(seed: parameters.seed, stream: 6)
        let meshed = namespaces.filter { $0.kind == .meshed }.map(\.name)
        var deployments: [String: Int] = [:]
        for workload in workloads where workload.hasSidecar && workload.kind == .deployment {
            deployments[workload.namespace, default: 0] += 1
        }
        let shared: Set<String> = ["identity", "notifications"]
        let preferred = meshed.filter { !shared.contains($0) && (deployments[$0] ?? 0) >= 3 }
        var chosen = random.sample(preferred, count: parameters.scopedNamespaces)
        for name in meshed where chosen.count < parameters.scopedNamespaces && !chosen.contains(name) {
            chosen.append(name)
        }
        scopedNamespaces = chosen
    }

    /// Who calls whom: each Deployment calls one to five services, mostly in its own namespace, often the
    /// shared `identity` and `notifications` APIs, sometimes a team it depends on or an external API.
    /// Namespaces with a namespace-wide `./*` Sidecar call only their own services (that is why they could be
    /// scoped). Canary (`-v2`) workloads call what their `-v1` calls.
    mutating func planTraffic() {
        var random = SeededRandom(seed: parameters.seed, stream: 5)
        let namespaceWide = Set(scopedNamespaces.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        let meshed = namespaces.filter { $0.kind == .meshed }.map(\.name)
        var callable: [String: [Int]] = [:]
        var deployments: [String: [Int]] = [:]
        var externals: [Int] = []
        for (index, planned) in services.enumerated() {
            switch planned.kind {
            case .deployment:
                callable[planned.service.namespace, default: []].append(index)
                deployments[planned.service.namespace, default: []].append(index)
            case .statefulSet: callable[planned.service.namespace, default: []].append(index)
            case .serviceEntry: externals.append(index)
            case .externalName, .system: break
            }
        }
        var shared: [(service: Int, probability: Double)] = []
        if let identity = deployments["identity"]?.first { shared.append((identity, 0.45)) }
        if let identity = deployments["identity"]?.dropFirst().first { shared.append((identity, 0.12)) }
        if let notifications = deployments["notifications"]?.first { shared.append((notifications, 0.25)) }
        var dependencies: [String: [String]] = [:]
        for name in meshed {
            var picked: [String] = []
            for _ in 0..<random.int(in: 0...2) {
                if let other = random.element(of: meshed), other != name, !picked.contains(other) { picked.append(other) }
            }
            dependencies[name] = picked
        }
        for index in workloads.indices {
            let workload = workloads[index]
            guard workload.hasSidecar, workload.kind == .deployment else { continue }
            if workload.version == "v2", index > 0, workloads[index - 1].service == workload.service {
                workloads[index].calls = workloads[index - 1].calls
                continue
            }
            var targets: [Int] = []
            func add(_ target: Int) {
                if target != workload.service && !targets.contains(target) { targets.append(target) }
            }
            let own = callable[workload.namespace] ?? []
            let wanted = random.int(in: 1...3)
            for _ in 0..<8 where targets.count < wanted {
                if let target = random.element(of: own) { add(target) }
            }
            if !namespaceWide.contains(workload.namespace) {
                for entry in shared where services[entry.service].service.namespace != workload.namespace {
                    if random.chance(entry.probability) { add(entry.service) }
                }
                if random.chance(0.3), let team = random.element(of: dependencies[workload.namespace] ?? []),
                    let target = random.element(of: deployments[team] ?? [])
                {
                    add(target)
                }
                let owned = externals.filter { services[$0].service.namespace == workload.namespace }
                if let target = random.element(of: owned), random.chance(0.5) {
                    add(target)
                } else if random.chance(0.06) {
                    let visible = externals.filter {
                        services[$0].service.exportTo == nil || services[$0].service.namespace == workload.namespace
                    }
                    if let target = random.element(of: visible) { add(target) }
                }
                if targets.isEmpty, let fallback = shared.first?.service { add(fallback) }
            }
            workloads[index].calls = targets.prefix(5).map { call(to: $0, random: &random) }
        }
    }

    private func call(to target: Int, random: inout SeededRandom) -> PlannedCall {
        let service = services[target].service
        var host = service.hostname
        if host.hasPrefix("*.") {
            // Metrics name the concrete host behind a wildcard ServiceEntry.
            host = (host.contains("googleapis") ? "storage" : "api") + host.dropFirst()
        }
        let port = service.ports.first
        let connections = port.map { ["TCP", "TLS"].contains($0.protocol) } ?? true
        let rate = exp(random.normal(mean: 0.3, deviation: 1.1)) * (connections ? 0.02 : 1)
        return PlannedCall(service: target, host: host, port: port?.number, ratePerSecond: rate)
    }

    /// Pods for every workload: `<deployment>-<hash>-<5 chars>` or `<statefulset>-<ordinal>`, spread over nodes
    /// with pod IPs, a few still Pending.
    mutating func planPods() {
        var random = SeededRandom(seed: parameters.seed, stream: 8)
        let now = parameters.referenceDate
        let nodes = max(3, parameters.pods / 35 + 1)
        var nodeFill = Array(repeating: 0, count: nodes)
        var used = Set<String>()
        var planned: [PlannedPod] = []
        planned.reserveCapacity(parameters.pods)
        for (index, workload) in workloads.enumerated() where workload.replicas > 0 {
            let hash = random.string(length: 10, alphabet: GeneratorVocabulary.nameAlphabet)
            let ageDays = max(0.05, now.timeIntervalSince(workload.created) / 86_400)
            var labels = services[workload.service].service.selector ?? ["app": workload.app]
            if let version = workload.version { labels["version"] = version }
            if case .statefulSet = workload.kind {
                labels["controller-revision-hash"] = "\(workload.name)-\(hash)"
            } else {
                labels["pod-template-hash"] = hash
            }
            for ordinal in 0..<workload.replicas {
                var name = ""
                if case .statefulSet = workload.kind {
                    name = "\(workload.name)-\(ordinal)"
                } else {
                    repeat {
                        let suffix = random.string(length: 5, alphabet: GeneratorVocabulary.nameAlphabet)
                        name = "\(workload.name)-\(hash)-\(suffix)"
                    } while used.contains("\(workload.namespace)/\(name)")
                }
                used.insert("\(workload.namespace)/\(name)")
                let created: Date
                if case .statefulSet = workload.kind {
                    created = Self.date(now, daysBefore: random.double(in: 0.5...max(0.5, min(ageDays, 90))))
                } else {
                    created = Self.date(now, daysBefore: random.double(in: 0.02...max(0.02, min(ageDays, 20))))
                }
                let pending = workload.hasSidecar && random.chance(0.004)
                var podIP: String?
                if !pending {
                    var node = random.index(below: nodes)
                    while nodeFill[node] >= 250 { node = (node + 1) % nodes }
                    nodeFill[node] += 1
                    podIP = "10.\(64 + node / 256).\(node % 256).\(nodeFill[node] + 1)"
                }
                let containers = workload.hasSidecar ? 2 : 1
                let pod = Pod(
                    meta: ObjectMeta(name: name, namespace: workload.namespace, labels: labels, creationTimestamp: created),
                    phase: pending ? "Pending" : "Running", readyContainers: pending ? 0 : containers,
                    totalContainers: containers, hasSidecar: workload.hasSidecar,
                    proxyVersion: workload.hasSidecar ? MeshGenerator.proxyVersion : nil, namedPorts: workload.namedPorts,
                    podIP: podIP)
                planned.append(PlannedPod(pod: pod, workload: index))
            }
        }
        pods = planned.sorted { ($0.pod.namespace, $0.pod.name) < ($1.pod.namespace, $1.pod.name) }
    }
}
