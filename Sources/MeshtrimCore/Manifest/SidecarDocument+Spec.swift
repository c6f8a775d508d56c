extension SidecarDocument {
    /// The Sidecar's `spec` as written (from ``original``); `.null` when it has none.
    ///
    /// ``SidecarValidator/validate(_:spec:)`` runs the rules for what the ``Sidecar`` model does not keep (ingress
    /// `tls`, `defaultEndpoint`, connection pools, the egress proxy) on it.
    public var spec: JSONValue {
        guard let members = original.objectMembers, let spec = members.last(where: { $0.key == "spec" }) else { return .null }
        return JSONValue(spec.value)
    }
}

extension JSONValue {
    /// The same value (members in any order; a repeated key keeps its last value); numbers become whole numbers
    /// where they are, doubles otherwise.
    init(_ ordered: OrderedJSON) {
        switch ordered {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let literal):
            if let whole = Int(literal) {
                self = .int(whole)
            } else if let real = Double(literal) {
                self = real.rounded() == real && abs(real) < 1e15 ? .int(Int(real)) : .double(real)
            } else {
                self = .string(literal)
            }
        case .string(let value): self = .string(value)
        case .array(let items): self = .array(items.map(JSONValue.init))
        case .object(let members):
            self = .object(Dictionary(members.map { ($0.key, JSONValue($0.value)) }, uniquingKeysWith: { _, last in last }))
        }
    }
}
