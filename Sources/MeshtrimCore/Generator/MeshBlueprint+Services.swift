import Foundation

/// Services: istio-system's, each application namespace's Deployments, StatefulSets and ExternalName aliases,
/// and ServiceEntries for the external APIs the company pays for.
extension MeshBlueprint {
    mutating func planServices() {
        var random = SeededRandom(seed: parameters.seed, stream: 2)
        let applications = namespaces.filter { $0.kind != .system }
        let room = parameters.services - parameters.minimumServices
        let externalCount = max(0, min(GeneratorVocabulary.externalAPIs.count, parameters.services / 40, room))
        let kubernetesCount = parameters.services - 2 - externalCount
        let counts = Self.apportion(kubernetesCount, weights: applications.map(\.weight), minimum: 1)
        addSystemServices(random: &random)
        for (namespace, count) in zip(applications, counts) {
            if namespace.kind == .unmeshed {
                addUnmeshedServices(namespace, count: count, random: &random)
            } else {
                addMeshedServices(namespace, count: count, random: &random)
            }
        }
        addServiceEntries(count: externalCount, random: &random)
        for (position, planned) in services.enumerated() {
            servicesByNamespace[planned.service.namespace, default: []].append(position)
        }
    }

    private mutating func addSystemServices(random: inout SeededRandom) {
        guard let system = namespaces.first else { return }
        let created = system.created.addingTimeInterval(600)
        let istiod = [
            ServicePort(number: 15010, name: "grpc-xds", protocol: "GRPC"),
            ServicePort(number: 15012, name: "https-dns", protocol: "HTTPS"),
            ServicePort(number: 443, name: "https-webhook", protocol: "HTTPS", targetPort: "15017"),
            ServicePort(number: 15014, name: "http-monitoring", protocol: "HTTP"),
        ]
        add(
            name: "istiod", namespace: system.name, ports: istiod, kind: .system(replicas: 2), created: created,
            selector: ["app": "istiod", "istio": "pilot"],
            containerPorts: ["grpc-xds": 15010, "https-dns": 15012, "https-webhook": 15017, "http-monitoring": 15014])
        let gateway = [
            ServicePort(number: 15021, name: "status-port", protocol: "TCP", targetPort: "15021"),
            ServicePort(number: 80, name: "http2", protocol: "HTTP2", targetPort: "8080"),
            ServicePort(number: 443, name: "https", protocol: "HTTPS", targetPort: "8443"),
        ]
        add(
            name: "istio-ingressgateway", namespace: system.name, ports: gateway, kind: .system(replicas: 3),
            created: created.addingTimeInterval(120), selector: ["app": "istio-ingressgateway", "istio": "ingressgateway"],
            containerPorts: ["status-port": 15021, "http2": 8080, "https": 8443])
    }

    private mutating func addMeshedServices(_ namespace: PlannedNamespace, count: Int, random: inout SeededRandom) {
        let headless: Int
        if count >= 5 {
            let share = Int((Double(count) * random.double(in: 0.06...0.16)).rounded())
            headless = min(GeneratorVocabulary.statefulSets.count, max(1, share))
        } else {
            headless = count >= 3 && random.chance(0.3) ? 1 : 0
        }
        let aliases = count >= 10 && random.chance(0.45) ? 1 : 0
        let deployments = count - headless - aliases
        let before = services.count
        var used = Set<String>()
        for position in 0..<deployments {
            let name = position == 0
                ? "\(namespace.name)-api" : Self.serviceName(in: namespace.name, avoiding: &used, random: &random)
            used.insert(name)
            let (ports, containerPorts) = Self.deploymentPorts(random: &random)
            add(
                name: name, namespace: namespace.name, ports: ports, kind: .deployment,
                created: Self.date(between: namespace.created, and: parameters.referenceDate, random: &random),
                selector: ["app": name], containerPorts: containerPorts)
        }
        for entry in random.sample(GeneratorVocabulary.statefulSets, count: headless) where !used.contains(entry.name) {
            used.insert(entry.name)
            var containerPorts: [String: Int] = [:]
            let ports = entry.ports.map { number, name -> ServicePort in
                containerPorts[name] = number
                return ServicePort(number: number, name: name, protocol: Self.protocolName(forPortName: name))
            }
            let service = MeshService(
                hostname: hostname(entry.name, namespace.name), namespace: namespace.name, name: entry.name, ports: ports,
                resolution: .passthrough,
                creationTime: Self.date(between: namespace.created, and: parameters.referenceDate, random: &random),
                selector: ["app": entry.name])
            services.append(
                PlannedService(service: service, kind: .statefulSet(replicas: entry.replicas), containerPorts: containerPorts))
        }
        for _ in 0..<aliases {
            let target = random.element(of: GeneratorVocabulary.externalNames) ?? "legacy.corp.example.com"
            let stem = target.split(separator: ".").first.map(String.init) ?? "system"
            let name = "legacy-\(stem)"
            guard !used.contains(name) else { continue }
            used.insert(name)
            let service = MeshService(
                hostname: hostname(name, namespace.name), namespace: namespace.name, name: name,
                ports: [ServicePort(number: 443, name: "https", protocol: "HTTPS")], resolution: .alias,
                creationTime: Self.date(between: namespace.created, and: parameters.referenceDate, random: &random))
            services.append(PlannedService(service: service, kind: .externalName, containerPorts: [:]))
        }
        // A name collision above (rare) would leave the namespace short: top it up with Deployments.
        for _ in 0..<max(0, count - (services.count - before)) {
            let name = Self.serviceName(in: namespace.name, avoiding: &used, random: &random)
            used.insert(name)
            let (ports, containerPorts) = Self.deploymentPorts(random: &random)
            add(
                name: name, namespace: namespace.name, ports: ports, kind: .deployment,
                created: Self.date(between: namespace.created, and: parameters.referenceDate, random: &random),
                selector: ["app": name], containerPorts: containerPorts)
        }
    }

