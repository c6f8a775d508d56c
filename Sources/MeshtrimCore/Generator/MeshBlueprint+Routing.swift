import Foundation

/// Sidecars, VirtualServices and DestinationRules.
extension MeshBlueprint {
    /// Even positions of ``scopedNamespaces`` get the common fix (`./*` and `istio-system/*` for the whole
    /// namespace); odd positions get a workload Sidecar listing exactly what that workload calls.
    mutating func planSidecars() {
        var random = SeededRandom(seed: parameters.seed, stream: 7)
        let now = parameters.referenceDate
        for (position, namespace) in scopedNamespaces.enumerated() {
            let created = Self.date(now, daysBefore: random.double(in: 2...9))
            if position % 2 == 0 {
                sidecars.append(
                    Sidecar(
                        meta: ObjectMeta(name: "default", namespace: namespace, creationTimestamp: created),
                        egress: [SidecarEgressListener(hosts: ["./*", "\(Self.systemNamespace)/*"])]))
                continue
            }
            let candidates = workloads.indices.filter {
                workloads[$0].namespace == namespace && workloads[$0].hasSidecar && workloads[$0].kind == .deployment
            }
            let busy = candidates.filter { workloads[$0].replicas >= 2 }
            guard let chosen = random.element(of: busy) ?? candidates.first else { continue }
            let app = workloads[chosen].app
            var hosts: [String] = []
            for index in candidates where workloads[index].app == app {
                for call in workloads[index].calls {
                    let service = services[call.service].service
                    let scope = service.namespace == namespace ? "." : service.namespace
                    let host = "\(scope)/\(service.hostname)"
                    if !hosts.contains(host) { hosts.append(host) }
                }
            }
            sidecars.append(
                Sidecar(
                    meta: ObjectMeta(name: app, namespace: namespace, creationTimestamp: created),
                    workloadSelector: LabelSelector(["app": app]),
                    egress: [SidecarEgressListener(hosts: hosts.sorted() + ["\(Self.systemNamespace)/*"])]))
        }
    }

    /// One VirtualService per routed service: v1/v2 subset routes for the canaries, some bound to the ingress
    /// gateway under a public hostname, some with an extra route to another team's service or a mirror.
    mutating func planVirtualServices() {
        var random = SeededRandom(seed: parameters.seed, stream: 9)
        let meshed = Set(namespaces.filter { $0.kind == .meshed }.map(\.name))
        let deployments = services.indices.filter {
            services[$0].kind == .deployment && meshed.contains(services[$0].service.namespace)
        }
        var publicHosts = 0
        for (position, index) in routedServices.enumerated() {
            let service = services[index].service
            let gatewayBound = position % 8 == 3
            let port = service.ports.count > 1 ? service.ports.first?.number : nil
            let target = gatewayBound ? service.hostname : service.name
            var destinations = [VirtualService.Destination(host: target, port: port)]
            if position < canaryCount {
                // The v1 and v2 routes (weights 90/10); subsets are in the DestinationRule.
                destinations.append(VirtualService.Destination(host: target, port: port))
            }
            if position % 5 == 2 {
                for _ in 0..<8 {
                    guard let other = random.element(of: deployments) else { break }
                    let otherService = services[other].service
                    guard otherService.namespace != service.namespace else { continue }
                    let otherPort = otherService.ports.count > 1 ? otherService.ports.first?.number : nil
                    destinations.append(VirtualService.Destination(host: otherService.hostname, port: otherPort))
                    break
                }
            }
            if position % 6 == 4 {
                let siblings = (servicesByNamespace[service.namespace] ?? []).filter {
                    $0 != index && services[$0].kind == .deployment
                }
                if let mirror = random.element(of: siblings) {
                    destinations.append(VirtualService.Destination(host: services[mirror].service.name, isMirror: true))
                }
            }
            var hosts = [service.name]
            var name = service.name
            var gateways: [String] = []
            if gatewayBound {
                let known = GeneratorVocabulary.publicHosts
                hosts = [publicHosts < known.count ? known[publicHosts] : "\(service.name).example.com"]
                publicHosts += 1
                name = "\(service.name)-public"
                gateways = ["\(Self.systemNamespace)/public-gateway"]
            }
            virtualServices.append(
                VirtualService(
                    meta: ObjectMeta(
                        name: name, namespace: service.namespace,
                        creationTimestamp: Self.date(
                            between: service.creationTime, and: parameters.referenceDate, random: &random)),
                    hosts: hosts, gateways: gateways, exportTo: position % 7 == 5 ? ["."] : nil,
                    destinations: destinations))
        }
    }

    /// Subset rules (v1, v2) for the canary routes; then a mesh-wide `*.local` rule in istio-system, TLS rules
    /// for the ServiceEntries and connection-pool rules on other services, until the requested count is reached.
    mutating func planDestinationRules() {
        var random = SeededRandom(seed: parameters.seed, stream: 10)
        let now = parameters.referenceDate
        for index in routedServices.prefix(canaryCount) {
            let service = services[index].service
            destinationRules.append(
                DestinationRule(
                    meta: ObjectMeta(
                        name: service.name, namespace: service.namespace,
                        creationTimestamp: Self.date(between: service.creationTime, and: now, random: &random)),
                    host: service.name, subsets: ["v1", "v2"]))
        }
        var remaining = parameters.destinationRules - canaryCount
        guard remaining > 0 else { return }
        if let system = namespaces.first {
            destinationRules.append(
                DestinationRule(
                    meta: ObjectMeta(
                        name: "default", namespace: system.name,
                        creationTimestamp: system.created.addingTimeInterval(3_600)),
                    host: "*.local"))
            remaining -= 1
        }
        for planned in services where remaining > 0 && planned.kind == .serviceEntry {
            let service = planned.service
            destinationRules.append(
                DestinationRule(
                    meta: ObjectMeta(
                        name: "\(service.name)-tls", namespace: service.namespace,
                        creationTimestamp: Self.date(between: service.creationTime, and: now, random: &random)),
                    host: service.hostname, exportTo: service.exportTo))
            remaining -= 1
        }
        let meshed = Set(namespaces.filter { $0.kind == .meshed }.map(\.name))
        let canaries = Set(routedServices.prefix(canaryCount))
        let candidates = services.indices.filter { index in
            let planned = services[index]
            guard meshed.contains(planned.service.namespace), !canaries.contains(index) else { return false }
            switch planned.kind {
            case .deployment, .statefulSet: return true
            default: return false
            }
        }
        for (position, index) in random.sample(candidates, count: remaining).enumerated() {
            let service = services[index].service
            destinationRules.append(
                DestinationRule(
                    meta: ObjectMeta(
                        name: service.name, namespace: service.namespace,
                        creationTimestamp: Self.date(between: service.creationTime, and: now, random: &random)),
                    host: position % 2 == 0 ? service.name : service.hostname))
        }
    }
}