    private mutating func addUnmeshedServices(_ namespace: PlannedNamespace, count: Int, random: inout SeededRandom) {
        let known = GeneratorVocabulary.unmeshedNamespaces.first { $0.name == namespace.name }?.workloads ?? []
        var used = Set<String>()
        for position in 0..<count {
            let name = position < known.count
                ? known[position] : Self.serviceName(in: namespace.name, avoiding: &used, random: &random)
            used.insert(name)
            let ports = [ServicePort(number: 80, name: "http", protocol: "HTTP", targetPort: "http")]
            add(
                name: name, namespace: namespace.name, ports: ports, kind: .deployment,
                created: Self.date(between: namespace.created, and: parameters.referenceDate, random: &random),
                selector: ["app": name], containerPorts: ["http": 8080])
        }
    }

    private mutating func addServiceEntries(count: Int, random: inout SeededRandom) {
        let meshed = namespaces.filter { $0.kind == .meshed }
        guard !meshed.isEmpty else { return }
        for (position, api) in GeneratorVocabulary.externalAPIs.prefix(count).enumerated() {
            let owner = meshed.first { $0.name == api.owner } ?? meshed[position % meshed.count]
            let labels = api.host.split(separator: ".").map(String.init)
            let name = labels.count >= 2 ? labels[labels.count - 2] : api.host
            let wildcard = api.host.hasPrefix("*")
            let service = MeshService(
                hostname: api.host, namespace: owner.name, name: name,
                ports: [ServicePort(number: 443, name: "tls", protocol: "TLS")],
                exportTo: api.isPrivate ? ["."] : nil, registry: .serviceEntry,
                resolution: wildcard ? .passthrough : .dnsLB,
                creationTime: Self.date(between: owner.created, and: parameters.referenceDate, random: &random))
            services.append(PlannedService(service: service, kind: .serviceEntry, containerPorts: [:]))
        }
    }

    private mutating func add(
        name: String, namespace: String, ports: [ServicePort], kind: ServiceKind, created: Date,
        selector: [String: String], containerPorts: [String: Int]
    ) {
        let service = MeshService(
            hostname: hostname(name, namespace), namespace: namespace, name: name, ports: ports, creationTime: created,
            selector: selector)
        services.append(PlannedService(service: service, kind: kind, containerPorts: containerPorts))
    }

    func hostname(_ name: String, _ namespace: String) -> String {
        "\(name).\(namespace).svc.\(MeshConfig().domainSuffix)"
    }

    /// `refund-worker`, `payout-scheduler`, … not yet used in the namespace; mostly from the team's own nouns.
    static func serviceName(in namespace: String, avoiding used: inout Set<String>, random: inout SeededRandom) -> String {
        let base = namespace.split(separator: "-").first.map(String.init) ?? namespace
        let theme = GeneratorVocabulary.themes[base] ?? []
        for _ in 0..<24 {
            let nouns = !theme.isEmpty && random.chance(0.75) ? theme : GeneratorVocabulary.nouns
            let noun = random.element(of: nouns) ?? "data"
            let role = random.element(of: GeneratorVocabulary.roles) ?? "service"
            let name = "\(noun)-\(role)"
            if !used.contains(name) { return name }
        }
        var counter = used.count
        while used.contains("service-\(counter)") { counter += 1 }
        return "service-\(counter)"
    }

    /// One to three ports named by protocol (`http`, `grpc`, `http-metrics`, `tcp-…`) and the pod's named ports.
    static func deploymentPorts(random: inout SeededRandom) -> ([ServicePort], [String: Int]) {
        var ports: [ServicePort] = []
        var containerPorts: [String: Int] = [:]
        let first = random.unit()
        if first < 0.45 {
            ports.append(ServicePort(number: 80, name: "http", protocol: "HTTP", targetPort: "http"))
            containerPorts["http"] = 8080
        } else if first < 0.7 {
            ports.append(ServicePort(number: 8080, name: "http", protocol: "HTTP"))
            containerPorts["http"] = 8080
        } else {
            ports.append(ServicePort(number: 9090, name: "grpc", protocol: "GRPC", targetPort: "grpc"))
            containerPorts["grpc"] = 9090
        }
        let extra = random.unit()
        let count = extra < 0.5 ? 1 : (extra < 0.85 ? 2 : 3)
        if count >= 2 {
            if containerPorts["grpc"] == nil && random.chance(0.4) {
                ports.append(ServicePort(number: 9090, name: "grpc", protocol: "GRPC", targetPort: "grpc"))
                containerPorts["grpc"] = 9090
            } else {
                ports.append(ServicePort(number: 9102, name: "http-metrics", protocol: "HTTP"))
                containerPorts["http-metrics"] = 9102
            }
        }
        if count >= 3 {
            let options = [(8558, "tcp-admin"), (9010, "tcp-jmx"), (5005, "tcp-debug")]
            let (number, name) = options[random.index(below: options.count)]
            ports.append(ServicePort(number: number, name: name, protocol: "TCP"))
            containerPorts[name] = number
        }
        return (ports, containerPorts)
    }

    /// Istio's protocol for a port name's prefix (`http-…` → HTTP, `grpc-…` → GRPC, else TCP).
    static func protocolName(forPortName name: String) -> String {
        let prefix = name.split(separator: "-").first.map(String.init) ?? name
        switch prefix {
        case "http": return "HTTP"
        case "http2": return "HTTP2"
        case "https": return "HTTPS"
        case "grpc": return "GRPC"
        case "tls": return "TLS"
        default: return "TCP"
        }
    }
}
